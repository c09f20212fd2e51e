// A scoring round's rubric: valid against proto/schemas/rubric.json, then the rules the schema
// cannot state (unique ids, weights adding up to 100, levels within their scale); a review's
// scores against it; the weighted score as documented.
#include "http/json_schema.hpp"
#include "review/domain/rubric.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace casecall::review::domain {
namespace {

using json = nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// The Global Solicitation's criteria, as the demo will use them.
json gs7_rubric() {
  auto criterion = [](std::string id, std::string en, std::string fr, int weight) {
    return json{{"id", id},
                {"labels", {{"en", en}, {"fr", fr}}},
                {"guidance", {{"en", "Look for evidence, not claims."}}},
                {"weight", weight},
                {"scale",
                 {{"min", 1},
                  {"max", 10},
                  {"levels",
                   {{{"value", 1}, {"descriptions", {{"en", "No evidence"}}}},
                    {{"value", 5}, {"descriptions", {{"en", "Some evidence"}}}},
                    {{"value", 10}, {"descriptions", {{"en", "Strong, measured evidence"}}}}}}}}};
  };
  return json{{"criteria",
               {criterion("results", "Results", "Résultats", 30), criterion("innovation", "Innovation", "Innovation", 20),
                criterion("sustainability", "Sustainability", "Durabilité", 25),
                criterion("replicability", "Replicability", "Reproductibilité", 25)}},
              {"confidence", true}};
}

std::vector<std::string> fields_and_codes(const std::vector<http::field_error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field + " " + e.code);
  return out;
}

TEST(rubric, the_demo_rubric_is_valid_against_its_schema_and_its_rules) {
  const http::json_schema schema(read_json(std::string(CASECALL_PROTO_SCHEMAS) + "/rubric.json"));
  EXPECT_TRUE(schema.validate(gs7_rubric()).empty());
  EXPECT_TRUE(check_rubric(gs7_rubric(), "/rubric").empty());
  const auto r = parse_rubric(gs7_rubric());
  ASSERT_EQ(r.criteria.size(), 4u);
  EXPECT_EQ(r.criteria[0].id, "results");
  EXPECT_EQ(r.criteria[0].weight, 30);
  EXPECT_TRUE(r.confidence);
  // The schema itself refuses a weight of 0, an unknown key, a criterion without a scale.
  auto bad = gs7_rubric();
  bad["criteria"][0]["weight"] = 0;
  bad["criteria"][1]["colour"] = "red";
  bad["criteria"][2].erase("scale");
  EXPECT_EQ(schema.validate(bad).size(), 3u);
}

TEST(rubric, weights_that_do_not_add_up_to_100_duplicates_and_bad_scales_are_refused) {
  auto r = gs7_rubric();
  r["criteria"][0]["weight"] = 20;  // 90 in all
  r["criteria"][1]["id"] = "results";
  r["criteria"][2]["scale"]["min"] = 10;  // 10–10
  r["criteria"][3]["scale"]["levels"].push_back({{"value", 11}, {"descriptions", {{"en", "Beyond"}}}});
  r["criteria"][3]["scale"]["levels"].push_back({{"value", 5}, {"descriptions", {{"en", "Again"}}}});
  const auto errors = check_rubric(r, "/rubric");
  EXPECT_EQ(fields_and_codes(errors),
            (std::vector<std::string>{"/rubric/criteria/1/id duplicate",
                                      "/rubric/criteria/2/scale out_of_range",
                                      "/rubric/criteria/2/scale/levels/0/value out_of_range",
                                      "/rubric/criteria/2/scale/levels/1/value out_of_range",
                                      "/rubric/criteria/3/scale/levels/3/value out_of_range",
                                      "/rubric/criteria/3/scale/levels/4/value duplicate",
                                      "/rubric/criteria weights_sum"}));
  EXPECT_EQ(errors.back().message, "The weights add up to 90; they must add up to exactly 100.");
}

TEST(rubric, scores_outside_the_scale_unknown_criteria_and_fractions_are_refused_and_a_submission_needs_all) {
  const auto r = parse_rubric(gs7_rubric());
  const json draft = {{"results", 7}, {"innovation", 11}, {"charisma", 5}, {"sustainability", 6.5}};
  const auto errors = check_scores(r, draft, false, "/scores");
  EXPECT_EQ(fields_and_codes(errors), (std::vector<std::string>{"/scores/charisma unknown_criterion",
                                                                "/scores/innovation out_of_scale",
                                                                "/scores/sustainability not_integer"}));
  const auto scale = std::find_if(errors.begin(), errors.end(), [](const auto& e) { return e.code == "out_of_scale"; });
  EXPECT_EQ(scale->message, "The score 11 is outside the scale 1–10.");
  // A draft may leave criteria out; a submission may not.
  EXPECT_TRUE(check_scores(r, json{{"results", 7}}, false, "/scores").empty());
  EXPECT_EQ(fields_and_codes(check_scores(r, json{{"results", 7}}, true, "/scores")),
            (std::vector<std::string>{"/scores/innovation missing", "/scores/sustainability missing",
                                      "/scores/replicability missing"}));
  EXPECT_EQ(fields_and_codes(check_scores(r, json::array(), false, "/scores")), (std::vector<std::string>{"/scores not_object"}));
}

TEST(rubric, the_weighted_score_is_on_0_to_10_whatever_each_criterions_scale) {
  const auto r = parse_rubric(gs7_rubric());
  EXPECT_DOUBLE_EQ(weighted_score(r, {{"results", 10}, {"innovation", 10}, {"sustainability", 10}, {"replicability", 10}}), 10.0);
  EXPECT_DOUBLE_EQ(weighted_score(r, {{"results", 1}, {"innovation", 1}, {"sustainability", 1}, {"replicability", 1}}), 0.0);
  // results at 10 alone: 30% of 10.
  EXPECT_NEAR(weighted_score(r, {{"results", 10}, {"innovation", 1}, {"sustainability", 1}, {"replicability", 1}}), 3.0, 1e-12);
  // A criterion on 0–4 counts by its own scale: 2 of 4 is half way.
  auto mixed = gs7_rubric();
  mixed["criteria"][1]["scale"] = {{"min", 0}, {"max", 4}};
  const auto m = parse_rubric(mixed);
  EXPECT_NEAR(weighted_score(m, {{"results", 1}, {"innovation", 2}, {"sustainability", 1}, {"replicability", 1}}), 1.0, 1e-12);
}

}  // namespace
}  // namespace casecall::review::domain
