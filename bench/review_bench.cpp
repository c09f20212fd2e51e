// Review's two heavy computations at the scale of a large call.
// - The assignment solver: 10,000 cases, 500 judges from 20 organisations, k = 3, m = 2,
//   capacity 70 (60 each would be exact), with the conflicts of
//   tests/support/assignment_instances.hpp (one case in five with a partner organisation among
//   the judges', 10% declared). Target: under 5 s. Reports the time of solve() alone, the
//   process's peak RSS, the spread of the loads and how many cases were left short.
// - Calibration and ranking of 100,000 reviews (33,334 cases, 500 judges, each judge with a
//   bias of its own). Target: under 1 s.
#include "assignment_instances.hpp"
#include "review/domain/assignment.hpp"
#include "review/domain/calibration.hpp"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>

namespace {

double rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void assign_10000_cases_to_500_judges(benchmark::State& state) {
  const auto in = casecall::testing::generated_assignment(2026, 10'000, 500, 70, 20);
  const double before = rss_mib();
  casecall::review::assignment::solution s;
  for (auto _ : state) {
    s = casecall::review::assignment::solve(in.p);
    benchmark::DoNotOptimize(s);
  }
  const auto [least, most] = std::minmax_element(s.load.begin(), s.load.end());
  state.counters["conflicts"] = static_cast<double>(in.p.conflicts.size());
  state.counters["short_cases"] = static_cast<double>(s.shortfalls.size());
  state.counters["load_min"] = *least;
  state.counters["load_max"] = *most;
  state.counters["rss_before_MiB"] = before;
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(assign_10000_cases_to_500_judges)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);

void calibrate_and_rank_100000_reviews(benchmark::State& state) {
  namespace cal = casecall::review::calibration;
  std::mt19937 rng(2026);
  std::normal_distribution<double> quality(6.0, 1.5);
  std::normal_distribution<double> bias(0.0, 0.8);
  std::normal_distribution<double> noise(0.0, 0.7);
  std::vector<double> judge_bias(500);
  for (auto& b : judge_bias) b = bias(rng);
  std::vector<cal::review> reviews;
  reviews.reserve(100'002);
  for (std::size_t c = 0; reviews.size() < 100'000; ++c) {
    const double q = quality(rng);
    const auto first = static_cast<std::size_t>(rng() % 500);
    for (std::size_t t = 0; t < 3 && reviews.size() < 100'000; ++t) {
      const auto j = (first + t * 167) % 500;  // three different judges
      const double score = std::clamp(q + judge_bias[j] + noise(rng), 1.0, 10.0);
      reviews.push_back({"judge-" + std::to_string(j), "GS7-" + std::to_string(c + 1), score});
    }
  }
  const auto method = state.range(0) == 0 ? cal::method::z_score : cal::method::rank;
  cal::result r;
  for (auto _ : state) {
    r = cal::calibrate(reviews, {.how = method});
    benchmark::DoNotOptimize(r);
  }
  state.counters["reviews"] = static_cast<double>(reviews.size());
  state.counters["cases"] = static_cast<double>(r.ranking.size());
  state.counters["flagged"] = static_cast<double>(std::count_if(r.ranking.begin(), r.ranking.end(), [](const cal::case_result& c) { return c.flagged; }));
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(calibrate_and_rank_100000_reviews)->Arg(0)->Arg(1)->ArgName("rank_method")->Unit(benchmark::kMillisecond)->Repetitions(3);

}  // namespace

BENCHMARK_MAIN();
