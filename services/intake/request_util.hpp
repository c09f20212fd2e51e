// What intake's handlers read from a request the same way: ids in paths, If-Match, ETags.
#pragma once

#include "http/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace casecall::intake {

// Throws the problem: `code` stable, `title` the same for every occurrence of the code.
[[noreturn]] void fail(unsigned status, std::string code, std::string title, std::string detail);
// Throws 404 `not_found`: what does not exist, and what the caller may not know exists.
[[noreturn]] void not_found();

bool is_uuid(std::string_view s);

// A path parameter that must be a UUID, lower-cased; anything else names nothing here: 404.
std::string uuid_param(const http::request& req, std::string_view name);

// The version If-Match names (`"3"`), or nullopt for `*` (whatever version is current).
// Without If-Match: 428 `precondition_required`; in another form: 412 `precondition_failed`.
std::optional<int> if_match_version(const http::request& req);

// 412 `precondition_failed` when If-Match named a version other than `current`.
void check_version(const std::optional<int>& expected, int current, std::string_view what);

// Partners write to a call's cases only while it takes them (intake.call_status, by the
// server's clock): 409 `call_not_open` before opens_at, `call_closed` after closes_at + grace.
void require_call_open(std::string_view call_status);

// A version as an ETag: `"3"`.
std::string etag(int version);

}  // namespace casecall::intake

#include "http/router.hpp"

#include <memory>

namespace casecall::intake {

// Adds routes served by the const member coroutines of one shared handler object:
//   auto add = route_adder(routes, std::make_shared<api>(...));
//   add(method::get, "/api/intake/v1/x", "intake.x.get", access::anyone, &api::get, 0);
template <class Api>
auto route_adder(http::router& routes, std::shared_ptr<Api> handlers) {
  using member = http::awaitable<http::response> (Api::*)(http::request&) const;
  return [&routes, handlers](http::method verb, std::string pattern, std::string name, http::access who, member fn,
                             std::uint64_t body_limit) {
    routes.add({.verb = verb, .pattern = std::move(pattern), .name = std::move(name), .who = who, .body_limit = body_limit},
               [handlers, fn](http::request& req) { return ((*handlers).*fn)(req); });
  };
}

}  // namespace casecall::intake
