// Assigning judges to cases: every case gets k judges from at least m organisations, no judge
// reaches a case they have a conflict with, no judge gets more than their capacity, loads are
// as even as the rest allows, and among equal loads a judge who knows the case's theme and
// reads its language is preferred. Deterministic for a given seed; incremental (assignments
// already made are kept and counted). When not every case can be served, the report names
// each case left short and the constraint that stopped it.
//
// Solved as one min-cost flow (LEMON's cost scaling, in assignment.cpp, which is compiled as
// C++17 because LEMON 1.3's headers are not C++20): source → judge (one arc per further case,
// each dearer than the last, so that even loads are cheapest) → (case, organisation) → case →
// sink. The (case, organisation) node lets at most k − m + 1 judges of one organisation reach a
// case, which is exactly "at least m organisations" when m = 2 or m = k; for other m a case may
// end with fewer, and is reported. An arc from the source straight to each case, at a cost no
// judge's arc comes near, keeps the problem feasible: the cases that use it are the ones left
// short. This header is plain C++ usable from C++17 and C++20.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace casecall::review::assignment {

struct judge {
  std::string id;
  std::string organisation;  // the organisation the judge is affiliated with
  int capacity = 0;          // the most cases in the round, counting those kept
  std::vector<std::string> themes;
  std::vector<std::string> languages;
};

struct case_entry {
  std::string id;
  std::vector<std::string> themes;
  std::string language;
  // A case that is not open takes no new judges and is never reported short; its kept pairs
  // still count toward the judges' loads. (An administrator asking for judges for some
  // cases only.) A case keeping k judges or more takes none either.
  bool open = true;
};

// (judge index, case index)
using pair = std::pair<std::size_t, std::size_t>;

struct problem {
  std::vector<case_entry> cases;
  std::vector<judge> judges;
  int k = 3;  // judges per case
  int m = 2;  // distinct organisations per case, 1..k
  std::uint64_t seed = 1;
  // Pairs that may not be assigned: conflicts of every kind (organisational and declared),
  // worked out by the caller.
  std::vector<pair> conflicts;
  // Pairs assigned already, kept as they are: they count toward k, the organisations, the
  // judge's capacity and load. A kept pair that is also a conflict is an error.
  std::vector<pair> kept;
  // How many judges each case is offered (the best by preference, spread over the
  // organisations); 0 offers every judge without a conflict. Cases left short are solved
  // again with every judge offered before anything is reported.
  std::size_t candidates_per_case = 60;
};

struct shortfall {
  std::size_t case_index = 0;
  int assigned = 0;        // judges the case has, kept ones included
  int organisations = 0;   // distinct organisations among them
  std::string constraint;  // "conflicts", "organisations" or "capacity"
  std::string detail;      // a sentence for the administrator
};

struct solution {
  std::vector<std::vector<std::size_t>> judges_of_case;  // per case, judge indices, ascending
  std::vector<int> load;                                  // per judge, kept ones included
  std::vector<pair> added;                                // the new pairs, by case then judge
  std::vector<shortfall> shortfalls;                      // empty: every case is served
  std::int64_t preference_cost = 0;  // sum over new pairs of how poorly judge and case match
};

// Throws std::invalid_argument for a malformed problem (k or m out of range, an index out of
// range, a kept pair that is a conflict or beyond capacity, a repeated judge or case id).
// A case may keep more than k judges (k lowered since): it takes none.
solution solve(const problem& p);

}  // namespace casecall::review::assignment
