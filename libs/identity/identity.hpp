// Who calls: users signed in with a session cookie or an API token, and other casecall
// services with a service token. The router's guard (make_guard) establishes the caller
// before any route that is not open to anyone, enforces the route's declared roles and the
// CSRF token, and records refusals in the audit log.
#pragma once

#include "audit/audit.hpp"
#include "db/migrations.hpp"
#include "db/pool.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "service/config.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::identity {

const db::migration_set& migrations();

struct principal {
  enum class via { session, api_token, service };
  via how = via::session;
  http::access role = http::access::undeclared;  // partner, judge, admin or service
  std::string user_id;
  std::string email;
  std::string name;
  std::string language;
  std::string organisation_id;    // empty for an administrator without one
  std::string organisation_role;  // owner or member, for partners
  std::string session_id;         // via session
  std::string session_token;      // via session: to derive its CSRF token
  std::string token_id;           // via api_token
  std::vector<std::string> scopes;
  std::string service;  // via service: the calling service's name

  bool is_admin() const { return role == http::access::admin; }
  bool is_owner_of(std::string_view organisation) const {
    return role == http::access::partner && organisation_role == "owner" && organisation_id == organisation;
  }
  bool belongs_to(std::string_view organisation) const {
    return !organisation_id.empty() && organisation_id == organisation;
  }
};

// The caller the guard established; throws std::logic_error on a route open to anyone.
const principal& caller(const http::request& req);
const principal* caller_if_any(const http::request& req);

// An audit event of this request: actor, request id and client address filled in.
audit::event audit_event(const http::request& req, std::string stream, std::string action,
                         std::string object_type = {}, std::string object_id = {});

// "__Host-casecall_session" when cookies are Secure, "casecall_session" otherwise.
std::string session_cookie_name(const service::auth_config& cfg);
std::string session_cookie(const service::auth_config& cfg, std::string_view token);
std::string expired_session_cookie(const service::auth_config& cfg);
std::optional<std::string> session_token_from(const http::request& req, const service::auth_config& cfg);
std::optional<std::string> bearer_token_from(const http::request& req);

inline constexpr std::string_view csrf_header = "X-CSRF-Token";
inline constexpr std::string_view api_token_prefix = "cc_pat_";

// The guard every service installs on its router. `stream` is the audit stream refusals go to.
http::guard_fn make_guard(const service::auth_config& cfg, db::pool& pool, std::string stream);

}  // namespace casecall::identity
