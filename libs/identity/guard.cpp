#include "db/await.hpp"
#include "http/problem.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"

#include <algorithm>
#include <stdexcept>

namespace casecall::identity {

namespace {

constexpr db::query find_session{
    "identity.find_session",
    "SELECT s.id, u.id, u.email, u.name, u.language, u.role, coalesce(u.organisation_id::text, ''), "
    "coalesce(u.organisation_role, ''), s.last_seen_at < now() - interval '60 seconds' "
    "FROM identity.sessions s JOIN identity.users u ON u.id = s.user_id "
    "WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() "
    "AND s.last_seen_at > now() - make_interval(secs => $2) AND u.disabled_at IS NULL"};
constexpr db::query touch_session{"identity.touch_session",
                                  "UPDATE identity.sessions SET last_seen_at = now() WHERE id = $1"};
constexpr db::query find_api_token{
    "identity.find_api_token",
    "SELECT t.id, u.id, u.email, u.name, u.language, u.role, coalesce(u.organisation_id::text, ''), "
    "coalesce(u.organisation_role, ''), array_to_string(t.scopes, ','), "
    "t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds' "
    "FROM identity.api_tokens t JOIN identity.users u ON u.id = t.user_id "
    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) "
    "AND u.disabled_at IS NULL"};
constexpr db::query touch_api_token{"identity.touch_api_token",
                                    "UPDATE identity.api_tokens SET last_used_at = now() WHERE id = $1"};

http::access role_of(const std::string& role) {
  if (role == "admin") return http::access::admin;
  if (role == "judge") return http::access::judge;
  return http::access::partner;
}

bool is_safe(http::method m) {
  return m == http::method::get || m == http::method::head || m == http::method::options;
}

[[noreturn]] void refuse(unsigned status, std::string code, std::string title, std::string detail) {
  throw http::problem_error(http::problems::make(status, std::move(code), std::move(title), std::move(detail)));
}

void fill_user(principal& p, const pqxx::row& row) {
  p.user_id = row[1].as<std::string>();
  p.email = row[2].as<std::string>();
  p.name = row[3].as<std::string>();
  p.language = row[4].as<std::string>();
  p.role = role_of(row[5].as<std::string>());
  p.organisation_id = row[6].as<std::string>();
  p.organisation_role = row[7].as<std::string>();
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

const principal* caller_if_any(const http::request& req) { return std::any_cast<principal>(&req.principal); }

const principal& caller(const http::request& req) {
  const auto* p = caller_if_any(req);
  if (!p) throw std::logic_error("no caller on route " + std::string(req.route_name));
  return *p;
}

audit::event audit_event(const http::request& req, std::string stream, std::string action,
                         std::string object_type, std::string object_id) {
  audit::event e;
  e.stream = std::move(stream);
  e.action = std::move(action);
  e.object_type = std::move(object_type);
  e.object_id = std::move(object_id);
  e.request_id = req.request_id;
  e.client_address = req.client_address;
  if (const auto* p = caller_if_any(req)) {
    switch (p->how) {
      case principal::via::session:
        e.actor_kind = "user";
        e.actor_id = p->user_id;
        break;
      case principal::via::api_token:
        e.actor_kind = "api_token";
        e.actor_id = p->user_id;
        e.detail["token_id"] = p->token_id;
        break;
      case principal::via::service:
        e.actor_kind = "service";
        e.actor_id = p->service;
        break;
    }
  }
  return e;
}

std::string session_cookie_name(const service::auth_config& cfg) {
  return cfg.secure_cookies ? "__Host-casecall_session" : "casecall_session";
}

std::string session_cookie(const service::auth_config& cfg, std::string_view token) {
  std::string c = session_cookie_name(cfg) + "=" + std::string(token) + "; Path=/; HttpOnly; SameSite=Lax";
  c += "; Max-Age=" + std::to_string(cfg.session_lifetime.count());
  if (cfg.secure_cookies) c += "; Secure";
  return c;
}

std::string expired_session_cookie(const service::auth_config& cfg) {
  std::string c = session_cookie_name(cfg) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";
  if (cfg.secure_cookies) c += "; Secure";
  return c;
}

std::optional<std::string> session_token_from(const http::request& req, const service::auth_config& cfg) {
  const auto name = session_cookie_name(cfg);
  for (const auto& [field, value] : req.headers) {
    if (!http::iequals(field, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (pair.substr(0, eq) == name) {
        auto token = pair.substr(eq + 1);
        while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
        if (!token.empty()) return std::string(token);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> bearer_token_from(const http::request& req) {
  auto value = req.header("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size() || !http::iequals(value.substr(0, scheme.size()), scheme)) return std::nullopt;
  auto token = value.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

http::guard_fn make_guard(const service::auth_config& cfg, db::pool& pool, std::string stream) {
  return [&cfg, &pool, stream](http::request& req, const http::route_spec& spec) -> http::awaitable<void> {
    if (spec.who == http::access::service) {
      auto token = bearer_token_from(req);
      if (!token) throw http::problem_error(http::problems::unauthenticated());
      const auto presented = sha256_hex(*token);
      for (const auto& [name, hash] : cfg.peer_token_hashes) {
        if (equal_constant_time(presented, hash)) {
          principal p;
          p.how = principal::via::service;
          p.role = http::access::service;
          p.service = name;
          req.principal = std::move(p);
          co_return;
        }
      }
      refuse(401, "invalid_token", "Invalid token", "The service token is not one this service accepts.");
    }

    principal p;
    std::optional<std::string> problem_code;
    if (auto bearer = bearer_token_from(req)) {
      const auto hash = sha256(*bearer);
      auto lookup = [&hash](db::connection& c) -> std::optional<principal> {
        pqxx::work tx(c.raw());
        auto rows = c.exec(tx, find_api_token, pqxx::binarystring(hash));
        if (rows.empty()) return std::nullopt;
        principal found;
        found.how = principal::via::api_token;
        fill_user(found, rows[0]);
        found.token_id = rows[0][0].as<std::string>();
        found.scopes = split_commas(rows[0][8].as<std::string>());
        if (rows[0][9].as<bool>()) c.exec(tx, touch_api_token, found.token_id);
        tx.commit();
        return found;
      };
      auto found = co_await db::run(pool, std::move(lookup));
      if (!found) refuse(401, "invalid_token", "Invalid token", "The API token is unknown, expired or revoked.");
      p = std::move(*found);
    } else if (auto token = session_token_from(req, cfg)) {
      const auto hash = sha256(*token);
      const auto idle = static_cast<double>(cfg.session_idle.count());
      auto lookup = [&hash, idle](db::connection& c) -> std::optional<principal> {
        pqxx::work tx(c.raw());
        auto rows = c.exec(tx, find_session, pqxx::binarystring(hash), idle);
        if (rows.empty()) return std::nullopt;
        principal found;
        found.how = principal::via::session;
        fill_user(found, rows[0]);
        found.session_id = rows[0][0].as<std::string>();
        if (rows[0][8].as<bool>()) c.exec(tx, touch_session, found.session_id);
        tx.commit();
        return found;
      };
      auto found = co_await db::run(pool, std::move(lookup));
      if (!found) {
        auto problem = http::problems::make(401, "session_expired", "Session expired",
                                            "The session has ended; sign in again.");
        problem.headers.emplace_back("Set-Cookie", expired_session_cookie(cfg));
        throw http::problem_error(std::move(problem));
      }
      p = std::move(*found);
      p.session_token = *token;
      if (!is_safe(req.verb)) {
        auto sent = req.header(csrf_header);
        if (sent.empty()) {
          problem_code = "csrf_token_missing";
        } else if (!equal_constant_time(sent, csrf_token_for(*token))) {
          problem_code = "csrf_token_invalid";
        }
      }
    } else {
      throw http::problem_error(http::problems::unauthenticated());
    }

    if (!problem_code && !http::allows(spec.who, p.role)) problem_code = "forbidden";
    // Scopes: `read` reads; `write` reads and changes. Every token has one of them.
    if (!problem_code && p.how == principal::via::api_token && !is_safe(req.verb) &&
        std::find(p.scopes.begin(), p.scopes.end(), "write") == p.scopes.end()) {
      problem_code = "insufficient_scope";
    }
    req.principal = std::move(p);
    if (!problem_code) co_return;

    auto event = audit_event(req, stream, "access.denied", "route", spec.name);
    event.detail["reason"] = *problem_code;
    event.detail["method"] = std::string(http::to_string(req.verb));
    auto record = [&event](db::connection& c, pqxx::work& tx) { audit::record(c, tx, event); };
    co_await db::transact(pool, std::move(record));
    if (*problem_code == "csrf_token_missing") {
      refuse(403, "csrf_token_missing", "CSRF token missing",
             "A request that changes something, signed in by cookie, needs the X-CSRF-Token header.");
    }
    if (*problem_code == "csrf_token_invalid") {
      refuse(403, "csrf_token_invalid", "CSRF token invalid", "The X-CSRF-Token header does not belong to this session.");
    }
    if (*problem_code == "insufficient_scope") {
      refuse(403, "insufficient_scope", "Insufficient scope",
             "This API token may only read (scope `read`); changing needs the `write` scope.");
    }
    throw http::problem_error(http::problems::forbidden());
  };
}

}  // namespace casecall::identity
