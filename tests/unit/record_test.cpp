// A round's decision record: built from the rubric, the reviews, the method and the decisions,
// hashed over its canonical form, and verified against the reviews as they are later — a
// changed score, a review gone or added, or a record edited after the fact is named.
#include "review/domain/record.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace casecall::review::domain {
namespace {

using json = nlohmann::json;

json two_criteria() {
  auto criterion = [](std::string id, int weight) {
    return json{{"id", id}, {"labels", {{"en", id}}}, {"weight", weight}, {"scale", {{"min", 1}, {"max", 10}}}};
  };
  return json{{"criteria", {criterion("results", 60), criterion("innovation", 40)}}};
}

const round_facts round{"r-1", "call-1", "scoring", "2026-11-30T12:00:00Z"};

std::vector<scored_review> reviews() {
  std::vector<scored_review> out;
  const std::vector<std::string> judges = {"j-fao", "j-wfp", "j-adb"};
  const std::vector<std::string> cases = {"GS7-0001", "GS7-0002", "GS7-0003", "GS7-0004"};
  int k = 0;
  for (const auto& c : cases) {
    for (const auto& j : judges) {
      out.push_back({j, c, {{"results", 2 + (k * 7) % 9}, {"innovation", 1 + (k * 5) % 10}}});
      ++k;
    }
  }
  return out;
}

std::vector<decision> decisions() {
  return {{"GS7-0002", "accept", "Strong, measured results."}, {"GS7-0004", "reject", "No evidence of results."}};
}

std::vector<std::string> whats(const std::vector<mismatch>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.what);
  return out;
}

TEST(decision_record, holds_every_score_the_method_the_ranking_and_the_decisions_under_its_hash) {
  const auto record = build_record(round, two_criteria(), reviews(), {}, decisions());
  EXPECT_EQ(record["format"], "casecall-decision-record/1");
  EXPECT_EQ(record["reviews"].size(), 12u);
  EXPECT_EQ(record["ranking"].size(), 4u);
  EXPECT_EQ(record["ranking"][0]["rank"], 1);
  EXPECT_EQ(record["method"]["name"], "z_score");
  EXPECT_EQ(record["method"]["shrinkage"], 3.0);
  EXPECT_EQ(record["decisions"][0]["decision"], "accept");
  EXPECT_EQ(record["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(record["sha256"], record_hash(record));
  // Raw and calibrated side by side.
  EXPECT_TRUE(record["ranking"][0].contains("raw_mean"));
  EXPECT_TRUE(record["ranking"][0].contains("calibrated"));
  // The same content in another order is the same record.
  auto shuffled = reviews();
  std::reverse(shuffled.begin(), shuffled.end());
  EXPECT_EQ(build_record(round, two_criteria(), shuffled, {}, decisions())["sha256"], record["sha256"]);
  // Through text and back (as stored), it still verifies.
  const auto stored = json::parse(record.dump());
  EXPECT_TRUE(verify_record(stored, reviews()).empty());
}

TEST(decision_record, a_score_changed_afterwards_is_named_and_the_ranking_no_longer_recomputes) {
  const auto record = json::parse(build_record(round, two_criteria(), reviews(), {}, decisions()).dump());
  auto now = reviews();
  now[4].scores["results"] = 10;  // GS7-0002 by j-wfp
  const auto found = verify_record(record, now);
  EXPECT_EQ(whats(found), (std::vector<std::string>{"score", "ranking"}));
  EXPECT_NE(found[0].detail.find("GS7-0002 by j-wfp gave results"), std::string::npos) << found[0].detail;
  EXPECT_NE(found[0].detail.find("it is 10 now"), std::string::npos) << found[0].detail;
}

TEST(decision_record, a_review_removed_or_added_or_the_record_edited_is_named) {
  const auto record = build_record(round, two_criteria(), reviews(), {}, decisions());
  auto fewer = reviews();
  fewer.pop_back();
  EXPECT_EQ(whats(verify_record(record, fewer)).front(), "review_missing");
  auto more = reviews();
  more.push_back({"j-ilo", "GS7-0001", {{"results", 5}, {"innovation", 5}}});
  EXPECT_EQ(whats(verify_record(record, more)).front(), "review_added");
  auto edited = record;
  edited["decisions"][1]["decision"] = "accept";
  EXPECT_EQ(whats(verify_record(edited, reviews())), (std::vector<std::string>{"hash"}));
}

TEST(decision_record, reviews_that_do_not_fit_the_rubric_and_bad_decisions_are_refused) {
  auto bad = reviews();
  bad[0].scores["results"] = 11;
  EXPECT_THROW(build_record(round, two_criteria(), bad, {}, decisions()), std::invalid_argument);
  auto partial = reviews();
  partial[0].scores.erase("innovation");
  EXPECT_THROW(build_record(round, two_criteria(), partial, {}, decisions()), std::invalid_argument);
  EXPECT_THROW(build_record(round, two_criteria(), reviews(), {}, {{"GS7-0001", "maybe", ""}}), std::invalid_argument);
  EXPECT_THROW(build_record(round, two_criteria(), reviews(), {}, {{"GS7-0099", "accept", ""}}), std::invalid_argument);
}

}  // namespace
}  // namespace casecall::review::domain
