#pragma once

#include <optional>
#include <string_view>

namespace casecall::http {

enum class method { get, head, post, put, patch, delete_, options };

std::string_view to_string(method m);
std::optional<method> parse_method(std::string_view text);

}  // namespace casecall::http
