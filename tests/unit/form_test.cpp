// A call's form definition: the rules its schema cannot state, and what may change in it
// once cases have been submitted.
#include "http/json_schema.hpp"
#include "intake/domain/form.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using json = nlohmann::json;
using casecall::intake::domain::check_form;
using casecall::intake::domain::check_form_change_after_submission;

json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

json gs7_form() { return read_json(std::string(CASECALL_FIXTURES) + "/gs7-call.json")["form"]; }

std::vector<std::string> problems(const json& form) {
  std::vector<std::string> out;
  for (const auto& e : check_form(form, "/form")) out.push_back(e.field + " " + e.code);
  return out;
}

TEST(form, the_demo_call_form_is_valid_against_its_schema_and_its_rules) {
  auto schema = casecall::http::json_schema(read_json(std::string(CASECALL_PROTO_SCHEMAS) + "/form-definition.json"));
  EXPECT_TRUE(schema.validate(gs7_form()).empty());
  EXPECT_TRUE(problems(gs7_form()).empty());
}

TEST(form, ids_are_unique_in_the_form_and_in_each_group) {
  auto f = gs7_form();
  f["sections"][1]["fields"][0]["id"] = "title";  // background's field takes the overview's title id
  f["sections"][2]["id"] = "background";
  EXPECT_EQ(problems(f), (std::vector<std::string>{"/form/sections/1/fields/0/id duplicate", "/form/sections/2/id duplicate"}));
  auto g = gs7_form();
  g["sections"][0]["fields"][9]["fields"][1]["id"] = "name";
  EXPECT_EQ(problems(g), std::vector<std::string>{"/form/sections/0/fields/9/fields/1/id duplicate"});
  // A group's field may share an id with a field outside the group ("country").
  EXPECT_TRUE(problems(gs7_form()).empty());
}

TEST(form, each_type_takes_only_its_own_settings) {
  auto f = gs7_form();
  auto& fields = f["sections"][0]["fields"];
  fields[3]["limit"] = {{"unit", "words"}, {"max", 3}};  // country
  fields[1].erase("options");                            // single choice without options
  fields[6]["min"] = 10;                                 // number: min > max
  fields[6]["max"] = 5;
  fields[7]["max_items"] = 2;                            // url
  fields[9]["fields"][0]["type"] = "group";              // a group in a group
  EXPECT_EQ(problems(f), (std::vector<std::string>{"/form/sections/0/fields/1/options missing",
                                                   "/form/sections/0/fields/2/visible_when/in unknown",
                                                   "/form/sections/0/fields/3/limit not_allowed",
                                                   "/form/sections/0/fields/6/min out_of_range",
                                                   "/form/sections/0/fields/7/max_items not_allowed",
                                                   "/form/sections/0/fields/9/fields/0/limit not_allowed",
                                                   "/form/sections/0/fields/9/fields/0/type not_allowed",
                                                   "/form/sections/0/fields/9/fields/0/fields missing"}));
}

TEST(form, visibility_names_an_earlier_field_and_a_value_it_can_take) {
  auto f = gs7_form();
  f["sections"][0]["fields"][2]["visible_when"] = {{"field", "case_language"}, {"equals", "de"}};
  EXPECT_EQ(problems(f), std::vector<std::string>{"/form/sections/0/fields/2/visible_when/equals unknown"});
  f["sections"][0]["fields"][2]["visible_when"] = {{"field", "contact_email"}, {"equals", "x"}};  // a later field
  EXPECT_EQ(problems(f), std::vector<std::string>{"/form/sections/0/fields/2/visible_when/field unknown"});
  f["sections"][0]["fields"][2]["visible_when"] = {{"field", "case_language"}};
  EXPECT_EQ(problems(f), std::vector<std::string>{"/form/sections/0/fields/2/visible_when missing"});
}

TEST(form, after_a_submission_only_optional_fields_may_be_added) {
  const auto current = gs7_form();
  EXPECT_FALSE(check_form_change_after_submission(current, current, "/form"));

  auto added = current;
  added["sections"][1]["fields"].push_back({{"id", "context_note"}, {"type", "long_text"}, {"labels", {{"en", "Note"}}}});
  added["sections"].push_back({{"id", "annex"}, {"titles", {{"en", "Annex"}}},
                               {"fields", {{{"id", "annex_note"}, {"type", "short_text"}, {"labels", {{"en", "Note"}}}}}}});
  EXPECT_FALSE(check_form_change_after_submission(current, added, "/form"));

  auto required = current;
  required["sections"][1]["fields"].push_back(
      {{"id", "context_note"}, {"type", "long_text"}, {"required", true}, {"labels", {{"en", "Note"}}}});
  EXPECT_EQ(check_form_change_after_submission(current, required, "/form")->field, "/form/sections/1/fields/1");

  auto changed_limit = current;
  changed_limit["sections"][1]["fields"][0]["limit"]["max"] = 400;
  EXPECT_EQ(check_form_change_after_submission(current, changed_limit, "/form")->code, "not_allowed");

  auto removed = current;
  removed["sections"][0]["fields"].erase(removed["sections"][0]["fields"].begin() + 5);
  EXPECT_TRUE(check_form_change_after_submission(current, removed, "/form"));

  auto moved = current;
  std::swap(moved["sections"][1], moved["sections"][2]);
  EXPECT_TRUE(check_form_change_after_submission(current, moved, "/form"));

  auto group_grows = current;
  group_grows["sections"][0]["fields"][9]["fields"].push_back(
      {{"id", "website"}, {"type", "url"}, {"labels", {{"en", "Website"}}}});
  EXPECT_FALSE(check_form_change_after_submission(current, group_grows, "/form"));
}

TEST(form, the_call_request_schemas_carry_the_form_definition_unchanged) {
  const auto dir = std::string(CASECALL_PROTO_SCHEMAS);
  const auto form = read_json(dir + "/form-definition.json");
  for (const char* file : {"/call-create-request.json", "/call-update-request.json"}) {
    const auto call = read_json(dir + file);
    EXPECT_EQ(call["definitions"]["form"]["properties"], form["properties"]) << file;
    for (const char* name : {"section", "field", "option", "visible_when"}) {
      EXPECT_EQ(call["definitions"][name], form["definitions"][name]) << file << " " << name;
    }
  }
}

}  // namespace
