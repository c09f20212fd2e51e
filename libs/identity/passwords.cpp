#include "identity/passwords.hpp"

#include "http/json_schema.hpp"

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace casecall::identity {

const std::vector<std::pair<std::string_view, std::string_view>>& password_lists();

namespace {

const std::unordered_set<std::string_view>& common_passwords() {
  static const std::unordered_set<std::string_view> words = [] {
    std::unordered_set<std::string_view> out;
    for (const auto& [name, text] : password_lists()) {
      std::size_t start = 0;
      while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        auto word = text.substr(start, end - start);
        if (!word.empty() && word.back() == '\r') word.remove_suffix(1);
        if (!word.empty()) out.insert(word);
        start = end + 1;
      }
    }
    return out;
  }();
  return words;
}

}  // namespace

bool is_common_password(std::string_view password) {
  // The list is lower-case: "Password1" is as guessable as "password1".
  std::string lowered(password);
  for (auto& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return common_passwords().count(lowered) > 0;
}

std::optional<http::field_error> check_password(std::string_view password, std::string_view field) {
  const auto length = http::code_points(password);
  if (length < password_min_length) {
    return http::field_error{std::string(field), "too_short",
                             "A password needs at least " + std::to_string(password_min_length) + " characters."};
  }
  if (length > password_max_length) {
    return http::field_error{std::string(field), "too_long",
                             "A password may have at most " + std::to_string(password_max_length) + " characters."};
  }
  if (is_common_password(password)) {
    return http::field_error{std::string(field), "too_common",
                             "This password is one of the most common ones; choose another."};
  }
  return std::nullopt;
}

}  // namespace casecall::identity
