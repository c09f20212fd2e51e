// The identity endpoints intake hosts: registration, e-mail verification, sign-in and out,
// one's own account, password reset, organisations and their members, invitations, API
// tokens, account administration and the audit-log check. Every change is audited in the
// `intake` stream, in the transaction that makes it.
#include "intake/identity_api.hpp"
#include "intake/request_util.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/json_rows.hpp"
#include "http/json_schema.hpp"
#include "http/problem.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "identity/passwords.hpp"
#include "mail/outbox.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace casecall::intake {

namespace {

using json = nlohmann::json;
using http::access;
using http::method;
using http::request;
using http::response;
using identity::principal;

const std::string stream = "intake";

constexpr auto verify_email_lifetime_hours = 48;
constexpr auto reset_lifetime_hours = 2;
constexpr auto invitation_lifetime_hours = 24 * 7;

[[noreturn]] void fail_field(std::string field, std::string code, std::string message) {
  throw http::problem_error(http::problems::validation_failed({{std::move(field), std::move(code), std::move(message)}}));
}

[[noreturn]] void conflict_field(std::string field, std::string code, std::string message) {
  auto p = http::problems::make(409, code, code == "email_taken" ? "E-mail taken" : "Conflict", message);
  p.errors.push_back({std::move(field), std::move(code), std::move(message)});
  throw http::problem_error(std::move(p));
}

json parse_row_json(const pqxx::field& f) { return json::parse(f.c_str()); }

std::string lower_ascii(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

struct page {
  int limit = 50;
  std::string cursor;  // the last id of the previous page
};

page page_of(const request& req) {
  page p;
  if (auto limit = req.query_param("limit")) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc{} || end != limit->data() + limit->size()) {
      throw http::problem_error(http::problems::validation_failed(
          {{"limit", "bad_format", "limit must be a whole number from 1 to 200."}}));
    }
    if (value < 1 || value > 200) {
      throw http::problem_error(http::problems::validation_failed(
          {{"limit", "out_of_range", "limit must be a whole number from 1 to 200."}}));
    }
    p.limit = value;
  }
  if (auto cursor = req.query_param("cursor")) {
    if (!is_uuid(*cursor)) {
      throw http::problem_error(
          http::problems::validation_failed({{"cursor", "bad_format", "cursor must be a next_cursor from a previous page."}}));
    }
    p.cursor = lower_ascii(*cursor);
  }
  return p;
}

// `items` as read with LIMIT page.limit + 1: the extra one, if any, says there is a next page.
json page_json(json items, const page& p) {
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  if (items.size() > static_cast<std::size_t>(p.limit)) {
    items.erase(items.begin() + p.limit, items.end());
    out["next_cursor"] = items.back()["id"];
  }
  out["items"] = std::move(items);
  return out;
}

response created(json body, std::string location = {}) {
  auto res = response::json(body, 201);
  if (!location.empty()) res.set_header("Location", std::move(location));
  return res;
}

response with_no_store(response res) {
  res.set_header("Cache-Control", "no-store");
  return res;
}

std::string link(const service::context& ctx, std::string_view page_path, std::string_view token) {
  return ctx.config.auth.public_url + std::string(page_path) + "#token=" + std::string(token);
}

// --- shared statements -------------------------------------------------------------------

constexpr db::query user_by_id{"intake.user_by_id",
                               "SELECT identity.user_json(u)::text FROM identity.users u WHERE u.id = $1"};
constexpr db::query organisation_by_id{
    "intake.organisation_by_id",
    "SELECT identity.organisation_json(o)::text, o.version FROM identity.organisations o WHERE o.id = $1"};
constexpr db::query email_taken{"intake.email_taken",
                                "SELECT EXISTS (SELECT 1 FROM identity.users WHERE lower(email) = lower($1))"};
constexpr db::query insert_email_token{
    "intake.insert_email_token",
    "INSERT INTO identity.email_tokens (token_hash, purpose, user_id, expires_at) "
    "VALUES ($1, $2, $3, now() + make_interval(hours => $4))"};
constexpr db::query revoke_sessions{
    "intake.revoke_sessions",
    "UPDATE identity.sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"};
constexpr db::query revoke_api_tokens{
    "intake.revoke_api_tokens",
    "UPDATE identity.api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"};

// Ends every session of the account and, when its owner may have lost control of it
// (disabled, removed, password reset by mail), its API tokens too.
enum class tokens_too { no, yes };
void sign_out_everywhere(db::connection& c, pqxx::work& tx, const std::string& user_id, tokens_too tokens) {
  c.exec(tx, revoke_sessions, user_id);
  if (tokens == tokens_too::yes) c.exec(tx, revoke_api_tokens, user_id);
}
constexpr db::query insert_session{
    "intake.insert_session",
    "INSERT INTO identity.sessions (user_id, token_hash, expires_at, client_address, user_agent) "
    "VALUES ($1, $2, now() + make_interval(secs => $3), $4, NULLIF($5, '')) "
    "RETURNING id, identity.ts(expires_at)"};

struct new_session {
  std::string token;
  std::string id;
  std::string expires_at;
};

new_session open_session(db::connection& c, pqxx::work& tx, const service::context& ctx, const std::string& user_id,
                         const request& req, const std::string& user_agent) {
  new_session s;
  s.token = identity::random_token();
  auto row = c.exec(tx, insert_session, user_id, pqxx::binarystring(identity::sha256(s.token)),
                    static_cast<double>(ctx.config.auth.session_lifetime.count()), req.client_address,
                    user_agent.substr(0, 300))[0];
  s.id = row[0].as<std::string>();
  s.expires_at = row[1].as<std::string>();
  return s;
}

response session_response(const service::context& ctx, json user, const new_session& s, unsigned status) {
  json body = {{"user", std::move(user)},
               {"csrf_token", identity::csrf_token_for(s.token)},
               {"session", {{"expires_at", s.expires_at}, {"idle_timeout_s", ctx.config.auth.session_idle.count()}}}};
  auto res = with_no_store(response::json(body, status));
  res.set_header("Set-Cookie", identity::session_cookie(ctx.config.auth, s.token));
  return res;
}


// The key an attempt is counted under: the client address as it is, or for an account the
// SHA-256 of the address as Postgres lower-cases it (the comparison the sign-in uses), so that
// no letter case makes a new counter and no typed text is stored.
#define CASECALL_ATTEMPT_KEY \
  "CASE WHEN $1 LIKE '%\\_account' THEN encode(sha256(convert_to(lower($2), 'UTF8')), 'hex') ELSE $2 END"

// Counts attempts of `kind` for `key` in the window; when at the limit, the seconds until the
// oldest leaves the window.
std::optional<unsigned> limited(db::connection& c, pqxx::work& tx, const char* kind, const std::string& key,
                                int limit, std::chrono::seconds window) {
  static constexpr db::query count_attempts{
      "intake.count_attempts",
      "SELECT count(*), coalesce(ceil(extract(epoch FROM min(at) + make_interval(secs => $3) - now())), 0) "
      "FROM (SELECT at FROM identity.attempts WHERE kind = $1 AND key = " CASECALL_ATTEMPT_KEY " "
      "AND at > now() - make_interval(secs => $3) ORDER BY at DESC LIMIT $4) recent"};
  auto row = c.exec(tx, count_attempts, kind, key, static_cast<double>(window.count()), limit)[0];
  if (row[0].as<int>() < limit) return std::nullopt;
  return static_cast<unsigned>(std::max(1.0, row[1].as<double>()));
}

