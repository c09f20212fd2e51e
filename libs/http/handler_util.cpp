#include "http/handler_util.hpp"

#include "http/problem.hpp"

#include <charconv>

namespace casecall::http {

namespace {

[[noreturn]] void out_of_date(std::string detail) {
  throw problem_error(problems::make(412, "precondition_failed", "Out of date", std::move(detail)));
}

}  // namespace

void fail(unsigned status, std::string code, std::string title, std::string detail) {
  throw problem_error(problems::make(status, std::move(code), std::move(title), std::move(detail)));
}

void not_found() { throw problem_error(problems::not_found()); }

void invalid(std::vector<field_error> errors) { throw problem_error(problems::validation_failed(std::move(errors))); }

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

std::string uuid_param(const request& req, std::string_view name) {
  std::string value = req.param(name);
  if (!is_uuid(value)) throw problem_error(problems::not_found());
  for (auto& c : value) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return value;
}

std::optional<int> if_match_version(const request& req) {
  auto value = req.header("If-Match");
  if (value.empty()) {
    throw problem_error(problems::make(
        428, "precondition_required", "If-Match required",
        "Send the ETag you last read in If-Match, so that no one else's change is overwritten."));
  }
  if (value == "*") return std::nullopt;
  if (value.size() >= 3 && value.front() == '"' && value.back() == '"') {
    int version = 0;
    auto inner = value.substr(1, value.size() - 2);
    auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), version);
    if (ec == std::errc{} && end == inner.data() + inner.size()) return version;
  }
  out_of_date("If-Match does not name the current version.");
}

void check_version(const std::optional<int>& expected, int current, std::string_view what) {
  if (expected && *expected != current) {
    out_of_date("The " + std::string(what) + " changed since you read it; read it again.");
  }
}

std::string etag(int version) { return "\"" + std::to_string(version) + "\""; }

}  // namespace casecall::http
