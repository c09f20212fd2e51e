// Structured logging: one JSON object per line on standard output. Lines are handed to
// spdlog's asynchronous logger, whose single background thread gathers them in a buffer and
// writes it in large pieces, so the request path never waits on the terminal or the disk.
// Events other than access-log lines are written out at once; access-log lines at the latest
// after flush_interval.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace casecall::log {

enum class level { debug, info, warn, error };

std::optional<level> parse_level(std::string_view text);
std::string_view to_string(level l);

struct settings {
  std::string service;  // appears as "service" on every line
  level min_level = level::info;
  std::chrono::milliseconds flush_interval{250};
};

// Starts the background writer. Until init() runs, events go to standard error synchronously,
// so that a service that fails while reading its configuration still explains itself.
// Call before any other thread logs.
void init(const settings& s);

// Writes out everything queued and stops the background writer.
void shutdown();

bool enabled(level l);

// `fields` must be a JSON object (or null); its members follow ts, level, service and msg
// (a member named like one of those four is written with a trailing underscore).
// Strings that are not valid UTF-8 are written with replacement characters, never dropped.
void write(level l, std::string_view msg, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::debug, msg, fields); }
inline void info(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::info, msg, fields); }
inline void warn(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::warn, msg, fields); }
inline void error(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::error, msg, fields); }

// Builds one log line without a JSON document in between: the hot path (one access-log line
// per request) uses this directly.
class line {
 public:
  line(level l, std::string_view msg);  // for the service given to init()
  line(level l, std::string_view service, std::string_view msg);
  // Builds into `scratch` (cleared first, its capacity kept): a thread can reuse one buffer
  // for every line it writes.
  line(std::string& scratch, level l, std::string_view msg);
  // An access-log line ("level":"info", "msg":"request"), its fixed part written once at init.
  static line access_entry(std::string& scratch);
  line(const line&) = delete;
  line& operator=(const line&) = delete;
  line& field(std::string_view key, std::string_view value);
  line& field(std::string_view key, std::int64_t value);
  line& field(std::string_view key, std::uint64_t value);
  line& field(std::string_view key, unsigned value) { return field(key, static_cast<std::uint64_t>(value)); }
  line& field(std::string_view key, double value);
  line& field_json(std::string_view key, const nlohmann::json& value);
  // For the hot path: `key_and_colon` is written as given (`,"status":`), no checks.
  line& raw_field(std::string_view key_and_colon, std::string_view value);
  // A value the caller knows needs no escaping (an id it checked, an IP address, a name it
  // chose): written between quotes as it is.
  line& trusted_field(std::string_view key_and_colon, std::string_view value);
  line& raw_field(std::string_view key_and_colon, std::uint64_t value);
  line& raw_field(std::string_view key_and_colon, double value);
  // The finished line, without a newline.
  std::string take();
  // The finished line, valid until the line or its scratch buffer is next used.
  std::string_view finish();

 private:
  struct access_tag {};
  line(std::string& scratch, access_tag);
  void start(level l, std::string_view service, std::string_view msg);
  void key(std::string_view k);
  std::string owned_;
  std::string* text_;
};

// Queues a finished line as an access-log entry: written with the next batch.
void access(line& entry);

// The line that write() would emit, without the trailing newline (exposed for tests).
std::string format_line(level l, std::string_view service, std::string_view msg,
                        const nlohmann::json& fields);

// Appends `value` as a JSON string (with quotes); invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view value);

}  // namespace casecall::log
