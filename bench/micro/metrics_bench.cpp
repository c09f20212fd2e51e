// What every request adds to the registry (observe_request, under one mutex for the whole
// process) and what a scrape of /metrics costs with a realistic number of series.
#include "http/metrics.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <string>

namespace {

using casecall::http::metrics;

void observe_request(benchmark::State& state) {
  static metrics registry;  // shared by the benchmark's threads, as by the server's
  for (auto _ : state) {
    registry.observe_request("intake.root.healthz", "GET", 200, 0.00042);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(observe_request)->Threads(1)->Threads(2);

// 60 routes x 2 methods x 3 statuses: 360 series, 17 samples each.
void render(benchmark::State& state) {
  metrics registry;
  const std::array<const char*, 2> methods{"GET", "POST"};
  const std::array<unsigned, 3> statuses{200, 404, 500};
  for (int route = 0; route < 60; ++route) {
    auto name = "intake.route_" + std::to_string(route);
    for (const char* verb : methods) {
      for (unsigned status : statuses) registry.observe_request(name, verb, status, 0.003);
    }
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto text = registry.render();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(render);

}  // namespace
