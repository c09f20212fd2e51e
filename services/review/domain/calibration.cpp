#include "review/domain/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace casecall::review::calibration {

namespace {

struct moments {
  double mean = 0;
  double sd = 0;
};

moments of(const std::vector<double>& xs) {
  if (xs.empty()) return {};
  const double mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(xs.size()))};
}

std::optional<double> pearson(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 3) return std::nullopt;
  const auto ma = of(a);
  const auto mb = of(b);
  if (ma.sd == 0 || mb.sd == 0) return std::nullopt;
  double cov = 0;
  for (std::size_t i = 0; i < a.size(); ++i) cov += (a[i] - ma.mean) * (b[i] - mb.mean);
  return cov / static_cast<double>(a.size()) / (ma.sd * mb.sd);
}

// Percentiles within one judge's scores: (mean rank − ½) / n, ties sharing their mean rank.
std::vector<double> percentiles(const std::vector<double>& xs) {
  std::vector<std::size_t> order(xs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return xs[a] < xs[b]; });
  std::vector<double> out(xs.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && xs[order[j]] == xs[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;  // 1-based
    for (std::size_t t = i; t < j; ++t) out[order[t]] = (mean_rank - 0.5) / static_cast<double>(xs.size());
    i = j;
  }
  return out;
}

}  // namespace

std::optional<double> krippendorff_alpha_interval(const std::vector<std::vector<double>>& units) {
  // D_o = (1/n) Σ_u (1/(m_u − 1)) Σ_{i≠j} (v_i − v_j)²,  D_e = (1/(n(n−1))) Σ_{i≠j over all} (v_i − v_j)²,
  // with Σ_{i≠j} (v_i − v_j)² = 2 (m Σv² − (Σv)²).
  double n = 0;
  double within = 0;
  double sum = 0;
  double sum_sq = 0;
  for (const auto& u : units) {
    if (u.size() < 2) continue;
    const double m = static_cast<double>(u.size());
    double s = 0;
    double s2 = 0;
    for (double v : u) {
      s += v;
      s2 += v * v;
    }
    within += 2 * (m * s2 - s * s) / (m - 1);
    n += m;
    sum += s;
    sum_sq += s2;
  }
  if (n < 2) return std::nullopt;
  const double all_pairs = 2 * (n * sum_sq - sum * sum);
  if (all_pairs <= 1e-12 * std::max(1.0, sum_sq)) return std::nullopt;
  const double observed = within / n;
  const double expected = all_pairs / (n * (n - 1));
  return 1.0 - observed / expected;
}

