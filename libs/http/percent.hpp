#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace casecall::http {

// Decodes %XX escapes; nullopt when a '%' is not followed by two hex digits. Works on any
// view (Debian's libboost_url 1.81 reads past the end of views that are not NUL-terminated,
// so path segments are decoded here).
std::optional<std::string> percent_decode(std::string_view encoded);

}  // namespace casecall::http
