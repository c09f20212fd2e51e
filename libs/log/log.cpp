#include "log/log.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

namespace casecall::log {
namespace {

// init() and shutdown() run while the process is single-threaded (before the server starts and
// after it stops); write() only reads these.
std::shared_ptr<spdlog::logger> g_logger_owner;
std::atomic<spdlog::logger*> g_logger{nullptr};
std::string g_service = "casecall";
std::atomic<int> g_min_level{static_cast<int>(level::info)};

std::string utc_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto millis = duration_cast<milliseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

void append_json(std::string& out, const nlohmann::json& value) {
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::optional<level> parse_level(std::string_view text) {
  if (text == "debug") return level::debug;
  if (text == "info") return level::info;
  if (text == "warn") return level::warn;
  if (text == "error") return level::error;
  return std::nullopt;
}

std::string_view to_string(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

std::string format_line(level l, std::string_view service, std::string_view msg,
                        const nlohmann::json& fields) {
  std::string line;
  line.reserve(256);
  line += R"({"ts":")";
  line += utc_now();
  line += R"(","level":")";
  line += to_string(l);
  line += R"(","service":)";
  append_json(line, std::string(service));
  line += R"(,"msg":)";
  append_json(line, std::string(msg));
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      bool reserved = key == "ts" || key == "level" || key == "service" || key == "msg";
      line += ',';
      append_json(line, reserved ? key + "_" : key);  // never a second "msg" on one line
      line += ':';
      append_json(line, value);
    }
  }
  line += '}';
  return line;
}

void init(const settings& s) {
  g_service = s.service;
  g_min_level.store(static_cast<int>(s.min_level));
  if (g_logger_owner) return;
  spdlog::init_thread_pool(8192, 1);
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::async_logger>(
      "casecall", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::block);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  g_logger_owner = std::move(logger);
  g_logger.store(g_logger_owner.get());
}

void shutdown() {
  g_logger.store(nullptr);
  if (g_logger_owner) g_logger_owner->flush();
  g_logger_owner.reset();
  spdlog::shutdown();
}

bool enabled(level l) { return static_cast<int>(l) >= g_min_level.load(std::memory_order_relaxed); }

void write(level l, std::string_view msg, const nlohmann::json& fields) {
  if (!enabled(l)) return;
  auto line = format_line(l, g_service, msg, fields);
  if (auto* logger = g_logger.load()) {
    logger->info(line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace casecall::log
