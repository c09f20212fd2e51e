// What every service's handlers read from a request the same way: ids in paths, If-Match,
// ETags; and the problems they throw most.
#pragma once

#include "http/message.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::http {

// Throws the problem: `code` stable, `title` the same for every occurrence of the code.
[[noreturn]] void fail(unsigned status, std::string code, std::string title, std::string detail);
// Throws 404 `not_found`: what does not exist, and what the caller may not know exists.
[[noreturn]] void not_found();
// Throws 422 `validation_failed` listing every field at fault.
[[noreturn]] void invalid(std::vector<field_error> errors);

bool is_uuid(std::string_view s);

// A path parameter that must be a UUID, lower-cased; anything else names nothing here: 404.
std::string uuid_param(const request& req, std::string_view name);

// The version If-Match names (`"3"`), or nullopt for `*` (whatever version is current).
// Without If-Match: 428 `precondition_required`; in another form: 412 `precondition_failed`.
std::optional<int> if_match_version(const request& req);

// 412 `precondition_failed` when If-Match named a version other than `current`.
void check_version(const std::optional<int>& expected, int current, std::string_view what);

// A version as an ETag: `"3"`.
std::string etag(int version);

// Adds routes served by the const member coroutines of one shared handler object:
//   auto add = route_adder(routes, std::make_shared<api>(...));
//   add(method::get, "/api/intake/v1/x", "intake.x.get", access::anyone, &api::get, 0);
template <class Api>
auto route_adder(router& routes, std::shared_ptr<Api> handlers) {
  using member = awaitable<response> (Api::*)(request&) const;
  return [&routes, handlers](method verb, std::string pattern, std::string name, access who, member fn,
                             std::uint64_t body_limit) {
    routes.add({.verb = verb, .pattern = std::move(pattern), .name = std::move(name), .who = who, .body_limit = body_limit},
               [handlers, fn](request& req) { return ((*handlers).*fn)(req); });
  };
}

}  // namespace casecall::http
