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
  std::string scratch;
  for (auto _ : state) {
    casecall::log::line entry(scratch, casecall::log::level::info, "request");
    entry.trusted_field(R"(,"request_id":)", request_id)
        .trusted_field(R"(,"method":)", "GET")
        .raw_field(R"(,"path":)", healthz_path)
        .trusted_field(R"(,"route":)", "intake.root.healthz")
        .raw_field(R"(,"status":)", std::uint64_t{200})
        .raw_field(R"(,"duration_ms":)", 0.174324)
        .raw_field(R"(,"bytes_in":)", std::uint64_t{0})
        .raw_field(R"(,"bytes_out":)", std::uint64_t{52})
        .trusted_field(R"(,"client":)", "127.0.0.1");
    auto text = entry.finish();
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
