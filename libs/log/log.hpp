// Structured logging: one JSON object per line on standard output, written by a background
// thread so that the request path never waits on the terminal or the disk.
#pragma once

#include <nlohmann/json.hpp>

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
};

// Starts the background writer. Until init() runs, events go to standard error synchronously,
// so that a service that fails while reading its configuration still explains itself.
void init(const settings& s);

// Writes out everything queued and stops the background writer.
void shutdown();

bool enabled(level l);

// `fields` must be a JSON object (or null); its members follow ts, level, service and msg.
// Strings that are not valid UTF-8 are written with replacement characters, never dropped.
void write(level l, std::string_view msg, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::debug, msg, fields); }
inline void info(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::info, msg, fields); }
inline void warn(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::warn, msg, fields); }
inline void error(std::string_view msg, const nlohmann::json& fields = nullptr) { write(level::error, msg, fields); }

// The line that write() would emit, without the trailing newline (exposed for tests).
std::string format_line(level l, std::string_view service, std::string_view msg,
                        const nlohmann::json& fields);

}  // namespace casecall::log
