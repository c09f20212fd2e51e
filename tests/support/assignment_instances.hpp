// Generated assignment problems, for the solver's unit tests and its benchmark: judges spread
// round-robin over organisations, each with two themes and English plus one other language;
// one case in five lists one of the judges' organisations among its project's partners (every
// judge of that organisation is then in conflict with it); 10% of the judge–case pairs carry a
// declared conflict. Deterministic for a seed.
#pragma once

#include "review/domain/assignment.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace casecall::testing {

struct assignment_instance {
  review::assignment::problem p;
  std::size_t declared = 0;        // declared conflicts
  std::size_t organisational = 0;  // conflicts through a partner organisation
};

inline assignment_instance generated_assignment(std::uint32_t seed, std::size_t n_cases = 800, std::size_t n_judges = 60,
                                                int capacity = 45, std::size_t n_organisations = 8) {
  static const std::vector<std::string> known = {"IPRCC", "World Bank", "FAO", "IFAD", "WFP", "ADB", "UNDP", "ILO"};
  static const std::vector<std::string> themes = {"agriculture", "finance", "health",  "education",
                                                  "water",       "energy",  "digital", "social protection"};
  static const std::vector<std::string> languages = {"en", "fr", "es", "zh", "ar"};
  std::vector<std::string> organisations;
  for (std::size_t o = 0; o < n_organisations; ++o) {
    organisations.push_back(o < known.size() ? known[o] : "Organisation " + std::to_string(o + 1));
  }
  std::mt19937 rng(seed);
  auto pick = [&rng](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  assignment_instance in;
  auto& p = in.p;
  for (std::size_t j = 0; j < n_judges; ++j) {
    p.judges.push_back({"judge-" + std::to_string(j), organisations[j % organisations.size()], capacity,
                        {pick(themes), pick(themes)}, {"en", pick(languages)}});
  }
  // Conflicts as a bitmap first (n_cases × n_judges), then listed: a set of pairs would be slow
  // at 10,000 × 500.
  std::vector<bool> conflict(n_cases * n_judges, false);
  for (std::size_t c = 0; c < n_cases; ++c) {
    p.cases.push_back({"GS7-" + std::to_string(c + 1), {pick(themes)}, pick(languages)});
    if (rng() % 5 == 0) {
      const auto partner = pick(organisations);
      for (std::size_t j = 0; j < n_judges; ++j) {
        if (p.judges[j].organisation == partner) {
          conflict[c * n_judges + j] = true;
          ++in.organisational;
        }
      }
    }
  }
  std::bernoulli_distribution declared(0.10);
  for (std::size_t c = 0; c < n_cases; ++c) {
    for (std::size_t j = 0; j < n_judges; ++j) {
      if (declared(rng) && !conflict[c * n_judges + j]) {
        conflict[c * n_judges + j] = true;
        ++in.declared;
      }
    }
  }
  for (std::size_t c = 0; c < n_cases; ++c) {
    for (std::size_t j = 0; j < n_judges; ++j) {
      if (conflict[c * n_judges + j]) p.conflicts.push_back({j, c});
    }
  }
  return in;
}

}  // namespace casecall::testing
