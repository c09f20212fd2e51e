// Routes: a method and a path template ("/api/intake/v1/cases/{id}") mapped to a handler,
// with what the route allows (who may call it, how large a body) declared beside it.
#pragma once

#include "http/awaitable.hpp"
#include "http/message.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::http {

// Who may call a route. A route must say; `undeclared` is refused at registration, so the
// default is deny.
enum class access {
  undeclared,
  anyone,   // the public, without credentials
  service,  // another casecall service, with a service token (/internal/v1/)
};

std::string_view to_string(access a);

inline constexpr std::uint64_t default_json_body_limit = 1024 * 1024;

struct route_spec {
  method verb = method::get;
  std::string pattern;  // literal segments and {name} parameters
  std::string name;     // stable, for metrics and logs: "intake.healthz"
  access who = access::undeclared;
  std::uint64_t body_limit = default_json_body_limit;
  bool sheddable = true;  // false for health and metrics: answered even at capacity
};

using handler = std::function<awaitable<response>(request&)>;

// Wraps a handler that needs no awaiting.
handler sync(std::function<response(request&)> fn);

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

 private:
  std::vector<route> routes_;
};

}  // namespace casecall::http
