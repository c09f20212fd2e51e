// The assignment solver (see assignment.hpp). Compiled as C++17: LEMON 1.3's headers use
// std::allocator::construct, which C++20 removed.
#include "review/domain/assignment.hpp"

#include <lemon/cost_scaling.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace casecall::review::assignment {

namespace {

// Costs. A judge's t-th case costs t × load_step, so that moving a case from a judge with two
// more cases to another always pays more than any preference can: loads come out within one
// of each other wherever the constraints allow. Preference (at most `base`) then decides among
// equal loads; the jitter, from the seed, breaks the remaining ties.
constexpr std::int64_t load_step = 1'000;
constexpr std::int64_t base = 500;
constexpr std::int64_t theme_bonus = 300;
constexpr std::int64_t language_bonus = 200;
constexpr std::int64_t jitter_range = 10;
// The arc from the source straight to a case: dearer than any path through a judge.
constexpr std::int64_t short_cost = 1'000'000'000;

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (char ch : text) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct prepared {
  explicit prepared(const problem& q) : p(q) {}
  const problem& p;
  std::size_t n_cases = 0;
  std::size_t n_judges = 0;
  std::vector<std::size_t> org_of_judge;
  std::size_t n_orgs = 0;
  std::vector<bool> blocked;  // n_cases × n_judges: a conflict, or kept already
  std::vector<bool> conflict;
  std::vector<int> kept_of_case;
  std::vector<int> load0;
  std::vector<std::map<std::size_t, int>> kept_orgs;  // per case: organisation → kept judges
  std::vector<std::uint64_t> case_hash;
  std::vector<std::uint64_t> judge_hash;

  std::size_t at(std::size_t c, std::size_t j) const { return c * n_judges + j; }

  // Themes and languages as numbers: a judge's as bit sets, a case's as lists.
  std::size_t words = 1;
  std::vector<std::uint64_t> judge_themes;     // n_judges × words
  std::vector<std::uint64_t> judge_languages;  // n_judges × words
  std::vector<std::vector<std::size_t>> case_themes;
  std::vector<std::size_t> case_language;      // npos: none
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  static bool has(const std::vector<std::uint64_t>& bits, std::size_t row, std::size_t words_per_row, std::size_t bit) {
    return (bits[row * words_per_row + bit / 64] >> (bit % 64)) & 1u;
  }

  std::int64_t preference(std::size_t c, std::size_t j) const {
    std::int64_t cost = base;
    for (auto t : case_themes[c]) {
      if (has(judge_themes, j, words, t)) {
        cost -= theme_bonus;
        break;
      }
    }
    if (case_language[c] != none && has(judge_languages, j, words, case_language[c])) cost -= language_bonus;
    return cost;
  }

  std::int64_t jitter(std::size_t c, std::size_t j) const {
    return static_cast<std::int64_t>(mix(p.seed ^ mix(case_hash[c] ^ mix(judge_hash[j]))) %
                                     static_cast<std::uint64_t>(jitter_range));
  }
};

prepared prepare(const problem& p) {
  if (p.k < 1) throw std::invalid_argument("k must be at least 1");
  if (p.m < 1 || p.m > p.k) throw std::invalid_argument("m must be between 1 and k");
  prepared s(p);
  s.n_cases = p.cases.size();
  s.n_judges = p.judges.size();
  std::set<std::string> ids;
  for (const auto& c : p.cases) {
    if (!ids.insert("c:" + c.id).second) throw std::invalid_argument("case " + c.id + " appears twice");
  }
  std::map<std::string, std::size_t> orgs;
  for (const auto& j : p.judges) {
    if (!ids.insert("j:" + j.id).second) throw std::invalid_argument("judge " + j.id + " appears twice");
    if (j.capacity < 0) throw std::invalid_argument("judge " + j.id + " has a negative capacity");
    auto [it, added] = orgs.emplace(j.organisation, orgs.size());
    s.org_of_judge.push_back(it->second);
    (void)added;
  }
  s.n_orgs = orgs.size();
  s.blocked.assign(s.n_cases * s.n_judges, false);
  s.conflict.assign(s.n_cases * s.n_judges, false);
  auto check = [&](const pair& pr, const char* what) {
    if (pr.first >= s.n_judges || pr.second >= s.n_cases) {
      throw std::invalid_argument(std::string(what) + " names a judge or case that is not in the problem");
    }
  };
  for (const auto& pr : p.conflicts) {
    check(pr, "a conflict");
    s.conflict[s.at(pr.second, pr.first)] = true;
    s.blocked[s.at(pr.second, pr.first)] = true;
  }
  s.kept_of_case.assign(s.n_cases, 0);
  s.load0.assign(s.n_judges, 0);
  s.kept_orgs.resize(s.n_cases);
  for (const auto& pr : p.kept) {
    check(pr, "a kept assignment");
    const auto [j, c] = pr;
    if (s.conflict[s.at(c, j)]) {
      throw std::invalid_argument("judge " + p.judges[j].id + " is kept on case " + p.cases[c].id + " despite a conflict");
    }
    if (s.blocked[s.at(c, j)]) {
      throw std::invalid_argument("judge " + p.judges[j].id + " is kept on case " + p.cases[c].id + " twice");
    }
    s.blocked[s.at(c, j)] = true;
    ++s.kept_of_case[c];
    ++s.load0[j];
    ++s.kept_orgs[c][s.org_of_judge[j]];
  }
  for (std::size_t j = 0; j < s.n_judges; ++j) {
    if (s.load0[j] > p.judges[j].capacity) {
      throw std::invalid_argument("judge " + p.judges[j].id + " keeps more cases than their capacity");
    }
  }
  for (const auto& c : p.cases) s.case_hash.push_back(fnv1a(c.id));
  for (const auto& j : p.judges) s.judge_hash.push_back(fnv1a(j.id));

  std::unordered_map<std::string, std::size_t> theme_ids;
  std::unordered_map<std::string, std::size_t> language_ids;
  for (const auto& j : p.judges) {
    for (const auto& t : j.themes) theme_ids.emplace(t, theme_ids.size());
    for (const auto& l : j.languages) language_ids.emplace(l, language_ids.size());
  }
  s.words = std::max<std::size_t>(1, (std::max(theme_ids.size(), language_ids.size()) + 63) / 64);
  s.judge_themes.assign(s.n_judges * s.words, 0);
  s.judge_languages.assign(s.n_judges * s.words, 0);
  for (std::size_t j = 0; j < s.n_judges; ++j) {
    for (const auto& t : p.judges[j].themes) {
      const auto id = theme_ids.at(t);
      s.judge_themes[j * s.words + id / 64] |= std::uint64_t{1} << (id % 64);
    }
    for (const auto& l : p.judges[j].languages) {
      const auto id = language_ids.at(l);
      s.judge_languages[j * s.words + id / 64] |= std::uint64_t{1} << (id % 64);
    }
  }
  for (const auto& c : p.cases) {
    std::vector<std::size_t> theme_list;
    for (const auto& t : c.themes) {
      auto it = theme_ids.find(t);
      if (it != theme_ids.end()) theme_list.push_back(it->second);  // a theme no judge has matches no one
    }
    s.case_themes.push_back(std::move(theme_list));
    auto it = language_ids.find(c.language);
    s.case_language.push_back(it == language_ids.end() ? prepared::none : it->second);
  }
  return s;
}

// The judges offered to case c, with the cost of their arc: every one without a conflict, or
// the cheapest, spread over the organisations.
struct offer {
  std::size_t judge;
  std::int64_t cost;
};

std::vector<offer> candidates(const prepared& s, std::size_t c, bool everyone) {
  std::vector<offer> all;
  for (std::size_t j = 0; j < s.n_judges; ++j) {
    if (!s.blocked[s.at(c, j)]) all.push_back({j, s.preference(c, j) + s.jitter(c, j)});
  }
  const auto limit = s.p.candidates_per_case;
  if (everyone || limit == 0 || all.size() <= limit) return all;
  std::vector<std::vector<offer>> by_org(s.n_orgs);
  for (const auto& o : all) by_org[s.org_of_judge[o.judge]].push_back(o);
  std::size_t orgs_present = 0;
  for (const auto& v : by_org) {
    if (!v.empty()) ++orgs_present;
  }
  const std::size_t per_org = std::max<std::size_t>(static_cast<std::size_t>(s.p.k), (limit + orgs_present - 1) / orgs_present);
  std::vector<offer> out;
  for (auto& v : by_org) {
    const auto keep = std::min(per_org, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep), v.end(), [](const offer& a, const offer& b) {
      return a.cost != b.cost ? a.cost < b.cost : a.judge < b.judge;
    });
    out.insert(out.end(), v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep));
  }
  std::sort(out.begin(), out.end(), [](const offer& a, const offer& b) { return a.judge < b.judge; });
  return out;
}

