// Route matching with a table the size the three services will reach (66 routes, most of them
// with parameters): the cost every request pays before its handler runs.
#include "http/router.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using casecall::http::method;
using casecall::http::router;

router make_router() {
  router routes;
  auto add = [&routes](method verb, std::string pattern) {
    auto name = "bench.route_" + std::to_string(routes.routes().size());
    routes.add({.verb = verb, .pattern = std::move(pattern), .name = std::move(name),
                .who = casecall::http::access::anyone},
               casecall::http::sync([](casecall::http::request&) { return casecall::http::response{}; }));
  };
  // As registered by service::add_system_routes: first, under the root and the API prefix.
  for (std::string prefix : {"", "/api/intake/v1"}) {
    add(method::get, prefix + "/healthz");
    add(method::get, prefix + "/readyz");
    add(method::get, prefix + "/metrics");
  }
  const std::string api = "/api/intake/v1";
  for (std::string collection : {"calls", "organisations", "accounts", "cases", "uploads",
                                 "submissions", "receipts", "rubrics", "assignments"}) {
    add(method::get, api + "/" + collection);
    add(method::post, api + "/" + collection);
    add(method::get, api + "/" + collection + "/{id}");
    add(method::put, api + "/" + collection + "/{id}");
    add(method::delete_, api + "/" + collection + "/{id}");
    add(method::get, api + "/" + collection + "/{id}/history");
  }
  add(method::patch, api + "/uploads/{id}/content");
  add(method::head, api + "/uploads/{id}/content");
  add(method::get, api + "/calls/{call}/cases/{case}");
  add(method::post, api + "/calls/{call}/cases/{case}/submit");
  add(method::get, "/internal/v1/cases/{id}");
  add(method::put, "/internal/v1/cases/{id}");
  return routes;
}

const router& routes() {
  static const router table = make_router();
  return table;
}

void match(benchmark::State& state, method verb, std::string path) {
  const auto& table = routes();
  for (auto _ : state) {
    auto result = table.match(verb, path);
    benchmark::DoNotOptimize(result);
  }
  state.counters["routes"] = static_cast<double>(table.routes().size());
}

BENCHMARK_CAPTURE(match, healthz_first_route, method::get, "/healthz");
BENCHMARK_CAPTURE(match, literal_late, method::get, "/api/intake/v1/assignments");
BENCHMARK_CAPTURE(match, one_param, method::get, "/api/intake/v1/cases/7c1e4a52");
BENCHMARK_CAPTURE(match, one_param_encoded, method::get, "/api/intake/v1/cases/a%20b%2Fc");
BENCHMARK_CAPTURE(match, two_params_last_route, method::put, "/internal/v1/cases/42");
BENCHMARK_CAPTURE(match, two_params, method::post, "/api/intake/v1/calls/2026/cases/17/submit");
BENCHMARK_CAPTURE(match, not_found, method::get, "/api/intake/v1/nothing/here");
BENCHMARK_CAPTURE(match, method_not_allowed, method::post, "/api/intake/v1/cases/17/history");

}  // namespace
