// Calibration: a lenient and a harsh judge count the same once calibrated (the dataset is
// tests/fixtures/calibration/lenient-and-harsh.json), the rank method hears only each judge's
// order, ties are broken as documented, split cases are flagged, and Krippendorff's alpha
// matches Krippendorff's own worked example.
#include "review/domain/calibration.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace casecall::review::calibration {
namespace {

using json = nlohmann::json;

json fixture() {
  std::ifstream in(std::string(CASECALL_FIXTURES) + "/calibration/lenient-and-harsh.json");
  return json::parse(in);
}

std::vector<review> reviews_of(const json& data) {
  std::vector<review> out;
  for (const auto& r : data["reviews"]) out.push_back({r["judge"], r["case_id"], r["score"]});
  return out;
}

std::vector<std::string> order_of(const result& r) {
  std::vector<std::string> ids;
  for (const auto& c : r.ranking) ids.push_back(c.case_id);
  return ids;
}

TEST(calibration, the_calibrated_ranking_recovers_the_true_order_where_the_raw_mean_does_not) {
  const auto data = fixture();
  const auto truth = data["true_order"].get<std::vector<std::string>>();
  const auto r = calibrate(reviews_of(data));
  EXPECT_EQ(order_of(r), truth);
  // The raw mean, side by side in the same result, gets it wrong.
  auto by_raw = r.ranking;
  std::sort(by_raw.begin(), by_raw.end(), [](const case_result& a, const case_result& b) {
    return a.raw_mean != b.raw_mean ? a.raw_mean > b.raw_mean : a.case_id < b.case_id;
  });
  std::vector<std::string> raw_order;
  for (const auto& c : by_raw) raw_order.push_back(c.case_id);
  EXPECT_NE(raw_order, truth);
  // The judges' measures show who is lenient and who is harsh.
  auto judge = [&r](const std::string& id) {
    return *std::find_if(r.judges.begin(), r.judges.end(), [&](const judge_result& j) { return j.judge == id; });
  };
  EXPECT_GT(judge("lenient").mean, judge("fair-1").mean + 1.0);
  EXPECT_LT(judge("harsh").mean, judge("fair-1").mean - 1.0);
  EXPECT_EQ(judge("lenient").reviews, 6);
  // Shrinkage pulls each judge's mean towards the panel's.
  EXPECT_LT(judge("lenient").calibrated_mean, judge("lenient").mean);
  EXPECT_GT(judge("lenient").calibrated_mean, r.panel_mean);
  EXPECT_EQ(r.used.how, method::z_score);
  EXPECT_DOUBLE_EQ(r.used.shrinkage, 3.0);
}

TEST(calibration, z_scores_follow_the_documented_formula) {
  // Judge a: 2 reviews (4, 8); judge b: 1 review (6). Panel: mean 6, sd sqrt(8/3).
  const std::vector<review> rs = {{"a", "c1", 4}, {"a", "c2", 8}, {"b", "c1", 6}};
  const auto r = calibrate(rs, {.how = method::z_score, .shrinkage = 1.0, .disagreement_threshold = 100});
  const double M = 6;
  const double S = std::sqrt(8.0 / 3.0);
  EXPECT_NEAR(r.panel_mean, M, 1e-12);
  EXPECT_NEAR(r.panel_sd, S, 1e-12);
  // a: mean 6, sd 2 → shrunk mean (2·6 + 6)/3 = 6, var (2·4 + 8/3)/3.
  const double sd_a = std::sqrt((2 * 4 + 8.0 / 3.0) / 3);
  // b: mean 6, sd 0 → shrunk sd sqrt((0 + 8/3)/2).
  const auto& c1 = *std::find_if(r.ranking.begin(), r.ranking.end(), [](const case_result& c) { return c.case_id == "c1"; });
  const auto& c2 = *std::find_if(r.ranking.begin(), r.ranking.end(), [](const case_result& c) { return c.case_id == "c2"; });
  EXPECT_NEAR(c2.calibrated, M + S * (8 - 6) / sd_a, 1e-9);
  EXPECT_NEAR(c1.calibrated, ((M + S * (4 - 6) / sd_a) + M) / 2, 1e-9);
  EXPECT_NEAR(c1.raw_mean, 5, 1e-12);
  EXPECT_EQ(c1.reviews, 2);
}

TEST(calibration, the_rank_method_hears_only_each_judges_order) {
  auto rs = reviews_of(fixture());
  const auto before = calibrate(rs, {.how = method::rank});
  // Squeeze the harsh judge's scores and stretch the lenient one's: their orders stay.
  for (auto& r : rs) {
    if (r.judge == "harsh") r.score = 1 + r.score / 3;
    if (r.judge == "lenient") r.score = r.score * r.score;
  }
  const auto after = calibrate(rs, {.how = method::rank});
  ASSERT_EQ(before.ranking.size(), after.ranking.size());
  for (std::size_t i = 0; i < before.ranking.size(); ++i) {
    EXPECT_EQ(before.ranking[i].case_id, after.ranking[i].case_id);
    EXPECT_NEAR(before.ranking[i].calibrated, after.ranking[i].calibrated, 1e-9);
  }
  // Percentiles on 0..100: a judge's best of six is at (6 − ½)/6.
  for (const auto& c : before.ranking) {
    EXPECT_GT(c.calibrated, 0);
    EXPECT_LT(c.calibrated, 100);
  }
}

TEST(calibration, ties_go_to_the_higher_raw_mean_then_more_reviews_then_the_smaller_id) {
  // With the rank method every judge's single review is at the 50th percentile: all tie.
  const std::vector<review> rs = {{"a", "x", 7}, {"b", "y", 9}, {"c", "z", 9}, {"d", "z", 9}, {"e", "w", 9}, {"f", "w", 9}};
  const auto r = calibrate(rs, {.how = method::rank});
  EXPECT_EQ(order_of(r), (std::vector<std::string>{"w", "z", "y", "x"}));
  EXPECT_EQ(r.ranking[0].rank, 1);
  EXPECT_EQ(r.ranking[3].rank, 4);
}

TEST(calibration, a_case_whose_judges_disagree_beyond_the_threshold_is_flagged) {
  const std::vector<review> rs = {{"a", "split", 2}, {"b", "split", 9}, {"a", "calm", 6}, {"b", "calm", 6},
                                  {"a", "other", 5}, {"b", "other", 4}};
  const auto r = calibrate(rs, {.how = method::z_score, .shrinkage = 3, .disagreement_threshold = 1.5});
  for (const auto& c : r.ranking) {
    EXPECT_EQ(c.flagged, c.case_id == "split") << c.case_id << " spread " << c.spread << ", sd " << r.calibrated_sd;
  }
  // The threshold is in standard deviations of the calibrated scores, so the rank method
  // flags the same split.
  const auto by_rank = calibrate(rs, {.how = method::rank, .disagreement_threshold = 1.5});
  for (const auto& c : by_rank.ranking) EXPECT_EQ(c.flagged, c.case_id == "split") << c.case_id;
}

TEST(calibration, krippendorffs_alpha_matches_his_worked_example) {
  // Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units,
  // interval alpha = 0.849.
  const std::vector<std::vector<double>> units = {{1, 1, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3},
                                                  {2, 2, 2, 2}, {1, 2, 3, 4}, {4, 4, 4, 4}, {1, 1, 2, 1},
                                                  {2, 2, 2, 2}, {5, 5, 5}, {1, 1}, {3}};
  const auto alpha = krippendorff_alpha_interval(units);
  ASSERT_TRUE(alpha);
  EXPECT_NEAR(*alpha, 0.849, 0.0005);
  EXPECT_NEAR(*krippendorff_alpha_interval({{1, 1}, {5, 5}, {3, 3}}), 1.0, 1e-12);
  EXPECT_FALSE(krippendorff_alpha_interval({{3, 3}, {3, 3}}));  // no variation: undefined
  EXPECT_FALSE(krippendorff_alpha_interval({{3}, {4}}));        // nothing pairable
  // The result carries the alpha of the raw scores.
  const auto r = calibrate(reviews_of(fixture()));
  ASSERT_TRUE(r.alpha);
  EXPECT_GT(*r.alpha, 0.5);
  EXPECT_LT(*r.alpha, 1.0);
}

TEST(calibration, bad_input_is_refused) {
  EXPECT_THROW(calibrate({{"a", "c", std::numeric_limits<double>::quiet_NaN()}}), std::invalid_argument);
  EXPECT_THROW(calibrate({{"a", "c", 5}, {"a", "c", 6}}), std::invalid_argument);
  EXPECT_THROW(calibrate({{"a", "c", 5}}, {.shrinkage = -1}), std::invalid_argument);
  EXPECT_THROW(calibrate({{"a", "c", 5}}, {.disagreement_threshold = -1}), std::invalid_argument);
  EXPECT_TRUE(calibrate({}).ranking.empty());
}

}  // namespace
}  // namespace casecall::review::calibration
