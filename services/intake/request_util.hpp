// What intake's handlers read from a request the same way: ids in paths, If-Match, ETags.
#pragma once

#include "http/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace casecall::intake {

bool is_uuid(std::string_view s);

// A path parameter that must be a UUID, lower-cased; anything else names nothing here: 404.
std::string uuid_param(const http::request& req, std::string_view name);

// The version If-Match names (`"3"`), or nullopt for `*` (whatever version is current).
// Without If-Match: 428 `precondition_required`; in another form: 412 `precondition_failed`.
std::optional<int> if_match_version(const http::request& req);

// 412 `precondition_failed` when If-Match named a version other than `current`.
void check_version(const std::optional<int>& expected, int current, std::string_view what);

// A version as an ETag: `"3"`.
std::string etag(int version);

}  // namespace casecall::intake
