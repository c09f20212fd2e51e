// Per-request work on GET /healthz beside Beast's own (see bench/README.md): the access-log
// line and the health response.
#include "http/message.hpp"
#include "log/log.hpp"

#include <benchmark/benchmark.h>

namespace {

const std::string request_id = "72aedca7f12fbb6d5aefd88419b2743e";
const std::string healthz_path = "/healthz";

// The access-log line session::finish builds for every request (queuing it comes on top).
void access_log_line(benchmark::State& state) {
  for (auto _ : state) {
    casecall::log::line entry(casecall::log::level::info, "intake", "request");
    entry.field("request_id", request_id)
        .field("method", std::string_view("GET"))
        .field("path", healthz_path)
        .field("route", std::string_view("intake.root.healthz"))
        .field("status", 200u)
        .field("duration_ms", 0.174324)
        .field("bytes_in", std::uint64_t{0})
        .field("bytes_out", std::uint64_t{52})
        .field("client", std::string_view("127.0.0.1"));
    auto text = entry.take();
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(access_log_line);

// GET /healthz answers a copy of a response built once at start.
void healthz_response(benchmark::State& state) {
  const auto healthy = casecall::http::response::json({{"status", "ok"}, {"service", "intake"}, {"version", "0.1.0"}})
                           .set_header("Cache-Control", "no-store");
  for (auto _ : state) {
    auto res = healthy;
    res.set_header("X-Request-Id", request_id);
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(healthz_response);

}  // namespace