result calibrate(const std::vector<review>& reviews, const parameters& p) {
  if (!(p.shrinkage >= 0) || !std::isfinite(p.shrinkage)) throw std::invalid_argument("shrinkage must be 0 or more");
  if (!(p.disagreement_threshold >= 0)) throw std::invalid_argument("the disagreement threshold must be 0 or more");
  result out;
  out.used = p;

  // Index judges and cases in order of id, for a result that does not depend on input order.
  std::vector<std::string> judge_ids;
  std::vector<std::string> case_ids;
  for (const auto& r : reviews) {
    if (!std::isfinite(r.score)) throw std::invalid_argument("a score is not a finite number");
    judge_ids.push_back(r.judge);
    case_ids.push_back(r.case_id);
  }
  auto unique_sorted = [](std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique_sorted(judge_ids);
  unique_sorted(case_ids);
  std::unordered_map<std::string, std::size_t> judge_at;
  std::unordered_map<std::string, std::size_t> case_at;
  for (std::size_t i = 0; i < judge_ids.size(); ++i) judge_at.emplace(judge_ids[i], i);
  for (std::size_t i = 0; i < case_ids.size(); ++i) case_at.emplace(case_ids[i], i);

  struct indexed {
    std::size_t judge;
    std::size_t case_index;
    double score;
  };
  std::vector<indexed> rs;
  rs.reserve(reviews.size());
  for (const auto& r : reviews) rs.push_back({judge_at.at(r.judge), case_at.at(r.case_id), r.score});
  {
    std::vector<std::pair<std::size_t, std::size_t>> keys;
    keys.reserve(rs.size());
    for (const auto& r : rs) keys.emplace_back(r.judge, r.case_index);
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      throw std::invalid_argument("a judge reviewed one case twice");
    }
  }

  std::vector<double> all;
  all.reserve(rs.size());
  for (const auto& r : rs) all.push_back(r.score);
  const auto panel = of(all);
  out.panel_mean = panel.mean;
  out.panel_sd = panel.sd;

  std::vector<std::vector<std::size_t>> by_judge(judge_ids.size());
  std::vector<std::vector<std::size_t>> by_case(case_ids.size());
  for (std::size_t i = 0; i < rs.size(); ++i) {
    by_judge[rs[i].judge].push_back(i);
    by_case[rs[i].case_index].push_back(i);
  }

  // Each review's calibrated score.
  std::vector<double> calibrated(rs.size(), 0);
  out.judges.resize(judge_ids.size());
  for (std::size_t j = 0; j < judge_ids.size(); ++j) {
    std::vector<double> xs;
    for (auto i : by_judge[j]) xs.push_back(rs[i].score);
    const auto mine = of(xs);
    auto& jr = out.judges[j];
    jr.judge = judge_ids[j];
    jr.reviews = static_cast<int>(xs.size());
    jr.mean = mine.mean;
    jr.sd = mine.sd;
    const double n = static_cast<double>(xs.size());
    const double k0 = p.shrinkage;
    jr.calibrated_mean = (n * mine.mean + k0 * panel.mean) / (n + k0);
    jr.calibrated_sd = std::sqrt((n * mine.sd * mine.sd + k0 * panel.sd * panel.sd) / (n + k0));
    if (p.how == method::z_score) {
      for (auto i : by_judge[j]) {
        const double z = jr.calibrated_sd > 0 ? (rs[i].score - jr.calibrated_mean) / jr.calibrated_sd : 0.0;
        calibrated[i] = panel.mean + panel.sd * z;
      }
    } else {
      const auto pct = percentiles(xs);
      for (std::size_t t = 0; t < by_judge[j].size(); ++t) calibrated[by_judge[j][t]] = 100.0 * pct[t];
    }
  }

  // Cases.
  out.calibrated_sd = of(calibrated).sd;
  const double flag_above = p.disagreement_threshold * out.calibrated_sd;
  std::vector<std::vector<double>> units(case_ids.size());
  for (std::size_t c = 0; c < case_ids.size(); ++c) {
    case_result cr;
    cr.case_id = case_ids[c];
    cr.reviews = static_cast<int>(by_case[c].size());
    double raw = 0;
    double cal = 0;
    double lo = 0;
    double hi = 0;
    bool first = true;
    for (auto i : by_case[c]) {
      raw += rs[i].score;
      cal += calibrated[i];
      lo = first ? calibrated[i] : std::min(lo, calibrated[i]);
      hi = first ? calibrated[i] : std::max(hi, calibrated[i]);
      first = false;
      units[c].push_back(rs[i].score);
    }
    cr.raw_mean = raw / cr.reviews;
    cr.calibrated = cal / cr.reviews;
    cr.spread = hi - lo;
    cr.flagged = cr.reviews >= 2 && cr.spread > flag_above;
    out.ranking.push_back(std::move(cr));
  }
  std::sort(out.ranking.begin(), out.ranking.end(), [](const case_result& a, const case_result& b) {
    if (a.calibrated != b.calibrated) return a.calibrated > b.calibrated;
    if (a.raw_mean != b.raw_mean) return a.raw_mean > b.raw_mean;
    if (a.reviews != b.reviews) return a.reviews > b.reviews;
    return a.case_id < b.case_id;
  });
  for (std::size_t i = 0; i < out.ranking.size(); ++i) out.ranking[i].rank = static_cast<int>(i + 1);

  // Each judge against the mean of the others on the same cases.
  for (std::size_t j = 0; j < judge_ids.size(); ++j) {
    std::vector<double> mine;
    std::vector<double> others;
    for (auto i : by_judge[j]) {
      double sum = 0;
      int count = 0;
      for (auto k : by_case[rs[i].case_index]) {
        if (k == i) continue;
        sum += rs[k].score;
        ++count;
      }
      if (count == 0) continue;
      mine.push_back(rs[i].score);
      others.push_back(sum / count);
    }
    out.judges[j].agreement = pearson(mine, others);
  }
  out.alpha = krippendorff_alpha_interval(units);
  return out;
}

}  // namespace casecall::review::calibration
