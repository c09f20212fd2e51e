// The per-request work that perf shows dominating GET /healthz on casecall-intake (see
// bench/README.md): the access log line and the JSON body the health route builds each time.
#include "http/message.hpp"
#include "log/log.hpp"

#include <benchmark/benchmark.h>

namespace {

// The fields session::finish passes to log::info for every request.
nlohmann::json access_log_fields(const std::string& request_id, const std::string& path) {
  return {{"request_id", request_id},
          {"method", "GET"},
          {"path", path},
          {"route", "intake.root.healthz"},
          {"status", 200},
          {"duration_ms", 0.174324},
          {"bytes_in", 0},
          {"bytes_out", 52},
          {"client", "127.0.0.1"}};
}

const std::string request_id = "72aedca7f12fbb6d5aefd88419b2743e";
const std::string healthz_path = "/healthz";

// Building the fields object only.
void access_log_fields_only(benchmark::State& state) {
  for (auto _ : state) {
    auto fields = access_log_fields(request_id, healthz_path);
    benchmark::DoNotOptimize(fields);
  }
}
BENCHMARK(access_log_fields_only);

// Building the fields and formatting the line, as log::write does on the request's thread
// (the queue to the writer thread and the write itself come on top).
void access_log_line(benchmark::State& state) {
  for (auto _ : state) {
    auto line = casecall::log::format_line(casecall::log::level::info, "intake", "request",
                                           access_log_fields(request_id, healthz_path));
    benchmark::DoNotOptimize(line);
  }
}
BENCHMARK(access_log_line);

// The body of GET /healthz as service::add_system_routes builds it.
void healthz_response(benchmark::State& state) {
  const std::string service = "intake";
  for (auto _ : state) {
    auto res = casecall::http::response::json(
        {{"status", "ok"}, {"service", service}, {"version", "0.1.0"}});
    res.set_header("Cache-Control", "no-store");
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(healthz_response);

}  // namespace
