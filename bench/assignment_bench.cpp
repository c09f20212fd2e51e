// The assignment solver at the scale of a large call: 10,000 cases, 500 judges from 20
// organisations, k = 3, m = 2, capacity 70 (60 each would be exact), with the conflicts of
// tests/support/assignment_instances.hpp (one case in five with a partner organisation among
// the judges', 10% declared). Target: under 5 s. Reports the time of solve() alone, the
// process's peak RSS, the spread of the loads and how many cases were left short.
#include "assignment_instances.hpp"
#include "review/domain/assignment.hpp"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
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

}  // namespace

BENCHMARK_MAIN();
