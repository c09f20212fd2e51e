// Routes: a method and a path template ("/api/intake/v1/cases/{id}") mapped to a handler,
// with what the route allows (who may call it, how large a body) declared beside it.
#pragma once

#include "http/awaitable.hpp"
#include "http/message.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace casecall::http {

// Who may call a route: `anyone`, `service`, or any combination of the three user roles. A
// route must say; `undeclared` is refused at registration, so the default is deny.
enum class access : unsigned {
  undeclared = 0,
  anyone = 1,    // the public, without credentials
  partner = 2,   // a member or owner of a partner organisation
  judge = 4,     // a judge, affiliated with one organisation
  admin = 8,     // an administrator of the call
  service = 16,  // another casecall service, with a service token (/internal/v1/)
};

constexpr access operator|(access a, access b) {
  return static_cast<access>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool allows(access declared, access who) {
  return (static_cast<unsigned>(declared) & static_cast<unsigned>(who)) != 0;
}
// Any signed-in user, whatever their role.
inline constexpr access signed_in = access::partner | access::judge | access::admin;

// "anyone", "service", or the roles joined by commas in the order partner, judge, admin.
std::string to_string(access a);

inline constexpr std::uint64_t default_json_body_limit = 1024 * 1024;

struct route_spec {
  method verb = method::get;
  std::string pattern;  // literal segments and {name} parameters
  std::string name;     // stable, for metrics and logs: "intake.healthz"
  access who = access::undeclared;
  std::uint64_t body_limit = default_json_body_limit;
  bool sheddable = true;  // false for health and metrics: answered even at capacity
  // The handler reads the body itself through request::body_stream (uploads); body_limit
  // does not apply, and the request counts among streams in flight, not requests in flight.
  bool streams_body = false;
};

// What a route runs: a coroutine (for work that awaits the database or another service) or
// a plain function (answered without a coroutine frame, for the cheapest routes).
class handler {
 public:
  using async_fn = std::function<awaitable<response>(request&)>;
  using direct_fn = std::function<response(request&)>;

  handler() = default;
  template <class F>
    requires std::is_invocable_r_v<awaitable<response>, F&, request&>
  handler(F fn) : async_(std::move(fn)) {}  // NOLINT: implicit on purpose
  static handler direct(direct_fn fn) {
    handler h;
    h.direct_ = std::move(fn);
    return h;
  }

  bool is_direct() const { return static_cast<bool>(direct_); }
  response call_direct(request& req) const { return direct_(req); }
  awaitable<response> operator()(request& req) const;

 private:
  async_fn async_;
  direct_fn direct_;
};

// A handler that needs no awaiting.
handler sync(handler::direct_fn fn);

// Runs before every route not open to `anyone`: establishes who calls (storing it in
// request::principal) and throws problem_error (401, 403) when they may not.
using guard_fn = std::function<awaitable<void>(request&, const route_spec&)>;

class router {
 public:
  struct route {
    route_spec spec;
    handler fn;
    std::vector<std::string> segments;  // "{name}" marks a parameter
  };

  struct match_result {
    const route* found = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<method> allowed;  // when the path exists but not for this method
    bool bad_encoding = false;    // a parameter that is not valid percent-encoding
  };

  // Throws std::invalid_argument for an undeclared access, a malformed pattern, or a
  // method and pattern already taken.
  void add(route_spec spec, handler fn);

  match_result match(method verb, std::string_view path) const;

  const std::vector<route>& routes() const { return routes_; }

  // Without a guard, every route that is not open to anyone answers 500: the server never
  // serves such a route unchecked.
  void set_guard(guard_fn guard) { guard_ = std::move(guard); }
  const guard_fn& guard() const { return guard_; }

 private:
  std::vector<route> routes_;
  guard_fn guard_;
};

}  // namespace casecall::http