void count_attempt(db::connection& c, pqxx::work& tx, const char* kind, const std::string& key) {
  // Attempts older than the longest window count for nothing; now and then they go.
  static constexpr db::query insert_attempt{
      "intake.insert_attempt",
      "WITH purge AS (DELETE FROM identity.attempts WHERE at < now() - interval '1 day' "
      "AND (SELECT random()) < 0.01) "
      "INSERT INTO identity.attempts (kind, key) VALUES ($1, " CASECALL_ATTEMPT_KEY ")"};
  c.exec(tx, insert_attempt, kind, key);
}

void forget_attempts(db::connection& c, pqxx::work& tx, const char* kind, const std::string& key) {
  static constexpr db::query delete_attempts{
      "intake.delete_attempts", "DELETE FROM identity.attempts WHERE kind = $1 AND key = " CASECALL_ATTEMPT_KEY};
  c.exec(tx, delete_attempts, kind, key);
}

// An address typed where no account has it: audited by digest, never as typed (it may be a
// password typed into the wrong box).
std::string typed_account_digest(const std::string& typed) { return identity::sha256_hex(lower_ascii(typed)); }

// Reset links still out for the account stop working once its password has changed.
void end_reset_links(pqxx::work& tx, const std::string& user_id) {
  tx.exec_params(
      "UPDATE identity.email_tokens SET expires_at = least(expires_at, now()) "
      "WHERE user_id = $1 AND purpose = 'password_reset' AND used_at IS NULL",
      user_id);
}

// --- handlers ----------------------------------------------------------------------------

struct api {
  service::context& ctx;
  const http::schema_set& schemas;

  json body(const request& req, std::string_view schema) const {
    return http::parse_json_body(req, schemas.at(schema));
  }

  // POST /registrations: a partner organisation and its owner's account, unverified.
  http::awaitable<response> registration(request& req) const {
    auto in = body(req, "registration-request.json");
    const auto& account = in["account"];
    const auto& org = in["organisation"];
    if (auto bad = identity::check_password(account["password"].get<std::string>(), "/account/password")) {
      throw http::problem_error(http::problems::validation_failed({*bad}));
    }
    std::string hash;
    auto token = identity::random_token();
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      // Each registration sends a mail to an address nobody has proved yet: limited per client.
      const auto& a = ctx.config.auth;
      if (auto wait = limited(c, tx, "register_address", req.client_address, a.resets_per_address, a.reset_window)) {
        throw http::problem_error(http::problems::too_many_requests(
            "too_many_attempts", "Too many registrations from this address; wait before registering again.", *wait));
      }
      count_attempt(c, tx, "register_address", req.client_address);
      const auto email = account["email"].get<std::string>();
      if (c.exec(tx, email_taken, email)[0][0].as<bool>()) {
        conflict_field("/account/email", "email_taken", "An account with this e-mail address exists already.");
      }
      auto org_row = tx.exec_params(
          "INSERT INTO identity.organisations (names, country, kind, purpose, website, address, phone, email_domains) "
          "VALUES ($1::jsonb, $2, $3, 'partner', $4, $5, $6, "
          "ARRAY(SELECT jsonb_array_elements_text($7::jsonb))) "
          "RETURNING id, identity.organisation_json(organisations)::text",
          org["names"].dump(), org["country"].get<std::string>(), org["kind"].get<std::string>(),
          org.contains("website") ? std::optional(org["website"].get<std::string>()) : std::nullopt,
          org["address"].get<std::string>(),
          org.contains("phone") ? std::optional(org["phone"].get<std::string>()) : std::nullopt,
          org.value("email_domains", json::array()).dump())[0];
      const auto org_id = org_row[0].as<std::string>();
      if (hash.empty()) hash = identity::hash_password(account["password"].get<std::string>());
      auto user_row = tx.exec_params(
          "INSERT INTO identity.users (email, name, language, role, organisation_id, organisation_role, position, "
          "password_hash) VALUES ($1, $2, $3, 'partner', $4, 'owner', $5, $6) "
          "RETURNING id, identity.user_json(users)::text",
          email, account["name"].get<std::string>(), account["language"].get<std::string>(), org_id,
          account.contains("position") ? std::optional(account["position"].get<std::string>()) : std::nullopt,
          hash)[0];
      const auto user_id = user_row[0].as<std::string>();
      c.exec(tx, insert_email_token, pqxx::binarystring(identity::sha256(token)), "verify_email", user_id,
             verify_email_lifetime_hours);
      mail::enqueue_template(c, tx, "verify_email", account["language"].get<std::string>(), email,
                             account["name"].get<std::string>(),
                             {{"name", account["name"].get<std::string>()},
                              {"link", link(ctx, "/app/verify-email", token)},
                              {"hours", std::to_string(verify_email_lifetime_hours)}},
                             req.request_id);
      auto org_json = parse_row_json(org_row[1]);
      auto user_json = parse_row_json(user_row[1]);
      auto e = identity::audit_event(req, stream, "organisation.registered", "organisation", org_id);
      e.after = org_json;
      audit::record(c, tx, e);
      e = identity::audit_event(req, stream, "user.registered", "user", user_id);
      e.after = user_json;
      audit::record(c, tx, std::move(e));
      return {{"organisation", org_json}, {"user", user_json}};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return created(out);
  }

  // Looks up a single-use token; throws the problem for an unknown, used or expired one.
  static pqxx::row live_email_token(pqxx::work& tx, const std::string& token, const char* purpose) {
    auto rows = tx.exec_params(
        "SELECT user_id, used_at IS NOT NULL, expires_at <= now() FROM identity.email_tokens "
        "WHERE token_hash = $1 AND purpose = $2 FOR UPDATE",
        pqxx::binarystring(identity::sha256(token)), purpose);
    if (rows.empty()) fail(400, "unknown_token", "Unknown link", "This link is not one we sent; ask for a new one.");
    if (rows[0][1].as<bool>()) fail(410, "token_used", "Link already used", "This link has been used already; ask for a new one.");
    if (rows[0][2].as<bool>()) fail(410, "token_expired", "Link expired", "This link has expired; ask for a new one.");
    return rows[0];
  }

