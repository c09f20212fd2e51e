// The assignment solver on generated instances: the call's constraints hold (k judges from at
// least m organisations, no conflicts, capacities), loads are even, the result depends only on
// the seed, kept assignments stay, and an instance that cannot be served says which cases and
// why.
#include "review/domain/assignment.hpp"
#include "assignment_instances.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

namespace casecall::review::assignment {
namespace {

void expect_valid(const problem& p, const solution& s) {
  std::set<pair> conflicts(p.conflicts.begin(), p.conflicts.end());
  std::vector<int> load(p.judges.size(), 0);
  ASSERT_EQ(s.judges_of_case.size(), p.cases.size());
  for (std::size_t c = 0; c < p.cases.size(); ++c) {
    const auto& js = s.judges_of_case[c];
    EXPECT_EQ(js.size(), static_cast<std::size_t>(p.k)) << p.cases[c].id;
    EXPECT_EQ(std::set<std::size_t>(js.begin(), js.end()).size(), js.size()) << p.cases[c].id << ": a judge twice";
    std::set<std::string> orgs;
    for (auto j : js) {
      orgs.insert(p.judges[j].organisation);
      EXPECT_FALSE(conflicts.count({j, c})) << p.judges[j].id << " on " << p.cases[c].id << " despite a conflict";
      ++load[j];
    }
    EXPECT_GE(orgs.size(), static_cast<std::size_t>(p.m)) << p.cases[c].id;
  }
  EXPECT_EQ(load, s.load);
  for (std::size_t j = 0; j < p.judges.size(); ++j) EXPECT_LE(load[j], p.judges[j].capacity) << p.judges[j].id;
}

TEST(assignment, the_generated_instance_gets_three_judges_from_two_organisations_per_case_with_even_loads) {
  auto in = casecall::testing::generated_assignment(7);
  EXPECT_GT(in.organisational, 1'000u);  // the instance really has both kinds of conflict
  EXPECT_GT(in.declared, 4'000u);
  const auto s = solve(in.p);
  EXPECT_TRUE(s.shortfalls.empty()) << s.shortfalls.size() << " short, first: " << s.shortfalls[0].detail;
  expect_valid(in.p, s);
  // 2,400 places over 60 judges: 40 each, within one of each other.
  const auto [least, most] = std::minmax_element(s.load.begin(), s.load.end());
  EXPECT_LE(*most - *least, 1) << "loads from " << *least << " to " << *most;
  EXPECT_EQ(s.added.size(), 2'400u);
}

TEST(assignment, the_same_seed_gives_the_same_assignment_and_another_seed_another_valid_one) {
  auto in = casecall::testing::generated_assignment(11, 200, 30, 25);
  in.p.seed = 42;
  const auto first = solve(in.p);
  const auto again = solve(in.p);
  EXPECT_EQ(first.added, again.added);
  in.p.seed = 43;
  const auto other = solve(in.p);
  expect_valid(in.p, other);
  EXPECT_NE(first.added, other.added);
}

TEST(assignment, a_judge_who_matches_the_theme_and_reads_the_language_is_preferred) {
  problem p;
  p.k = 2;
  p.m = 1;
  p.cases = {{"GS7-1", {"water"}, "fr"}};
  p.judges = {{"a", "FAO", 1, {"finance"}, {"en"}},
              {"b", "FAO", 1, {"water"}, {"fr"}},
              {"c", "WFP", 1, {"health"}, {"en"}},
              {"d", "WFP", 1, {"water", "energy"}, {"en", "fr"}}};
  const auto s = solve(p);
  EXPECT_EQ(s.judges_of_case[0], (std::vector<std::size_t>{1, 3}));
}

TEST(assignment, kept_assignments_stay_and_a_withdrawn_judge_is_replaced_on_their_cases_only) {
  auto in = casecall::testing::generated_assignment(3, 300, 40, 30);
  const auto first = solve(in.p);
  ASSERT_TRUE(first.shortfalls.empty());
  // Judge 5 withdraws: the problem loses them (as a conflict with everything), every other
  // pair is kept.
  const std::size_t gone = 5;
  auto next = in.p;
  std::size_t theirs = 0;
  for (std::size_t c = 0; c < next.cases.size(); ++c) {
    next.conflicts.push_back({gone, c});
    for (auto j : first.judges_of_case[c]) {
      if (j == gone) {
        ++theirs;
      } else {
        next.kept.push_back({j, c});
      }
    }
  }
  ASSERT_GT(theirs, 0u);
  const auto second = solve(next);
  EXPECT_TRUE(second.shortfalls.empty());
  expect_valid(next, second);
  EXPECT_EQ(second.added.size(), theirs);
  for (const auto& [j, c] : second.added) {
    const auto& before = first.judges_of_case[c];
    EXPECT_NE(std::find(before.begin(), before.end(), gone), before.end()) << "case " << c << " was not judge 5's";
  }
  for (const auto& kept : next.kept) {
    const auto& now = second.judges_of_case[kept.second];
    EXPECT_NE(std::find(now.begin(), now.end(), kept.first), now.end());
  }
}

TEST(assignment, only_open_cases_take_judges_and_the_others_still_count_toward_loads) {
  auto in = casecall::testing::generated_assignment(5, 120, 20, 30);
  in.p.k = 2;
  const auto first = solve(in.p);
  ASSERT_TRUE(first.shortfalls.empty());
  // One more judge for three cases only: k becomes 3, the rest are not open.
  auto next = in.p;
  next.k = 3;
  for (std::size_t c = 0; c < next.cases.size(); ++c) {
    for (auto j : first.judges_of_case[c]) next.kept.push_back({j, c});
    next.cases[c].open = c == 7 || c == 42 || c == 99;
  }
  const auto second = solve(next);
  EXPECT_TRUE(second.shortfalls.empty());
  ASSERT_EQ(second.added.size(), 3u);
  std::set<std::size_t> served;
  for (const auto& [j, c] : second.added) {
    served.insert(c);
    const auto& before = first.judges_of_case[c];
    EXPECT_EQ(std::find(before.begin(), before.end(), j), before.end()) << "a judge twice on case " << c;
  }
  EXPECT_EQ(served, (std::set<std::size_t>{7, 42, 99}));
  for (std::size_t c = 0; c < next.cases.size(); ++c) {
    EXPECT_EQ(second.judges_of_case[c].size(), served.count(c) ? 3u : 2u) << c;
  }
  // Loads include the kept pairs of cases that took nothing.
  EXPECT_EQ(std::accumulate(second.load.begin(), second.load.end(), 0), 120 * 2 + 3);
  // A case keeping more than k (k lowered since) takes nothing and is not short.
  next.k = 1;
  next.m = 1;
  for (auto& c : next.cases) c.open = true;
  const auto third = solve(next);
  EXPECT_TRUE(third.added.empty());
  EXPECT_TRUE(third.shortfalls.empty());
}

TEST(assignment, an_instance_that_cannot_be_served_names_each_short_case_and_the_constraint) {
  problem p;
  p.k = 3;
  p.m = 2;
  p.judges = {{"a1", "FAO", 1, {}, {}}, {"a2", "FAO", 1, {}, {}}, {"a3", "FAO", 1, {}, {}},
              {"b1", "WFP", 1, {}, {}}, {"b2", "WFP", 1, {}, {}}, {"c1", "ADB", 1, {}, {}}};
  p.cases = {{"few-judges", {}, "en"}, {"one-organisation", {}, "en"}, {"ok-1", {}, "en"},
             {"ok-2", {}, "en"},       {"ok-3", {}, "en"}};
  // few-judges: everyone but a1 and b1 has a conflict. one-organisation: only FAO's judges are free.
  for (std::size_t j : std::vector<std::size_t>{1, 2, 4, 5}) p.conflicts.push_back({j, 0});
  for (std::size_t j : std::vector<std::size_t>{3, 4, 5}) p.conflicts.push_back({j, 1});
  // Capacity: 6 places in all, where the three other cases alone want 9.
  const auto s = solve(p);
  std::map<std::string, std::string> why;
  for (const auto& f : s.shortfalls) why[p.cases[f.case_index].id] = f.constraint;
  EXPECT_EQ(why["few-judges"], "conflicts");
  EXPECT_EQ(why["one-organisation"], "organisations");
  std::size_t capacity_short = 0;
  for (const auto& f : s.shortfalls) {
    if (f.constraint == "capacity") {
      ++capacity_short;
      EXPECT_LT(f.assigned, p.k);
      EXPECT_NE(f.detail.find("capacity"), std::string::npos) << f.detail;
    }
  }
  EXPECT_GE(capacity_short, 1u);
  for (const auto& f : s.shortfalls) EXPECT_FALSE(f.detail.empty());
  // What is assigned still keeps every rule but the count.
  std::set<pair> conflicts(p.conflicts.begin(), p.conflicts.end());
  for (std::size_t c = 0; c < p.cases.size(); ++c) {
    for (auto j : s.judges_of_case[c]) EXPECT_FALSE(conflicts.count({j, c}));
  }
  for (std::size_t j = 0; j < p.judges.size(); ++j) EXPECT_LE(s.load[j], 1);
  // A case that was served has judges from two organisations.
  for (std::size_t c = 2; c < 5; ++c) {
    if (s.judges_of_case[c].size() == 3) {
      std::set<std::string> orgs;
      for (auto j : s.judges_of_case[c]) orgs.insert(p.judges[j].organisation);
      EXPECT_GE(orgs.size(), 2u);
    }
  }
}

TEST(assignment, a_malformed_problem_is_refused) {
  problem p;
  p.judges = {{"a", "FAO", 1, {}, {}}};
  p.cases = {{"GS7-1", {}, "en"}};
  p.k = 1;
  p.m = 2;
  EXPECT_THROW(solve(p), std::invalid_argument);  // m > k
  p.m = 1;
  p.conflicts = {{0, 0}};
  p.kept = {{0, 0}};
  EXPECT_THROW(solve(p), std::invalid_argument);  // kept despite a conflict
  p.conflicts.clear();
  p.kept = {{0, 3}};
  EXPECT_THROW(solve(p), std::invalid_argument);  // no such case
  p.kept.clear();
  p.judges.push_back({"a", "WFP", 1, {}, {}});
  EXPECT_THROW(solve(p), std::invalid_argument);  // the same judge twice
}

}  // namespace
}  // namespace casecall::review::assignment
