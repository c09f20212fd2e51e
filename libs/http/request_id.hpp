#pragma once

#include <string>
#include <string_view>

namespace casecall::http {

// An incoming X-Request-Id is kept when it is 1-128 characters of [A-Za-z0-9._:-], so that a
// caller's id can follow a request across services without letting it inject into logs.
bool acceptable_request_id(std::string_view id);

// 32 lowercase hex digits from a per-thread generator.
std::string generate_request_id();

}  // namespace casecall::http