struct flow_result {
  std::vector<pair> added;
};

flow_result run_flow(const prepared& s, const std::vector<bool>& everyone) {
  const auto& p = s.p;
  using graph = lemon::SmartDigraph;
  graph g;
  const auto source = g.addNode();
  const auto sink = g.addNode();
  std::vector<graph::Node> judge_node;
  judge_node.reserve(s.n_judges);
  for (std::size_t j = 0; j < s.n_judges; ++j) judge_node.push_back(g.addNode());

  struct arc_info {
    graph::Arc arc;
    int upper;
    std::int64_t cost;
  };
  std::vector<arc_info> arcs;
  std::vector<std::pair<graph::Arc, pair>> choice_arcs;
  auto add = [&](graph::Node from, graph::Node to, int upper, std::int64_t cost) {
    auto a = g.addArc(from, to);
    arcs.push_back({a, upper, cost});
    return a;
  };

  for (std::size_t j = 0; j < s.n_judges; ++j) {
    for (int t = s.load0[j] + 1; t <= p.judges[j].capacity; ++t) add(source, judge_node[j], 1, t * load_step);
  }
  int total = 0;
  const int org_cap = p.k - p.m + 1;
  for (std::size_t c = 0; c < s.n_cases; ++c) {
    const int need = p.cases[c].open ? p.k - s.kept_of_case[c] : 0;
    if (need <= 0) continue;
    total += need;
    const auto case_node = g.addNode();
    add(case_node, sink, need, 0);
    add(source, case_node, need, short_cost);
    std::unordered_map<std::size_t, graph::Node> org_nodes;
    for (const auto& [j, arc_cost] : candidates(s, c, everyone[c])) {
      const auto o = s.org_of_judge[j];
      auto it = org_nodes.find(o);
      if (it == org_nodes.end()) {
        auto kept = s.kept_orgs[c].find(o);
        const int room = org_cap - (kept == s.kept_orgs[c].end() ? 0 : kept->second);
        if (room <= 0) continue;
        const auto node = g.addNode();
        add(node, case_node, room, 0);
        it = org_nodes.emplace(o, node).first;
      }
      auto a = add(judge_node[j], it->second, 1, arc_cost);
      choice_arcs.emplace_back(a, pair{j, c});
    }
  }

  graph::ArcMap<int> upper(g);
  graph::ArcMap<std::int64_t> cost(g);
  for (const auto& a : arcs) {
    upper[a.arc] = a.upper;
    cost[a.arc] = a.cost;
  }
  lemon::CostScaling<graph, int, std::int64_t> solver(g);
  solver.upperMap(upper).costMap(cost).stSupply(source, sink, total);
  if (solver.run() != decltype(solver)::OPTIMAL) throw std::logic_error("assignment flow not solved");
  flow_result out;
  for (const auto& [a, pr] : choice_arcs) {
    if (solver.flow(a) > 0) out.added.push_back(pr);
  }
  return out;
}

}  // namespace