  // POST /email-verifications
  http::awaitable<response> verify_email(request& req) const {
    auto in = body(req, "token-request.json");
    auto token = in["token"].get<std::string>();
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      auto row = live_email_token(tx, token, "verify_email");
      const auto user_id = row[0].as<std::string>();
      tx.exec_params("UPDATE identity.email_tokens SET used_at = now() WHERE token_hash = $1",
                     pqxx::binarystring(identity::sha256(token)));
      tx.exec_params(
          "UPDATE identity.users SET email_verified_at = coalesce(email_verified_at, now()) "
          "WHERE id = $1",
          user_id);
      auto e = identity::audit_event(req, stream, "user.email_verified", "user", user_id);
      e.actor_kind = "user";
      e.actor_id = user_id;
      audit::record(c, tx, std::move(e));
      return parse_row_json(c.exec(tx, user_by_id, user_id)[0][0]);
    };
    auto user = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"user", user}});
  }

  // POST /email-verifications/resend: a new link for an address not yet verified; always 202.
  http::awaitable<response> resend_verification(request& req) const {
    static const mail_link verification{.schema = "verification-resend-request.json",
                                        .account_attempts = "verify_account",
                                        .address_attempts = "verify_address",
                                        .accounts = "email_verified_at IS NULL",
                                        .purpose = "verify_email",
                                        .audit_action = "user.verification_resent",
                                        .page = "/app/verify-email",
                                        .hours = verify_email_lifetime_hours,
                                        .refused = "Too many requests for a verification mail; wait before asking again.",
                                        .accepted = "If this address has an account waiting for verification, a new "
                                                    "link is on its way."};
    return send_mail_link(req, verification);
  }

  // POST /sessions: sign in.
  http::awaitable<response> login(request& req) const {
    auto in = body(req, "login-request.json");
    const auto email = in["email"].get<std::string>();
    const auto password = in["password"].get<std::string>();
    const auto previous = identity::session_token_from(req, ctx.config.auth);
    const std::string user_agent(req.header("User-Agent"));
    struct outcome {
      std::optional<unsigned> retry_after;
      std::string refusal;  // invalid_credentials, email_not_verified, account_disabled
      json user;
      new_session session;
    };
    auto work = [&](db::connection& c, pqxx::work& tx) -> outcome {
      const auto& a = ctx.config.auth;
      outcome out;
      auto wait_account = limited(c, tx, "login_account", email, a.login_failures_per_account, a.login_window);
      auto wait_address = limited(c, tx, "login_address", req.client_address, a.login_failures_per_address, a.login_window);
      if (wait_account || wait_address) {
        // Refused before any password is looked at; not audited, so that it costs nothing.
        out.retry_after = std::max(wait_account.value_or(0), wait_address.value_or(0));
        return out;
      }
      auto rows = tx.exec_params(
          "SELECT id, password_hash, email_verified_at IS NOT NULL, disabled_at IS NOT NULL, "
          "identity.user_json(u)::text FROM identity.users u WHERE lower(email) = lower($1)",
          email);
      bool ok = false;
      if (rows.empty() || rows[0][1].is_null()) {
        identity::burn_password_time(password);
      } else {
        ok = identity::verify_password(rows[0][1].as<std::string>(), password);
      }
      if (!ok) {
        count_attempt(c, tx, "login_account", email);
        count_attempt(c, tx, "login_address", req.client_address);
        auto e = identity::audit_event(req, stream, "session.login_failed", rows.empty() ? "" : "user",
                                       rows.empty() ? "" : rows[0][0].as<std::string>());
        if (rows.empty()) e.detail["typed_account_digest"] = typed_account_digest(email);
        audit::record(c, tx, std::move(e));
        out.refusal = "invalid_credentials";
        return out;
      }
      const auto user_id = rows[0][0].as<std::string>();
      if (rows[0][3].as<bool>()) {
        out.refusal = "account_disabled";
      } else if (!rows[0][2].as<bool>()) {
        out.refusal = "email_not_verified";
      }
      if (!out.refusal.empty()) {
        auto e = identity::audit_event(req, stream, "session.login_refused", "user", user_id);
        e.detail["reason"] = out.refusal;
        audit::record(c, tx, std::move(e));
        return out;
      }
      // Rotation: the session this browser held, if any, ends with the new sign-in.
      if (previous) {
        tx.exec_params("UPDATE identity.sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
                       pqxx::binarystring(identity::sha256(*previous)));
      }
      forget_attempts(c, tx, "login_account", email);
      out.session = open_session(c, tx, ctx, user_id, req, user_agent);
      out.user = parse_row_json(rows[0][4]);
      auto e = identity::audit_event(req, stream, "session.login", "user", user_id);
      e.actor_kind = "user";
      e.actor_id = user_id;
      e.detail["session_id"] = out.session.id;
      audit::record(c, tx, std::move(e));
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (out.retry_after) {
      throw http::problem_error(http::problems::too_many_requests(
          "too_many_attempts", "Too many failed sign-ins; wait before trying again.", *out.retry_after));
    }
    if (out.refusal == "invalid_credentials") {
      fail(401, "invalid_credentials", "Wrong e-mail or password", "The e-mail address or the password is wrong.");
    }
    if (out.refusal == "account_disabled") {
      fail(403, "account_disabled", "Account disabled", "This account has been disabled by an administrator.");
    }
    if (out.refusal == "email_not_verified") {
      fail(403, "email_not_verified", "E-mail not verified",
           "Open the link in the verification mail first; it can be sent again from the sign-in page.");
    }
    co_return session_response(ctx, std::move(out.user), out.session, 201);
  }

  // DELETE /sessions/current: sign out.
  http::awaitable<response> logout(request& req) const {
    const auto& me = identity::caller(req);
    if (me.how != principal::via::session) {
      fail(400, "not_a_session", "Not a session", "Signing out ends a browser session; revoke API tokens instead.");
    }
    auto work = [&](db::connection& c, pqxx::work& tx) {
      tx.exec_params("UPDATE identity.sessions SET revoked_at = now() WHERE id = $1", me.session_id);
      auto e = identity::audit_event(req, stream, "session.logout", "session", me.session_id);
      audit::record(c, tx, std::move(e));
    };
    co_await db::transact(ctx.db, std::move(work));
    auto res = response::no_content();
    res.set_header("Set-Cookie", identity::expired_session_cookie(ctx.config.auth));
    co_return res;
  }

  json me_json(db::connection& c, pqxx::work& tx, const principal& me) const {
    json out = {{"user", parse_row_json(c.exec(tx, user_by_id, me.user_id)[0][0])},
                {"organisation", nullptr},
                {"via", me.how == principal::via::session ? "session" : "api_token"}};
    if (!me.organisation_id.empty()) {
      out["organisation"] = parse_row_json(c.exec(tx, organisation_by_id, me.organisation_id)[0][0]);
    }
    if (me.how == principal::via::session) out["csrf_token"] = identity::csrf_token_for(me.session_token);
    if (me.how == principal::via::api_token) out["scopes"] = me.scopes;
    return out;
  }

  static response me_response(const json& out) {
    auto res = with_no_store(response::json(out));
    res.set_header("ETag", etag(out["user"]["version"].get<int>()));
    return res;
  }

  // GET /me
  http::awaitable<response> me(request& req) const {
    const auto& me = identity::caller(req);
    auto work = [&](db::connection& c, pqxx::work& tx) { return me_json(c, tx, me); };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return me_response(out);
  }

  // PATCH /me: If-Match required.
  http::awaitable<response> update_me(request& req) const {
    const auto& me = identity::caller(req);
    auto in = body(req, "me-update-request.json");
    const auto expected = if_match_version(req);
    auto work = [&](db::connection& c, pqxx::work& tx) {
      auto before = parse_row_json(
          tx.exec_params1("SELECT identity.user_json(u)::text FROM identity.users u WHERE id = $1 FOR UPDATE", me.user_id)[0]);
      check_version(expected, before["version"].get<int>(), "account");
      tx.exec_params(
          "UPDATE identity.users SET name = coalesce($2, name), language = coalesce($3, language), "
          "position = CASE WHEN $4 THEN $5 ELSE position END WHERE id = $1",
          me.user_id, in.contains("name") ? std::optional(in["name"].get<std::string>()) : std::nullopt,
          in.contains("language") ? std::optional(in["language"].get<std::string>()) : std::nullopt,
          in.contains("position"),
          in.contains("position") && !in["position"].get<std::string>().empty()
              ? std::optional(in["position"].get<std::string>())
              : std::nullopt);
      auto e = identity::audit_event(req, stream, "user.updated", "user", me.user_id);
      e.before = before;
      e.after = parse_row_json(c.exec(tx, user_by_id, me.user_id)[0][0]);
      audit::record(c, tx, e);
      return me_json(c, tx, me);
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return me_response(out);
  }

  // PUT /me/password: every session ends; this browser gets a new one.
  http::awaitable<response> change_password(request& req) const {
    const auto& me = identity::caller(req);
    if (me.how != principal::via::session) {
      fail(403, "session_required", "Session required", "Passwords are changed in a signed-in browser, not with an API token.");
    }
    auto in = body(req, "password-change-request.json");
    const auto next = in["new_password"].get<std::string>();
    if (auto bad = identity::check_password(next, "/new_password")) {
      throw http::problem_error(http::problems::validation_failed({*bad}));
    }
    std::string hash;
    const std::string user_agent(req.header("User-Agent"));
    struct outcome {
      std::optional<unsigned> retry_after;
      bool wrong = false;
      json user;
      new_session session;
    };
    // A wrong current password counts as a failed sign-in: a stolen session cannot guess it
    // faster than a stranger could.
    auto work = [&](db::connection& c, pqxx::work& tx) -> outcome {
      const auto& a = ctx.config.auth;
      outcome out;
      out.retry_after = limited(c, tx, "login_account", me.email, a.login_failures_per_account, a.login_window);
      if (out.retry_after) return out;
      auto row = tx.exec_params1("SELECT password_hash FROM identity.users WHERE id = $1 FOR UPDATE", me.user_id);
      if (row[0].is_null() || !identity::verify_password(row[0].as<std::string>(), in["current_password"].get<std::string>())) {
        count_attempt(c, tx, "login_account", me.email);
        audit::record(c, tx, identity::audit_event(req, stream, "user.password_change_failed", "user", me.user_id));
        out.wrong = true;
        return out;
      }
      if (hash.empty()) hash = identity::hash_password(next);
      tx.exec_params("UPDATE identity.users SET password_hash = $2 WHERE id = $1", me.user_id, hash);
      sign_out_everywhere(c, tx, me.user_id, tokens_too::no);
      end_reset_links(tx, me.user_id);
      out.session = open_session(c, tx, ctx, me.user_id, req, user_agent);
      out.user = parse_row_json(c.exec(tx, user_by_id, me.user_id)[0][0]);
      mail::enqueue_template(c, tx, "password_changed", me.language, me.email, me.name,
                             {{"name", me.name}, {"support", ctx.config.mail.support_address}}, req.request_id);
      audit::record(c, tx, identity::audit_event(req, stream, "user.password_changed", "user", me.user_id));
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (out.retry_after) {
      throw http::problem_error(http::problems::too_many_requests(
          "too_many_attempts", "Too many wrong passwords for this account; wait before trying again.", *out.retry_after));
    }
    if (out.wrong) fail_field("/current_password", "wrong_password", "The current password is wrong.");
    co_return session_response(ctx, std::move(out.user), out.session, 200);
  }

  // POST /password-resets: always 202, whether or not the address has an account.
  http::awaitable<response> request_reset(request& req) const {
    static const mail_link reset{.schema = "password-reset-request.json",
                                 .account_attempts = "reset_account",
                                 .address_attempts = "reset_address",
                                 .accounts = "true",
                                 .purpose = "password_reset",
                                 .audit_action = "user.password_reset_requested",
                                 .page = "/app/reset-password",
                                 .hours = reset_lifetime_hours,
                                 .refused = "Too many password-reset requests; wait before asking again.",
                                 .accepted = "If an account has this address, a reset link is on its way."};
    return send_mail_link(req, reset);
  }

  // What a request for a single-use link by mail (password reset, new verification link) is.
  struct mail_link {
    const char* schema;            // the body: {email}
    const char* account_attempts;  // rate-limit kinds, per account and per client address
    const char* address_attempts;
    const char* accounts;          // SQL: which enabled accounts get the link
    const char* purpose;           // identity.email_tokens.purpose, and the mail template
    const char* audit_action;
    const char* page;              // where the link points
    int hours;                     // how long the link lives
    const char* refused;           // the 429's detail
    const char* accepted;          // the 202's detail
  };

  // Rate-limited per account and client address; answers 202 whether or not an account has
  // the address (no account enumeration). The new link replaces any still out, and goes to
  // the stored address; the request is audited, an unknown address by digest only.
  http::awaitable<response> send_mail_link(request& req, const mail_link& kind) const {
    auto in = body(req, kind.schema);
    const auto email = in["email"].get<std::string>();
    auto token = identity::random_token();
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<unsigned> {
      const auto& a = ctx.config.auth;
      auto wait_account = limited(c, tx, kind.account_attempts, email, a.resets_per_account, a.reset_window);
      auto wait_address = limited(c, tx, kind.address_attempts, req.client_address, a.resets_per_address, a.reset_window);
      if (wait_account || wait_address) return std::max(wait_account.value_or(0), wait_address.value_or(0));
      count_attempt(c, tx, kind.account_attempts, email);
      count_attempt(c, tx, kind.address_attempts, req.client_address);
      auto rows = tx.exec_params(std::string("SELECT id, name, language, email FROM identity.users "
                                             "WHERE lower(email) = lower($1) AND disabled_at IS NULL AND ") +
                                     kind.accounts,
                                 email);
      auto e = identity::audit_event(req, stream, kind.audit_action, rows.empty() ? "" : "user",
                                     rows.empty() ? "" : rows[0][0].as<std::string>());
      if (rows.empty()) e.detail["typed_account_digest"] = typed_account_digest(email);
      audit::record(c, tx, std::move(e));
      if (rows.empty()) return std::nullopt;
      const auto user_id = rows[0][0].as<std::string>();
      tx.exec_params(
          "UPDATE identity.email_tokens SET expires_at = least(expires_at, now()) "
          "WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
          user_id, kind.purpose);
      c.exec(tx, insert_email_token, pqxx::binarystring(identity::sha256(token)), kind.purpose, user_id, kind.hours);
      const auto name = rows[0][1].as<std::string>();
      mail::enqueue_template(c, tx, kind.purpose, rows[0][2].as<std::string>(), rows[0][3].as<std::string>(), name,
                             {{"name", name}, {"link", link(ctx, kind.page, token)}, {"hours", std::to_string(kind.hours)}},
                             req.request_id);
      return std::nullopt;
    };
    auto wait = co_await db::transact(ctx.db, std::move(work));
    if (wait) throw http::problem_error(http::problems::too_many_requests("too_many_attempts", kind.refused, *wait));
    co_return response::json({{"status", "accepted"}, {"detail", kind.accepted}}, 202);
  }

  // POST /password-resets/confirm
  http::awaitable<response> confirm_reset(request& req) const {
    auto in = body(req, "password-reset-confirm-request.json");
    const auto password = in["password"].get<std::string>();
    if (auto bad = identity::check_password(password, "/password")) {
      throw http::problem_error(http::problems::validation_failed({*bad}));
    }
    std::string hash;
    const auto token = in["token"].get<std::string>();
    auto work = [&](db::connection& c, pqxx::work& tx) {
      auto row = live_email_token(tx, token, "password_reset");
      // Only a live link costs an argon2 hash.
      if (hash.empty()) hash = identity::hash_password(password);
      const auto user_id = row[0].as<std::string>();
      tx.exec_params("UPDATE identity.email_tokens SET used_at = now() WHERE token_hash = $1",
                     pqxx::binarystring(identity::sha256(token)));
      end_reset_links(tx, user_id);
      auto user = tx.exec_params1(
          "UPDATE identity.users SET password_hash = $2, email_verified_at = coalesce(email_verified_at, now()) "
          "WHERE id = $1 RETURNING email, name, language",
          user_id, hash);
      sign_out_everywhere(c, tx, user_id, tokens_too::yes);
      mail::enqueue_template(c, tx, "password_changed", user[2].as<std::string>(), user[0].as<std::string>(),
                             user[1].as<std::string>(),
                             {{"name", user[1].as<std::string>()}, {"support", ctx.config.mail.support_address}},
                             req.request_id);
      auto e = identity::audit_event(req, stream, "user.password_reset", "user", user_id);
      e.actor_kind = "user";
      e.actor_id = user_id;
      audit::record(c, tx, std::move(e));
    };
    co_await db::transact(ctx.db, std::move(work));
    co_return response::no_content();
  }

  // One page of a list that only administrators see: `sql` takes the cursor ($1) and the
  // limit ($2) and selects JSON texts in id order.
  http::awaitable<response> admin_page(request& req, const char* sql) const {
    auto p = page_of(req);
    auto work = [&](db::connection&, pqxx::work& tx) { return db::json_items(tx.exec_params(sql, p.cursor, p.limit + 1)); };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json(page_json(std::move(items), p));
  }

  // GET /organisations (administrators)
  http::awaitable<response> list_organisations(request& req) const {
    return admin_page(req,
                      "SELECT identity.organisation_json(o)::text FROM identity.organisations o "
                      "WHERE ($1 = '' OR o.id > $1::uuid) ORDER BY o.id LIMIT $2");
  }

  // POST /organisations (administrators)
  http::awaitable<response> create_organisation(request& req) const {
    auto in = body(req, "organisation-create-request.json");
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      if (in.contains("parent_id") &&
          tx.exec_params("SELECT 1 FROM identity.organisations WHERE id = $1", in["parent_id"].get<std::string>())
              .empty()) {
        fail_field("/parent_id", "unknown", "There is no organisation with this id.");
      }
      auto row = tx.exec_params(
          "INSERT INTO identity.organisations (names, country, kind, purpose, parent_id, website, address, phone, "
          "email_domains) VALUES ($1::jsonb, $2, $3, $4, $5, $6, $7, $8, "
          "ARRAY(SELECT jsonb_array_elements_text($9::jsonb))) "
          "RETURNING id, identity.organisation_json(organisations)::text",
          in["names"].dump(), in["country"].get<std::string>(), in["kind"].get<std::string>(),
          in["purpose"].get<std::string>(),
          in.contains("parent_id") ? std::optional(in["parent_id"].get<std::string>()) : std::nullopt,
          in.contains("website") ? std::optional(in["website"].get<std::string>()) : std::nullopt,
          in.contains("address") ? std::optional(in["address"].get<std::string>()) : std::nullopt,
          in.contains("phone") ? std::optional(in["phone"].get<std::string>()) : std::nullopt,
          in.value("email_domains", json::array()).dump())[0];
      auto out = parse_row_json(row[1]);
      auto e = identity::audit_event(req, stream, "organisation.created", "organisation", row[0].as<std::string>());
      e.after = out;
      audit::record(c, tx, std::move(e));
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    auto id = out["id"].get<std::string>();
    auto res = created(out, "/api/intake/v1/organisations/" + id);
    res.set_header("ETag", etag(out["version"].get<int>()));
    co_return res;
  }

  // Whether the caller may see the organisation: its own, or any for an administrator. When
  // not, the refusal is audited and the answer is 404, as for an organisation that does not exist.
  static bool may_see(db::connection& c, pqxx::work& tx, const request& req, const std::string& org_id) {
    const auto& me = identity::caller(req);
    if (me.is_admin() || me.belongs_to(org_id)) return true;
    audit::record(c, tx, not_yours(req, "organisation", org_id));
    return false;
  }

  // The audit record of a refusal that answers 404: another organisation's data.
  static audit::event not_yours(const request& req, std::string object_type, std::string object_id) {
    auto e = identity::audit_event(req, stream, "access.denied", std::move(object_type), std::move(object_id));
    e.detail["reason"] = "not_own_organisation";
    e.detail["route"] = std::string(req.route_name);
    return e;
  }

  // Records the refusal, then answers 404.
  http::awaitable<void> refuse_as_not_found(const request& req, std::string object_type, std::string object_id) const {
    auto e = not_yours(req, std::move(object_type), std::move(object_id));
    auto work = [&e](db::connection& c, pqxx::work& tx) { audit::record(c, tx, e); };
    co_await db::transact(ctx.db, std::move(work));
    not_found();
  }

  // GET /organisations/{id}
  http::awaitable<response> get_organisation(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<std::pair<json, int>> {
      if (!may_see(c, tx, req, id)) return std::nullopt;
      auto rows = c.exec(tx, organisation_by_id, id);
      if (rows.empty()) return std::nullopt;
      return std::pair{parse_row_json(rows[0][0]), rows[0][1].as<int>()};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    auto res = response::json(out->first);
    res.set_header("ETag", etag(out->second));
    co_return res;
  }

  // PATCH /organisations/{id}: its owners, or administrators; If-Match required.
  http::awaitable<response> update_organisation(request& req) const {
    const auto id = uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      if (!may_see(c, tx, req, id)) return std::nullopt;
      auto rows = tx.exec_params(
          "SELECT identity.organisation_json(o)::text, o.version FROM identity.organisations o WHERE id = $1 FOR UPDATE",
          id);
      if (rows.empty()) return std::nullopt;
      if (!me.is_admin() && !me.is_owner_of(id)) {
        fail(403, "not_owner", "Owners only", "Only an owner of the organisation may change it.");
      }
      auto in = body(req, "organisation-update-request.json");
      check_version(if_match_version(req), rows[0][1].as<int>(), "organisation");
      if (in.contains("parent_id") && !me.is_admin()) {
        fail_field("/parent_id", "not_allowed", "Only administrators place an organisation under another.");
      }
      if (in.contains("parent_id") && in["parent_id"].is_string()) {
        auto parent = in["parent_id"].get<std::string>();
        auto cycle = tx.exec_params1(
            "WITH RECURSIVE up AS (SELECT id, parent_id FROM identity.organisations WHERE id = $1 "
            "UNION SELECT o.id, o.parent_id FROM identity.organisations o JOIN up ON o.id = up.parent_id) "
            "SELECT count(*) FILTER (WHERE id = $2), count(*) FROM up",
            parent, id);
        if (cycle[1].as<int>() == 0) fail_field("/parent_id", "unknown", "There is no organisation with this id.");
        if (cycle[0].as<int>() > 0) fail_field("/parent_id", "cycle", "An organisation cannot be placed under itself.");
      }
      auto before = parse_row_json(rows[0][0]);
      auto opt = [&](const char* key) {
        return in.contains(key) && !in[key].is_null() ? std::optional(in[key].is_string() ? in[key].get<std::string>() : in[key].dump())
                                                      : std::nullopt;
      };
      auto row = tx.exec_params(
          "UPDATE identity.organisations SET names = coalesce($2::jsonb, names), country = coalesce($3, country), "
          "kind = coalesce($4, kind), parent_id = CASE WHEN $5 THEN $6::uuid ELSE parent_id END, "
          "website = coalesce($7, website), address = coalesce($8, address), phone = coalesce($9, phone), "
          "email_domains = CASE WHEN $10::jsonb IS NULL THEN email_domains "
          "ELSE ARRAY(SELECT jsonb_array_elements_text($10::jsonb)) END "
          "WHERE id = $1 "
          "RETURNING identity.organisation_json(organisations)::text",
          id, opt("names"), opt("country"), opt("kind"), in.contains("parent_id"), opt("parent_id"), opt("website"),
          opt("address"), opt("phone"), opt("email_domains"))[0];
      auto after = parse_row_json(row[0]);
      auto e = identity::audit_event(req, stream, "organisation.updated", "organisation", id);
      e.before = before;
      e.after = after;
      audit::record(c, tx, std::move(e));
      return after;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    auto res = response::json(*out);
    res.set_header("ETag", etag((*out)["version"].get<int>()));
    co_return res;
  }

  // GET /organisations/{id}/members: its members, or administrators.
  http::awaitable<response> list_members(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      if (!may_see(c, tx, req, id)) return std::nullopt;
      if (c.exec(tx, organisation_by_id, id).empty()) return std::nullopt;
      auto rows = tx.exec_params(
          "SELECT identity.user_json(u)::text FROM identity.users u WHERE organisation_id = $1 ORDER BY created_at, id",
          id);
      return json{{"items", db::json_items(rows)}};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
  }

  // Loads a member of the organisation for a change by its owner or an administrator.
  static std::optional<pqxx::row> member_for_change(db::connection& c, pqxx::work& tx, const request& req,
                                                    const std::string& org_id, const std::string& user_id) {
    const auto& me = identity::caller(req);
    if (!may_see(c, tx, req, org_id)) return std::nullopt;
    // One change to an organisation's members at a time: two owners demoting each other
    // at once must not leave it without one.
    if (tx.exec_params("SELECT 1 FROM identity.organisations WHERE id = $1 FOR UPDATE", org_id).empty()) {
      return std::nullopt;
    }
    auto rows = tx.exec_params(
        "SELECT identity.user_json(u)::text, organisation_role FROM identity.users u "
        "WHERE id = $1 AND organisation_id = $2 AND role = 'partner' FOR UPDATE",
        user_id, org_id);
    if (rows.empty()) return std::nullopt;
    if (!me.is_admin() && !me.is_owner_of(org_id)) {
      fail(403, "not_owner", "Owners only", "Only an owner of the organisation may change its members.");
    }
    return rows[0];
  }

  static void keep_an_owner(pqxx::work& tx, const std::string& org_id, const std::string& user_id) {
    auto others = tx.exec_params1(
        "SELECT count(*) FROM identity.users WHERE organisation_id = $1 AND organisation_role = 'owner' "
        "AND disabled_at IS NULL AND id <> $2",
        org_id, user_id)[0].as<int>();
    if (others == 0) {
      fail(409, "last_owner", "Last owner", "An organisation keeps at least one owner; make another member owner first.");
    }
  }

  // PATCH /organisations/{id}/members/{user_id}
  http::awaitable<response> update_member(request& req) const {
    const auto org_id = uuid_param(req, "id");
    const auto user_id = uuid_param(req, "user_id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto member = member_for_change(c, tx, req, org_id, user_id);
      if (!member) return std::nullopt;
      auto in = body(req, "member-update-request.json");
      const auto role = in["organisation_role"].get<std::string>();
      if (role == "member" && (*member)[1].as<std::string>() == "owner") keep_an_owner(tx, org_id, user_id);
      tx.exec_params("UPDATE identity.users SET organisation_role = $2 WHERE id = $1", user_id, role);
      auto after = parse_row_json(c.exec(tx, user_by_id, user_id)[0][0]);
      auto e = identity::audit_event(req, stream, "user.role_changed", "user", user_id);
      e.before = parse_row_json((*member)[0]);
      e.after = after;
      e.detail = {{"organisation_role", role}, {"organisation_id", org_id}};
      audit::record(c, tx, std::move(e));
      return after;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
  }

  // DELETE /organisations/{id}/members/{user_id}: the account is disabled and signed out.
  http::awaitable<response> remove_member(request& req) const {
    const auto org_id = uuid_param(req, "id");
    const auto user_id = uuid_param(req, "user_id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> bool {
      auto member = member_for_change(c, tx, req, org_id, user_id);
      if (!member) return false;
      if ((*member)[1].as<std::string>() == "owner") keep_an_owner(tx, org_id, user_id);
      tx.exec_params("UPDATE identity.users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1",
                     user_id);
      sign_out_everywhere(c, tx, user_id, tokens_too::yes);
      auto e = identity::audit_event(req, stream, "user.removed", "user", user_id);
      e.before = parse_row_json((*member)[0]);
      e.detail = {{"organisation_id", org_id}};
      audit::record(c, tx, std::move(e));
      return true;
    };
    if (!co_await db::transact(ctx.db, std::move(work))) not_found();
    co_return response::no_content();
  }

  // GET /invitations: all for administrators; an organisation's own for its members.
  http::awaitable<response> list_invitations(request& req) const {
    const auto& me = identity::caller(req);
    auto p = page_of(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      auto rows = tx.exec_params(
          "SELECT identity.invitation_json(i)::text FROM identity.invitations i "
          "WHERE ($1 OR i.organisation_id = $2::uuid) AND ($3 = '' OR i.id > $3::uuid) ORDER BY i.id LIMIT $4",
          me.is_admin(), me.organisation_id.empty() ? std::optional<std::string>() : std::optional(me.organisation_id),
          p.cursor, p.limit + 1);
      return db::json_items(rows);
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json(page_json(std::move(items), p));
  }

  // POST /invitations
  http::awaitable<response> invite(request& req) const {
    const auto& me = identity::caller(req);
    auto in = body(req, "invitation-create-request.json");
    const auto role = in["role"].get<std::string>();
    std::string org_id = in.contains("organisation_id") ? lower_ascii(in["organisation_id"].get<std::string>()) : std::string();
    std::string org_role = in.value("organisation_role", std::string(role == "partner" ? "member" : ""));
    if (!me.is_admin()) {
      if (role != "partner") fail_field("/role", "not_allowed", "Owners invite partners to their own organisation only.");
      if (org_id.empty()) org_id = me.organisation_id;
      if (org_id != me.organisation_id) co_await refuse_as_not_found(req, "organisation", org_id);
      if (!me.is_owner_of(org_id)) fail(403, "not_owner", "Owners only", "Only an owner of the organisation may invite.");
    }
    if (role == "admin" && !org_id.empty()) {
      fail_field("/organisation_id", "not_allowed", "Administrators are invited without an organisation.");
    }
    if (role != "admin" && org_id.empty()) {
      fail_field("/organisation_id", "missing", "Partners and judges are invited into an organisation.");
    }
    if (role != "partner" && in.contains("organisation_role")) {
      fail_field("/organisation_role", "not_allowed", "Only partners have a role in their organisation.");
    }
    const auto email = in["email"].get<std::string>();
    const auto language = in.value("language", me.language);
    auto token = identity::random_token();
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      if (c.exec(tx, email_taken, email)[0][0].as<bool>()) {
        conflict_field("/email", "email_taken", "An account with this e-mail address exists already.");
      }
      std::string org_name = "casecall";
      if (!org_id.empty()) {
        auto rows = tx.exec_params(
            "SELECT coalesce(names->>$2, names->>'en', (SELECT value FROM jsonb_each_text(names) LIMIT 1)), purpose "
            "FROM identity.organisations WHERE id = $1",
            org_id, language);
        if (rows.empty()) fail_field("/organisation_id", "unknown", "There is no organisation with this id.");
        // Judges belong to judging organisations, partners to partner organisations.
        const auto purpose = rows[0][1].as<std::string>();
        if ((role == "judge") != (purpose == "judging")) {
          fail_field("/organisation_id", "not_allowed",
                     role == "judge" ? "Judges are invited into a judging organisation."
                                     : "Partners are invited into a partner organisation.");
        }
        org_name = rows[0][0].as<std::string>();
      }
      auto row = tx.exec_params(
          "INSERT INTO identity.invitations (token_hash, email, name, language, role, organisation_id, "
          "organisation_role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "now() + make_interval(hours => $9)) RETURNING id, identity.invitation_json(invitations)::text",
          pqxx::binarystring(identity::sha256(token)), email,
          in.contains("name") ? std::optional(in["name"].get<std::string>()) : std::nullopt, language, role,
          org_id.empty() ? std::nullopt : std::optional(org_id),
          org_role.empty() ? std::nullopt : std::optional(org_role), me.user_id, invitation_lifetime_hours)[0];
      mail::enqueue_template(c, tx, "invitation", language, email, in.value("name", std::string()),
                             {{"name", in.value("name", email)},
                              {"inviter", me.name},
                              {"organisation", org_name},
                              {"link", link(ctx, "/app/accept-invitation", token)},
                              {"hours", std::to_string(invitation_lifetime_hours)}},
                             req.request_id);
      auto out = parse_row_json(row[1]);
      auto e = identity::audit_event(req, stream, "invitation.created", "invitation", row[0].as<std::string>());
      e.after = out;
      audit::record(c, tx, std::move(e));
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return created(out);
  }

  // DELETE /invitations/{id}
  http::awaitable<response> revoke_invitation(request& req) const {
    const auto id = uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto work = [&](db::connection& c, pqxx::work& tx) -> bool {
      auto rows = tx.exec_params(
          "SELECT coalesce(organisation_id::text, ''), accepted_at IS NOT NULL FROM identity.invitations "
          "WHERE id = $1 FOR UPDATE",
          id);
      if (rows.empty()) return false;
      const auto org_id = rows[0][0].as<std::string>();
      if (!me.is_admin() && !me.belongs_to(org_id)) {
        audit::record(c, tx, not_yours(req, "invitation", id));
        return false;
      }
      if (!me.is_admin() && !me.is_owner_of(org_id)) {
        fail(403, "not_owner", "Owners only", "Only an owner of the organisation may revoke its invitations.");
      }
      if (rows[0][1].as<bool>()) fail(409, "invitation_accepted", "Already accepted", "This invitation has been accepted.");
      tx.exec_params("UPDATE identity.invitations SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", id);
      audit::record(c, tx, identity::audit_event(req, stream, "invitation.revoked", "invitation", id));
      return true;
    };
    if (!co_await db::transact(ctx.db, std::move(work))) not_found();
    co_return response::no_content();
  }

  // POST /invitations/accept: the account is created, its address verified by the mail.
  http::awaitable<response> accept_invitation(request& req) const {
    auto in = body(req, "invitation-accept-request.json");
    const auto password = in["password"].get<std::string>();
    if (auto bad = identity::check_password(password, "/password")) {
      throw http::problem_error(http::problems::validation_failed({*bad}));
    }
    std::string hash;
    const auto token = in["token"].get<std::string>();
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      // An invitation whose inviter has been disabled since is withdrawn with them.
      auto rows = tx.exec_params(
          "SELECT i.id, i.email, i.role, i.organisation_id, i.organisation_role, i.language, i.accepted_at IS NOT NULL, "
          "i.revoked_at IS NOT NULL OR u.disabled_at IS NOT NULL, i.expires_at <= now() "
          "FROM identity.invitations i JOIN identity.users u ON u.id = i.invited_by "
          "WHERE i.token_hash = $1 FOR UPDATE OF i",
          pqxx::binarystring(identity::sha256(token)));
      if (rows.empty()) fail(400, "unknown_token", "Unknown link", "This invitation link is not one we sent.");
      const auto& inv = rows[0];
      if (inv[6].as<bool>()) fail(410, "token_used", "Link already used", "This invitation has been accepted already.");
      if (inv[7].as<bool>()) fail(410, "invitation_revoked", "Invitation revoked", "This invitation has been withdrawn.");
      if (inv[8].as<bool>()) fail(410, "token_expired", "Link expired", "This invitation has expired; ask for a new one.");
      if (hash.empty()) hash = identity::hash_password(password);  // only for a live invitation
      const auto email = inv[1].as<std::string>();
      if (c.exec(tx, email_taken, email)[0][0].as<bool>()) {
        conflict_field("/token", "email_taken", "An account with the invited e-mail address exists already.");
      }
      auto user_row = tx.exec_params(
          "INSERT INTO identity.users (email, name, language, role, organisation_id, organisation_role, position, "
          "password_hash, email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) "
          "RETURNING id, identity.user_json(users)::text",
          email, in["name"].get<std::string>(), in.value("language", inv[5].as<std::string>()),
          inv[2].as<std::string>(), inv[3].is_null() ? std::nullopt : std::optional(inv[3].as<std::string>()),
          inv[4].is_null() ? std::nullopt : std::optional(inv[4].as<std::string>()),
          in.contains("position") ? std::optional(in["position"].get<std::string>()) : std::nullopt, hash)[0];
      const auto user_id = user_row[0].as<std::string>();
      tx.exec_params("UPDATE identity.invitations SET accepted_at = now(), accepted_user_id = $2 WHERE id = $1",
                     inv[0].as<std::string>(), user_id);
      auto user = parse_row_json(user_row[1]);
      auto e = identity::audit_event(req, stream, "invitation.accepted", "user", user_id);
      e.actor_kind = "user";
      e.actor_id = user_id;
      e.after = user;
      e.detail["invitation_id"] = inv[0].as<std::string>();
      audit::record(c, tx, std::move(e));
      return user;
    };
    auto user = co_await db::transact(ctx.db, std::move(work));
    co_return created({{"user", user}});
  }

  // GET /api-tokens: one's own.
  http::awaitable<response> list_api_tokens(request& req) const {
    const auto& me = identity::caller(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      auto rows = tx.exec_params(
          "SELECT identity.api_token_json(t)::text FROM identity.api_tokens t WHERE user_id = $1 "
          "ORDER BY created_at, id",
          me.user_id);
      return db::json_items(rows);
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // POST /api-tokens: the token is in this response only.
  http::awaitable<response> create_api_token(request& req) const {
    const auto& me = identity::caller(req);
    if (me.how != principal::via::session) {
      fail(403, "session_required", "Session required", "API tokens are made in a signed-in browser, not with another token.");
    }
    auto in = body(req, "api-token-create-request.json");
    const auto token = identity::random_token(identity::api_token_prefix);
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      std::vector<std::string> scopes = in["scopes"].get<std::vector<std::string>>();
      auto row = tx.exec_params(
          "INSERT INTO identity.api_tokens (user_id, name, token_hash, prefix, scopes, expires_at) "
          "VALUES ($1, $2, $3, $4, string_to_array($5, ','), "
          "CASE WHEN $6::int IS NULL THEN NULL ELSE now() + make_interval(days => $6::int) END) "
          "RETURNING id, identity.api_token_json(api_tokens)::text",
          me.user_id, in["name"].get<std::string>(), pqxx::binarystring(identity::sha256(token)),
          token.substr(0, identity::api_token_prefix.size() + 4),
          [&] {
            std::string joined;
            for (const auto& s : scopes) joined += (joined.empty() ? "" : ",") + s;
            return joined;
          }(),
          in.contains("expires_in_days") ? std::optional(in["expires_in_days"].get<int>()) : std::nullopt)[0];
      auto out = parse_row_json(row[1]);
      auto e = identity::audit_event(req, stream, "api_token.created", "api_token", row[0].as<std::string>());
      e.after = out;
      audit::record(c, tx, std::move(e));
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    out["token"] = token;
    co_return with_no_store(created(out));
  }

  // DELETE /api-tokens/{id}: one's own.
  http::awaitable<response> revoke_api_token(request& req) const {
    const auto id = uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto work = [&](db::connection& c, pqxx::work& tx) -> bool {
      auto rows = tx.exec_params(
          "UPDATE identity.api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 "
          "RETURNING id",
          id, me.user_id);
      if (rows.empty()) return false;
      audit::record(c, tx, identity::audit_event(req, stream, "api_token.revoked", "api_token", id));
      return true;
    };
    if (!co_await db::transact(ctx.db, std::move(work))) not_found();
    co_return response::no_content();
  }

  // GET /users (administrators)
  http::awaitable<response> list_users(request& req) const {
    return admin_page(req,
                      "SELECT identity.user_json(u)::text FROM identity.users u WHERE ($1 = '' OR u.id > $1::uuid) "
                      "ORDER BY u.id LIMIT $2");
  }

  // PATCH /users/{id} (administrators): disabling signs the account out everywhere.
  http::awaitable<response> update_user(request& req) const {
    const auto id = uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto in = body(req, "user-update-request.json");
    const bool disable = in["disabled"].get<bool>();
    if (disable && id == me.user_id) fail_field("/disabled", "not_allowed", "Administrators cannot disable themselves.");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto rows = c.exec(tx, user_by_id, id);
      if (rows.empty()) return std::nullopt;
      auto before = parse_row_json(rows[0][0]);
      tx.exec_params(
          "UPDATE identity.users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) ELSE NULL END "
          "WHERE id = $1",
          id, disable);
      if (disable) sign_out_everywhere(c, tx, id, tokens_too::yes);
      auto after = parse_row_json(c.exec(tx, user_by_id, id)[0][0]);
      auto e = identity::audit_event(req, stream, disable ? "user.disabled" : "user.enabled", "user", id);
      e.before = before;
      e.after = after;
      audit::record(c, tx, std::move(e));
      return after;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
  }

  // GET /audit/verification (administrators)
  http::awaitable<response> verify_audit(request&) const {
    auto work = [](db::connection& c) {
      audit::seal(c.raw());
      return audit::verify(c.raw()).to_json();
    };
    auto out = co_await db::run(ctx.db, std::move(work));
    co_return with_no_store(response::json(out));
  }

  // GET /internal/v1/organisations/{id}: an organisation with its ancestors and descendants'
  // ids, for conflict-of-interest checks in review.
  http::awaitable<response> internal_organisation(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto rows = c.exec(tx, organisation_by_id, id);
      if (rows.empty()) return std::nullopt;
      auto out = parse_row_json(rows[0][0]);
      auto related = tx.exec_params1(
          "WITH RECURSIVE up AS (SELECT parent_id AS id FROM identity.organisations WHERE id = $1 "
          "UNION SELECT o.parent_id FROM identity.organisations o JOIN up ON o.id = up.id WHERE o.parent_id IS NOT NULL), "
          "down AS (SELECT id FROM identity.organisations WHERE parent_id = $1 "
          "UNION SELECT o.id FROM identity.organisations o JOIN down ON o.parent_id = down.id) "
          "SELECT coalesce((SELECT json_agg(id ORDER BY id) FROM up WHERE id IS NOT NULL), '[]')::text, "
          "coalesce((SELECT json_agg(id ORDER BY id) FROM down), '[]')::text",
          id);
      out["ancestor_ids"] = parse_row_json(related[0]);
      out["descendant_ids"] = parse_row_json(related[1]);
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
  }
};

}  // namespace

void add_identity_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto a = std::make_shared<api>(api{ctx, schemas});
  const std::string p = "/api/intake/v1";
  using handler_fn = http::awaitable<response> (api::*)(request&) const;
  auto add_route = route_adder(routes, a);
  // Identity's bodies are small: 64 KiB, and none on GET and DELETE.
  auto add = [&](method verb, std::string path, std::string name, access who, handler_fn fn) {
    add_route(verb, std::move(path), std::move(name), who, fn,
              verb == method::get || verb == method::delete_ ? 0 : 64 * 1024);
  };
  const auto signed_in = http::signed_in;
  const auto partner_or_admin = access::partner | access::admin;
  add(method::post, p + "/registrations", "intake.registrations.create", access::anyone, &api::registration);
  add(method::post, p + "/email-verifications", "intake.email_verifications.create", access::anyone, &api::verify_email);
  add(method::post, p + "/email-verifications/resend", "intake.email_verifications.resend", access::anyone,
      &api::resend_verification);
  add(method::post, p + "/sessions", "intake.sessions.create", access::anyone, &api::login);
  add(method::delete_, p + "/sessions/current", "intake.sessions.delete", signed_in, &api::logout);
  add(method::get, p + "/me", "intake.me.get", signed_in, &api::me);
  add(method::patch, p + "/me", "intake.me.update", signed_in, &api::update_me);
  add(method::put, p + "/me/password", "intake.me.password", signed_in, &api::change_password);
  add(method::post, p + "/password-resets", "intake.password_resets.create", access::anyone, &api::request_reset);
  add(method::post, p + "/password-resets/confirm", "intake.password_resets.confirm", access::anyone, &api::confirm_reset);
  add(method::get, p + "/organisations", "intake.organisations.list", access::admin, &api::list_organisations);
  add(method::post, p + "/organisations", "intake.organisations.create", access::admin, &api::create_organisation);
  add(method::get, p + "/organisations/{id}", "intake.organisations.get", signed_in, &api::get_organisation);
  add(method::patch, p + "/organisations/{id}", "intake.organisations.update", partner_or_admin, &api::update_organisation);
  add(method::get, p + "/organisations/{id}/members", "intake.members.list", partner_or_admin, &api::list_members);
  add(method::patch, p + "/organisations/{id}/members/{user_id}", "intake.members.update", partner_or_admin,
      &api::update_member);
  add(method::delete_, p + "/organisations/{id}/members/{user_id}", "intake.members.delete", partner_or_admin,
      &api::remove_member);
  add(method::get, p + "/invitations", "intake.invitations.list", partner_or_admin, &api::list_invitations);
  add(method::post, p + "/invitations", "intake.invitations.create", partner_or_admin, &api::invite);
  add(method::delete_, p + "/invitations/{id}", "intake.invitations.delete", partner_or_admin, &api::revoke_invitation);
  add(method::post, p + "/invitations/accept", "intake.invitations.accept", access::anyone, &api::accept_invitation);
  add(method::get, p + "/api-tokens", "intake.api_tokens.list", signed_in, &api::list_api_tokens);
  add(method::post, p + "/api-tokens", "intake.api_tokens.create", signed_in, &api::create_api_token);
  add(method::delete_, p + "/api-tokens/{id}", "intake.api_tokens.delete", signed_in, &api::revoke_api_token);
  add(method::get, p + "/users", "intake.users.list", access::admin, &api::list_users);
  add(method::patch, p + "/users/{id}", "intake.users.update", access::admin, &api::update_user);
  add(method::get, p + "/audit/verification", "intake.audit.verify", access::admin, &api::verify_audit);
  add(method::get, "/internal/v1/organisations/{id}", "intake.internal.organisations.get", access::service,
      &api::internal_organisation);
}

}  // namespace casecall::intake
