#pragma once

#include "http/message.hpp"

#include <nlohmann/json.hpp>

namespace casecall::http {

// The request body as JSON. Throws problem_error: 415 `unsupported_media_type` unless the
// Content-Type is application/json (or a +json type), 400 `malformed_json` (with the byte
// offset) when the body does not parse, 400 `invalid_utf8` (with the offset) when a string
// in it is not UTF-8.
nlohmann::json parse_json_body(const request& req);

}  // namespace casecall::http