solution solve(const problem& p) {
  const auto s = prepare(p);
  std::vector<bool> everyone(s.n_cases, false);

  auto assemble = [&](const flow_result& f) {
    solution sol;
    sol.judges_of_case.assign(s.n_cases, {});
    sol.load = s.load0;
    for (const auto& [j, c] : p.kept) sol.judges_of_case[c].push_back(j);
    for (const auto& [j, c] : f.added) {
      sol.judges_of_case[c].push_back(j);
      ++sol.load[j];
      sol.preference_cost += s.preference(c, j);
    }
    for (auto& v : sol.judges_of_case) std::sort(v.begin(), v.end());
    sol.added = f.added;
    std::sort(sol.added.begin(), sol.added.end(),
              [](const pair& a, const pair& b) { return a.second != b.second ? a.second < b.second : a.first < b.first; });
    return sol;
  };

  auto sol = assemble(run_flow(s, everyone));
  // Cases left short with only some judges offered: offer them everyone and solve again.
  bool retry = false;
  for (std::size_t c = 0; c < s.n_cases; ++c) {
    if (p.cases[c].open && static_cast<int>(sol.judges_of_case[c].size()) < p.k) {
      everyone[c] = true;
      retry = true;
    }
  }
  if (retry && p.candidates_per_case != 0) sol = assemble(run_flow(s, everyone));

  for (std::size_t c = 0; c < s.n_cases; ++c) {
    if (!p.cases[c].open) continue;
    const auto& mine = sol.judges_of_case[c];
    std::set<std::size_t> orgs;
    for (auto j : mine) orgs.insert(s.org_of_judge[j]);
    const int assigned = static_cast<int>(mine.size());
    const int distinct = static_cast<int>(orgs.size());
    if (assigned >= p.k && distinct >= p.m) continue;
    std::size_t free_judges = 0;
    std::set<std::size_t> free_orgs;
    for (std::size_t j = 0; j < s.n_judges; ++j) {
      if (s.conflict[s.at(c, j)]) continue;
      ++free_judges;
      free_orgs.insert(s.org_of_judge[j]);
    }
    shortfall f;
    f.case_index = c;
    f.assigned = assigned;
    f.organisations = distinct;
    const auto k = std::to_string(p.k);
    const auto m = std::to_string(p.m);
    if (free_judges < static_cast<std::size_t>(p.k)) {
      f.constraint = "conflicts";
      f.detail = "Only " + std::to_string(free_judges) + " judge(s) have no conflict with this case; it needs " + k + ".";
    } else if (free_orgs.size() < static_cast<std::size_t>(p.m)) {
      f.constraint = "organisations";
      f.detail = "The judges without a conflict come from " + std::to_string(free_orgs.size()) +
                 " organisation(s); the case needs judges from " + m + ".";
    } else if (assigned < p.k) {
      f.constraint = "capacity";
      f.detail = std::to_string(free_judges) + " judges have no conflict with this case, but the capacity of those it could take is used by other cases; it has " +
                 std::to_string(assigned) + " of " + k + ".";
    } else {
      f.constraint = "organisations";
      f.detail = "Its " + k + " judges come from " + std::to_string(distinct) + " organisation(s), not " + m +
                 ": at most " + std::to_string(p.k - p.m + 1) + " of one organisation does not ensure " + m + " when k is " + k + ".";
    }
    sol.shortfalls.push_back(std::move(f));
  }
  return sol;
}

}  // namespace casecall::review::assignment
