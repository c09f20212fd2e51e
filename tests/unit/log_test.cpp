#include "log/log.hpp"

#include "json_printer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using casecall::log::format_line;
using casecall::log::level;
using nlohmann::json;
using nlohmann::ordered_json;

// Seconds since the epoch of an RFC 3339 UTC timestamp, fraction dropped; -1 when malformed.
std::int64_t epoch_seconds(const std::string& ts) {
  std::tm tm{};
  std::istringstream in(ts);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return -1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::int64_t now_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

TEST(log, format_line_is_one_json_object_with_ts_level_service_msg_then_fields) {
  auto line = format_line(level::warn, "intake", "case created",
                          {{"case_id", "c1"}, {"attempt", 2}, {"ok", true}});
  auto in_order = ordered_json::parse(line);  // json would sort the keys away
  std::vector<std::string> keys;
  for (const auto& [key, value] : in_order.items()) keys.push_back(key);
  auto j = json::parse(line);
  ASSERT_GE(keys.size(), 4u);
  EXPECT_EQ((std::vector<std::string>(keys.begin(), keys.begin() + 4)),
            (std::vector<std::string>{"ts", "level", "service", "msg"}));
  EXPECT_EQ(j.at("level"), "warn");
  EXPECT_EQ(j.at("service"), "intake");
  EXPECT_EQ(j.at("msg"), "case created");
  EXPECT_EQ(j.at("case_id"), "c1");
  EXPECT_EQ(j.at("attempt"), 2);
  EXPECT_EQ(j.at("ok"), true);
  EXPECT_EQ(keys.size(), 7u);
}

TEST(log, ts_is_rfc3339_utc_ending_in_z_and_is_now) {
  auto before = now_seconds();
  auto line = format_line(level::info, "review", "m", nullptr);
  auto after = now_seconds();
  auto ts = json::parse(line).at("ts").get<std::string>();
  static const std::regex rfc3339_utc(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  EXPECT_TRUE(std::regex_match(ts, rfc3339_utc)) << ts;
  auto seconds = epoch_seconds(ts);
  EXPECT_GE(seconds, before) << ts;
  EXPECT_LE(seconds, after) << ts;
}

TEST(log, each_level_is_written_by_its_name) {
  for (auto l : {level::debug, level::info, level::warn, level::error}) {
    auto j = json::parse(format_line(l, "s", "m", nullptr));
    EXPECT_EQ(j.at("level"), std::string(casecall::log::to_string(l)));
  }
  EXPECT_EQ(casecall::log::to_string(level::error), "error");
}

TEST(log, null_or_non_object_fields_add_nothing) {
  EXPECT_EQ(json::parse(format_line(level::info, "s", "m", nullptr)).size(), 4u);
  EXPECT_EQ(json::parse(format_line(level::info, "s", "m", json::array({1, 2}))).size(), 4u);
  EXPECT_EQ(json::parse(format_line(level::info, "s", "m", json::object())).size(), 4u);
}

TEST(log, nested_field_values_are_kept) {
  auto j = json::parse(format_line(level::info, "s", "m", {{"request", {{"method", "GET"}, {"ids", {1, 2}}}}}));
  EXPECT_EQ(j.at("request").at("method"), "GET");
  EXPECT_EQ(j.at("request").at("ids"), json::array({1, 2}));
}

TEST(log, invalid_utf8_in_a_field_becomes_replacement_characters) {
  std::string line;
  ASSERT_NO_THROW(line = format_line(level::info, "s", "m", {{"name", std::string("ab\xFF" "cd")}}));
  auto j = json::parse(line);
  EXPECT_EQ(j.at("name"), "ab" + replacement + "cd");
}

TEST(log, invalid_utf8_in_msg_service_key_or_nested_value_does_not_throw) {
  std::string line;
  json fields = {{std::string("k\xC3"), "v"}, {"nested", {{"x", std::string("\xC0\xAF")}}}};
  ASSERT_NO_THROW(line = format_line(level::error, std::string("svc\xFE"), std::string("m\xE2\x82"), fields));
  json j;
  ASSERT_NO_THROW(j = json::parse(line)) << line;
  EXPECT_EQ(j.at("service"), "svc" + replacement);
  EXPECT_NE(j.at("msg").get<std::string>().find(replacement), std::string::npos);
  EXPECT_TRUE(j.at("nested").at("x").get<std::string>().find(replacement) != std::string::npos);
}

TEST(log, line_has_no_newline_even_when_values_do) {
  auto line = format_line(level::info, "s\n", "first line\nsecond line\r\n",
                          {{"body", "a\nb"}, {"multi\nline key", "\n"}});
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  auto j = json::parse(line);
  EXPECT_EQ(j.at("msg"), "first line\nsecond line\r\n");
  EXPECT_EQ(j.at("body"), "a\nb");
}

TEST(log, quotes_and_control_characters_are_escaped) {
  auto line = format_line(level::info, "s", "say \"hi\"\t\\", {{"ctl", std::string("\x01\x1b", 2)}});
  auto j = json::parse(line);
  EXPECT_EQ(j.at("msg"), "say \"hi\"\t\\");
  EXPECT_EQ(j.at("ctl"), std::string("\x01\x1b", 2));
}

TEST(log, parse_level_accepts_the_four_names_only) {
  EXPECT_EQ(casecall::log::parse_level("debug"), level::debug);
  EXPECT_EQ(casecall::log::parse_level("info"), level::info);
  EXPECT_EQ(casecall::log::parse_level("warn"), level::warn);
  EXPECT_EQ(casecall::log::parse_level("error"), level::error);
  for (const char* text : {"", "loud", "INFO", "warning", "trace", " info"}) {
    EXPECT_EQ(casecall::log::parse_level(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(log, a_field_named_like_a_standard_key_does_not_replace_it) {
  auto line = casecall::log::format_line(casecall::log::level::warn, "intake", "real message",
                                         {{"msg", "from a field"}, {"level", "fake"}});
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed.at("msg"), "real message");
  EXPECT_EQ(parsed.at("level"), "warn");
  EXPECT_EQ(parsed.at("msg_"), "from a field");
  EXPECT_EQ(parsed.at("level_"), "fake");
}

TEST(log, an_access_entry_is_one_json_object_with_the_request_fields) {
  std::string scratch = "left over from the previous line";
  auto entry = casecall::log::line::access_entry(scratch);
  entry.trusted_field(R"(,"request_id":)", "abc-1")
      .raw_field(R"(,"path":)", "/api/x/\"quoted\"")
      .raw_field(R"(,"status":)", std::uint64_t{404})
      .raw_field(R"(,"duration_ms":)", 12.3456);
  auto parsed = nlohmann::json::parse(entry.finish());
  EXPECT_EQ(parsed.at("level"), "info");
  EXPECT_EQ(parsed.at("msg"), "request");
  EXPECT_EQ(parsed.at("request_id"), "abc-1");
  EXPECT_EQ(parsed.at("path"), "/api/x/\"quoted\"");
  EXPECT_EQ(parsed.at("status"), 404);
  EXPECT_DOUBLE_EQ(parsed.at("duration_ms").get<double>(), 12.346);
  EXPECT_EQ(scratch.find("left over"), std::string::npos);
}
