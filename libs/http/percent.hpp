#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace casecall::http {

// Decodes %XX escapes; nullopt when a '%' is not followed by two hex digits. Works on any
// view (Debian's libboost_url 1.81 reads past the end of views that are not NUL-terminated,
// so path segments are decoded here).
std::optional<std::string> percent_decode(std::string_view encoded);

// Every byte but the unreserved ones (A–Z a–z 0–9 - . _ ~) as %XX: a query value or a path
// segment, safe in any URL.
std::string percent_encode(std::string_view raw);

}  // namespace casecall::http
