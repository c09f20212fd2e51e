// A case's answers against the GS7 demo form: what a save refuses, and where each field stands.
#include "intake/domain/content.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

using json = nlohmann::json;
using namespace casecall::intake::domain;

json gs7_form() {
  std::ifstream in(std::string(CASECALL_FIXTURES) + "/gs7-call.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str())["form"];
}

std::vector<std::string> refused(const json& answers) {
  std::vector<std::string> out;
  for (const auto& e : check_answers(gs7_form(), answers, "/answers")) out.push_back(e.field + " " + e.code);
  return out;
}

std::string words(int n, const std::string& word = "harvest") {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " " : "") + word;
  return out;
}

TEST(answers, a_partial_draft_of_the_right_kinds_is_accepted) {
  EXPECT_TRUE(refused(json::object()).empty());
  EXPECT_TRUE(refused({{"title", "电商扶贫"}, {"case_language", "zh"}, {"theme", {"ecommerce", "finance"}},
                       {"beneficiaries", 3200}, {"start_date", "2019-04-01"}, {"country", "CN"},
                       {"website", "https://example.cn/cases"}, {"contact_email", "li@example.cn"},
                       {"partners", {{{"name", "County Government"}, {"country", "CN"}}}}, {"results", ""},
                       {"lessons", nullptr}})
                  .empty());
}

TEST(answers, a_save_refuses_what_is_of_the_wrong_kind) {
  EXPECT_EQ(refused({{"colour", "blue"}}), std::vector<std::string>{"/answers/colour unknown_field"});
  EXPECT_EQ(refused({{"title", 42}, {"beneficiaries", "many"}, {"theme", "ecommerce"}}),
            (std::vector<std::string>{"/answers/beneficiaries wrong_type", "/answers/theme wrong_type",
                                      "/answers/title wrong_type"}));
  EXPECT_EQ(refused({{"case_language", "de"}, {"theme", {"ecommerce", "ecommerce", "tourism"}}}),
            (std::vector<std::string>{"/answers/case_language not_allowed", "/answers/theme/1 not_allowed",
                                      "/answers/theme/2 not_allowed"}));
  EXPECT_EQ(refused({{"start_date", "2019-13-01"}, {"country", "China"}, {"website", "example.cn"},
                     {"contact_email", "li@"}}),
            (std::vector<std::string>{"/answers/contact_email bad_format", "/answers/country bad_format",
                                      "/answers/start_date bad_format", "/answers/website bad_format"}));
  json partners = json::array();
  for (int i = 0; i < 11; ++i) partners.push_back({{"name", "P"}});
  EXPECT_EQ(refused({{"partners", partners}}), std::vector<std::string>{"/answers/partners too_many"});
  EXPECT_EQ(refused({{"partners", {{{"name", 7}, {"website", "x"}}}}}),
            (std::vector<std::string>{"/answers/partners/0/name wrong_type", "/answers/partners/0/website unknown_field"}));
}

TEST(answers, each_field_says_whether_it_is_complete_missing_hidden_or_over_its_limit) {
  auto states = field_states(gs7_form(), {{"title", "Tea by mobile phone"}, {"case_language", "en"},
                                          {"background", words(501)}, {"approach", words(12)}});
  EXPECT_EQ(states["/title"], (json{{"state", "complete"}, {"count", 19}, {"unit", "characters"}, {"max", 150}}));
  EXPECT_EQ(states["/english_abstract"]["state"], "hidden") << "an English case needs no English abstract";
  EXPECT_EQ(states["/background"], (json{{"state", "over_limit"}, {"count", 501}, {"unit", "words"}, {"max", 500}}));
  EXPECT_EQ(states["/approach"]["state"], "complete");
  EXPECT_EQ(states["/results"]["state"], "missing");
  EXPECT_EQ(states["/website"]["state"], "empty");

  auto chinese = field_states(gs7_form(), {{"case_language", "zh"}, {"background", "背景"}});
  EXPECT_EQ(chinese["/english_abstract"]["state"], "missing") << "a Chinese case needs an English abstract";
}

TEST(answers, chinese_text_is_counted_per_character_against_a_word_limit) {
  std::string text;
  for (int i = 0; i < 167; ++i) text += "电商扶贫";  // 668 characters, each a word
  auto states = field_states(gs7_form(), {{"case_language", "zh"}, {"innovation", text}});
  EXPECT_EQ(states["/innovation"], (json{{"state", "over_limit"}, {"count", 668}, {"unit", "words"}, {"max", 300}}));
  auto errors = blocking(states, "/answers");
  auto innovation = std::find_if(errors.begin(), errors.end(), [](const auto& e) { return e.field == "/answers/innovation"; });
  ASSERT_NE(innovation, errors.end());
  EXPECT_EQ(innovation->code, "over_limit");
  EXPECT_NE(innovation->message.find("668 words for at most 300"), std::string::npos) << innovation->message;
}

TEST(answers, group_entries_are_reported_one_by_one) {
  auto states = field_states(gs7_form(), {{"partners", {{{"name", "County Government"}}, {{"country", "CN"}}}}});
  EXPECT_EQ(states["/partners"]["state"], "complete");
  EXPECT_EQ(states["/partners/0/name"]["state"], "complete");
  EXPECT_EQ(states["/partners/0/country"]["state"], "missing");
  EXPECT_EQ(states["/partners/1/name"]["state"], "missing");
  EXPECT_EQ(states["/partners/1/role"]["state"], "empty");
}

}  // namespace
