// Accounts, sessions and tokens end to end: the real intake binary on a scratch database,
// its mail delivered to a real SMTP server (deploy/local/smtp-sink), the tables read back
// as the Postgres superuser.
#include "intake_stack.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <set>
#include <string>

namespace casecall::testing {
namespace {

using json = nlohmann::json;

const std::string password = "correct horse battery staple";


std::string cookie_token(const session& s) { return s.cookie.substr(s.cookie.find('=') + 1); }


TEST(identity, stored_password_is_argon2id_with_19_mib_and_two_passes_and_no_token_is_stored_in_clear) {
  intake_stack stack;
  auto owner = stack.register_partner("amina@example.org", password, "Rural Futures");
  auto created = stack.call("POST", "/api/intake/v1/api-tokens", json{{"name", "sync script"}, {"scopes", {"read"}}}, &owner);
  ASSERT_EQ(created.status, 201) << created.raw.body;
  const auto api_token = created.body["token"].get<std::string>();
  ASSERT_EQ(api_token.rfind("cc_pat_", 0), 0u);

  auto hash = stack.query_row("SELECT password_hash FROM identity.users WHERE email = 'amina@example.org'")[0];
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;

  // The session cookie and the API token appear nowhere in the identity tables, and what is
  // stored is their SHA-256.
  const auto session_token = cookie_token(owner);
  for (const auto* table : {"users", "sessions", "api_tokens", "email_tokens", "invitations", "organisations"}) {
    auto found = stack.query_row(std::string("SELECT count(*) FROM identity.") + table +
                                 " t WHERE t::text LIKE '%" + session_token + "%' OR t::text LIKE '%" + api_token +
                                 "%' OR t::text LIKE '%" + password + "%'");
    EXPECT_EQ(found[0], "0") << "a secret in clear in identity." << table;
  }
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.sessions WHERE encode(token_hash, 'hex') = '" +
                            sha256_hex(session_token) + "'")[0],
            "1");
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.api_tokens WHERE encode(token_hash, 'hex') = '" +
                            sha256_hex(api_token) + "'")[0],
            "1");
  // The token works as a bearer token (read scope) and cannot write.
  auto me = stack.call("GET", "/api/intake/v1/me", std::nullopt, nullptr, {{"Authorization", "Bearer " + api_token}});
  EXPECT_EQ(me.status, 200) << me.raw.body;
  EXPECT_EQ(me.body["via"], "api_token");
  auto write = stack.call("PATCH", "/api/intake/v1/me", json{{"name", "A"}}, nullptr,
                          {{"Authorization", "Bearer " + api_token}, {"If-Match", "*"}});
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(write.code(), "insufficient_scope");
  // The write scope reads too.
  auto writer = stack.call("POST", "/api/intake/v1/api-tokens", json{{"name", "uploader"}, {"scopes", {"write"}}}, &owner);
  ASSERT_EQ(writer.status, 201);
  auto read = stack.call("GET", "/api/intake/v1/me", std::nullopt, nullptr,
                         {{"Authorization", "Bearer " + writer.body["token"].get<std::string>()}});
  EXPECT_EQ(read.status, 200);
  // Revoked, it is refused.
  auto id = created.body["id"].get<std::string>();
  EXPECT_EQ(stack.call("DELETE", "/api/intake/v1/api-tokens/" + id, std::nullopt, &owner).status, 204u);
  auto after = stack.call("GET", "/api/intake/v1/me", std::nullopt, nullptr, {{"Authorization", "Bearer " + api_token}});
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.code(), "invalid_token");
}

TEST(identity, twenty_wrong_passwords_in_a_minute_give_429_and_the_right_one_waits_for_the_window) {
  intake_stack stack;
  stack.register_partner("li.wei@example.cn", password, "Village Commerce");
  std::vector<unsigned> statuses;
  api_response last;
  for (int i = 0; i < 20; ++i) {
    last = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "li.wei@example.cn"}, {"password", "wrong password " + std::to_string(i)}});
    statuses.push_back(last.status);
  }
  // The default limit: 10 failures per account in 15 minutes.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(statuses[static_cast<std::size_t>(i)], 401u) << "attempt " << i + 1;
  for (int i = 10; i < 20; ++i) EXPECT_EQ(statuses[static_cast<std::size_t>(i)], 429u) << "attempt " << i + 1;
  EXPECT_EQ(last.code(), "too_many_attempts");
  const auto retry_after = std::stoi(last.raw.header("Retry-After"));
  EXPECT_GT(retry_after, 800);
  EXPECT_LE(retry_after, 900);

  auto right = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "li.wei@example.cn"}, {"password", password}});
  EXPECT_EQ(right.status, 429) << "the right password must wait for the window too";
  EXPECT_EQ(right.raw.header("Set-Cookie"), "");

  // The window passes: the recorded failures are moved 15 minutes into the past, which is
  // what the clock would do.
  pqxx::connection c(role_url("casecall_admin", stack.database()));
  pqxx::nontransaction(c).exec("UPDATE identity.attempts SET at = at - interval '15 minutes 1 second'");
  auto later = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "li.wei@example.cn"}, {"password", password}});
  EXPECT_EQ(later.status, 201) << later.raw.body;
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'session.login_failed'")[0], "10");
  // The counter is kept under a digest of the address, whatever its letter case.
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.attempts WHERE key LIKE '%li.wei%'")[0], "0");
  auto upper = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "LI.WEI@EXAMPLE.CN"}, {"password", "wrong again"}});
  EXPECT_EQ(upper.status, 401) << "one counter, not one per spelling: after the right password it starts again";
}

TEST(identity, failures_from_one_address_across_accounts_are_limited_too) {
  intake_stack stack(std::map<std::string, std::string>{{"CASECALL_LOGIN_FAILURES_PER_ADDRESS", "5"}});
  for (int i = 0; i < 5; ++i) {
    auto r = stack.call("POST", "/api/intake/v1/sessions",
                        json{{"email", "nobody" + std::to_string(i) + "@example.org"}, {"password", "guess guess"}});
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.code(), "invalid_credentials");
  }
  auto sixth = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "someone.else@example.org"}, {"password", "guess guess"}});
  EXPECT_EQ(sixth.status, 429);
  EXPECT_FALSE(sixth.raw.header("Retry-After").empty());
}

TEST(identity, a_write_with_the_session_cookie_but_without_the_csrf_token_is_403) {
  intake_stack stack;
  auto owner = stack.register_partner("ana@example.org", password, "Cooperativa Andina");
  const json body = {{"name", "Ana María"}};
  auto without = stack.call_raw("PATCH", "/api/intake/v1/me", body.dump(),
                                {{"Content-Type", "application/json"}, {"Cookie", owner.cookie}});
  EXPECT_EQ(without.status, 403);
  EXPECT_EQ(without.code(), "csrf_token_missing");
  auto wrong = stack.call_raw("PATCH", "/api/intake/v1/me", body.dump(),
                              {{"Content-Type", "application/json"}, {"Cookie", owner.cookie}, {"X-CSRF-Token", "forged"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.code(), "csrf_token_invalid");
  // Nothing changed, and both refusals are audited.
  EXPECT_EQ(stack.query_row("SELECT name FROM identity.users WHERE email = 'ana@example.org'")[0], "Owner of Cooperativa Andina");
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'access.denied' AND detail->>'reason' LIKE 'csrf%'")[0], "2");
  // Reads need no token; with it, the write goes through.
  auto read = stack.call("GET", "/api/intake/v1/me", std::nullopt, &owner);
  EXPECT_EQ(read.status, 200);
  const auto etag = read.raw.header("ETag");
  EXPECT_EQ(etag, "\"2\"") << "registered, then verified";
  auto with = stack.call("PATCH", "/api/intake/v1/me", body, &owner, {{"If-Match", etag}});
  EXPECT_EQ(with.status, 200) << with.raw.body;
  EXPECT_EQ(with.body["user"]["name"], "Ana María");
  EXPECT_EQ(with.raw.header("ETag"), "\"3\"");
  // The same If-Match again is out of date: the change before it is not overwritten.
  auto stale = stack.call("PATCH", "/api/intake/v1/me", json{{"name", "Someone Else"}}, &owner, {{"If-Match", etag}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stack.call("PATCH", "/api/intake/v1/me", body, &owner).status, 428u);
}

TEST(identity, session_cookie_is_httponly_samesite_lax_and_rotates_at_login) {
  intake_stack stack;
  stack.register_partner("k@example.org", password, "Org K");
  auto first = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "k@example.org"}, {"password", password}});
  auto cookie = first.raw.header("Set-Cookie");
  EXPECT_NE(cookie.find("casecall_session="), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);
  const auto old_cookie = cookie.substr(0, cookie.find(';'));
  EXPECT_EQ(cookie_token(session{old_cookie, "", {}}).size(), 43u) << "256 bits, base64url";
  // Signing in again from the same browser ends the old session.
  auto second = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "k@example.org"}, {"password", password}}, nullptr,
                           {{"Cookie", old_cookie}});
  ASSERT_EQ(second.status, 201);
  EXPECT_NE(second.raw.header("Set-Cookie").substr(0, 60), cookie.substr(0, 60));
  auto old = stack.call("GET", "/api/intake/v1/me", std::nullopt, nullptr, {{"Cookie", old_cookie}});
  EXPECT_EQ(old.status, 401);
  EXPECT_EQ(old.code(), "session_expired");
}

TEST(identity, sessions_end_when_idle_too_long_and_on_password_change_and_when_disabled) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto owner = stack.register_partner("p@example.org", password, "Org P");
  auto other_browser = stack.login("p@example.org", password);

  // Idle: the session was last seen longer ago than CASECALL_SESSION_IDLE_S (one day).
  auto idle = stack.login("p@example.org", password);
  pqxx::connection c(role_url("casecall_admin", stack.database()));
  pqxx::nontransaction(c).exec("UPDATE identity.sessions SET last_seen_at = now() - interval '25 hours' WHERE token_hash = "
                               "decode('" + sha256_hex(cookie_token(idle)) + "', 'hex')");
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/me", std::nullopt, &idle).status, 401u);

  // A password change ends every session, this one included; the response carries a new one.
  const std::string next = "a new and long passphrase";
  auto changed = stack.call("PUT", "/api/intake/v1/me/password", json{{"current_password", password}, {"new_password", next}}, &owner);
  ASSERT_EQ(changed.status, 200) << changed.raw.body;
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/me", std::nullopt, &other_browser).status, 401u);
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/me", std::nullopt, &owner).status, 401u);
  session renewed{changed.raw.header("Set-Cookie").substr(0, changed.raw.header("Set-Cookie").find(';')),
                  changed.body["csrf_token"].get<std::string>(), {}};
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/me", std::nullopt, &renewed).status, 200u);
  auto mail = stack.next_mail();  // "your password was changed"
  EXPECT_NE(mail.to.find("p@example.org"), std::string::npos);

  // Disabled by an administrator: every session ends and sign-in is refused.
  auto user_id = renewed.cookie.empty() ? std::string() : owner.user["id"].get<std::string>();
  auto disabled = stack.call("PATCH", "/api/intake/v1/users/" + user_id, json{{"disabled", true}}, &admin);
  ASSERT_EQ(disabled.status, 200) << disabled.raw.body;
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/me", std::nullopt, &renewed).status, 401u);
  auto refused = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "p@example.org"}, {"password", next}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.code(), "account_disabled");
  // Its API tokens are revoked too, so re-enabling the account does not bring them back.
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.api_tokens WHERE revoked_at IS NULL")[0], "0");
}

TEST(identity, administrators_page_through_organisations_with_a_cursor) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  for (const char* name : {"IPRCC", "World Bank", "IFAD"}) {
    auto r = stack.call("POST", "/api/intake/v1/organisations",
                        json{{"names", {{"en", name}}}, {"country", "CN"}, {"kind", "international_organisation"}, {"purpose", "judging"}},
                        &admin);
    ASSERT_EQ(r.status, 201) << r.raw.body;
  }
  auto first = stack.call("GET", "/api/intake/v1/organisations?limit=2", std::nullopt, &admin);
  ASSERT_EQ(first.status, 200) << first.raw.body;
  ASSERT_EQ(first.body["items"].size(), 2u);
  ASSERT_TRUE(first.body["next_cursor"].is_string());
  auto second = stack.call("GET", "/api/intake/v1/organisations?limit=2&cursor=" + first.body["next_cursor"].get<std::string>(),
                           std::nullopt, &admin);
  ASSERT_EQ(second.body["items"].size(), 1u);
  EXPECT_TRUE(second.body["next_cursor"].is_null()) << "the last page says so";
  std::set<std::string> ids;
  for (const auto& page : {first, second}) {
    for (const auto& o : page.body["items"]) ids.insert(o["id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 3u);
  auto exact = stack.call("GET", "/api/intake/v1/organisations?limit=3", std::nullopt, &admin);
  EXPECT_TRUE(exact.body["next_cursor"].is_null()) << "a full last page has no next page";
  EXPECT_EQ((stack.call("GET", "/api/intake/v1/organisations?limit=many", std::nullopt, &admin)).field_errors(),
            std::vector<std::string>{"limit bad_format"});
  EXPECT_EQ((stack.call("GET", "/api/intake/v1/organisations?limit=0", std::nullopt, &admin)).field_errors(),
            std::vector<std::string>{"limit out_of_range"});
  EXPECT_EQ((stack.call("GET", "/api/intake/v1/organisations?cursor=xyz", std::nullopt, &admin)).field_errors(),
            std::vector<std::string>{"cursor bad_format"});
}

TEST(identity, the_verification_mail_reaches_the_smtp_server_and_its_link_completes_registration) {
  intake_stack stack;
  auto reg = stack.call("POST", "/api/intake/v1/registrations",
                        intake_stack::registration("claire@example.fr", password, "Solidarité Rurale", "fr"));
  ASSERT_EQ(reg.status, 201) << reg.raw.body;
  EXPECT_EQ(reg.body["user"]["email_verified"], false);
  EXPECT_EQ(reg.body["user"]["organisation_role"], "owner");

  auto not_yet = stack.call("POST", "/api/intake/v1/sessions", json{{"email", "claire@example.fr"}, {"password", password}});
  EXPECT_EQ(not_yet.status, 403);
  EXPECT_EQ(not_yet.code(), "email_not_verified");

  auto m = stack.next_mail();
  EXPECT_NE(m.to.find("claire@example.fr"), std::string::npos) << m.to;
  EXPECT_EQ(m.headers["Content-Language"], "fr");
  EXPECT_EQ(m.link.rfind("http://cases.test/app/verify-email#token=", 0), 0u) << m.link;
  EXPECT_EQ(m.token.size(), 43u);
  EXPECT_NE(m.body.find("Owner of Solidarité Rurale"), std::string::npos) << m.body;
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM mail.outbox WHERE sent_at IS NOT NULL")[0], "1");
  EXPECT_EQ(stack.query_row("SELECT body FROM mail.outbox")[0], "") << "a sent mail's link is not kept";

  auto verified = stack.call("POST", "/api/intake/v1/email-verifications", json{{"token", m.token}});
  ASSERT_EQ(verified.status, 200) << verified.raw.body;
  EXPECT_EQ(verified.body["user"]["email_verified"], true);
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/sessions", json{{"email", "claire@example.fr"}, {"password", password}}).status, 201u);

  auto again = stack.call("POST", "/api/intake/v1/email-verifications", json{{"token", m.token}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(again.code(), "token_used");
  auto unknown = stack.call("POST", "/api/intake/v1/email-verifications", json{{"token", "not-a-token-we-made"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.code(), "unknown_token");
}

TEST(identity, an_expired_verification_link_is_410) {
  intake_stack stack;
  ASSERT_EQ(stack.call("POST", "/api/intake/v1/registrations", intake_stack::registration("late@example.org", password, "Late Org")).status, 201u);
  auto m = stack.next_mail();
  pqxx::connection c(role_url("casecall_admin", stack.database()));
  pqxx::nontransaction(c).exec("UPDATE identity.email_tokens SET expires_at = now() - interval '1 second'");
  auto r = stack.call("POST", "/api/intake/v1/email-verifications", json{{"token", m.token}});
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.code(), "token_expired");
  EXPECT_EQ(stack.query_row("SELECT email_verified_at IS NULL FROM identity.users")[0], "t");

  // A new link, asked for by address, replaces it and completes the registration.
  auto resend = stack.call("POST", "/api/intake/v1/email-verifications/resend", json{{"email", "LATE@example.org"}});
  EXPECT_EQ(resend.status, 202);
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/email-verifications/resend", json{{"email", "nobody@example.org"}}).status, 202u)
      << "the same answer for an address without an account";
  auto fresh = stack.next_mail();
  EXPECT_NE(fresh.token, m.token);
  auto verified = stack.call("POST", "/api/intake/v1/email-verifications", json{{"token", fresh.token}});
  EXPECT_EQ(verified.status, 200) << verified.raw.body;
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/email-verifications/resend", json{{"email", "late@example.org"}}).status, 202u);
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM mail.outbox")[0], "2") << "no link for an address already verified";
}

TEST(identity, the_invitation_mail_link_creates_a_judge_who_can_sign_in) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto org = stack.call("POST", "/api/intake/v1/organisations",
                        json{{"names", {{"en", "Food and Agriculture Organization"}, {"fr", "Organisation pour l'alimentation et l'agriculture"}}},
                             {"country", "IT"}, {"kind", "international_organisation"}, {"purpose", "judging"}},
                        &admin);
  ASSERT_EQ(org.status, 201) << org.raw.body;
  auto invited = stack.call("POST", "/api/intake/v1/invitations",
                            json{{"email", "judge@fao.example"}, {"role", "judge"}, {"name", "Dr. Judge"},
                                 {"organisation_id", org.body["id"]}, {"language", "fr"}},
                            &admin);
  ASSERT_EQ(invited.status, 201) << invited.raw.body;
  EXPECT_EQ(invited.body["status"], "pending");
  EXPECT_FALSE(invited.body.contains("token"));
  auto m = stack.next_mail();
  EXPECT_NE(m.to.find("judge@fao.example"), std::string::npos);
  EXPECT_EQ(m.link.rfind("http://cases.test/app/accept-invitation#token=", 0), 0u) << m.link;
  EXPECT_NE(m.body.find("Organisation pour l'alimentation et l'agriculture"), std::string::npos) << m.body;

  auto accepted = stack.call("POST", "/api/intake/v1/invitations/accept",
                             json{{"token", m.token}, {"name", "Dr. Judge"}, {"password", password}});
  ASSERT_EQ(accepted.status, 201) << accepted.raw.body;
  EXPECT_EQ(accepted.body["user"]["role"], "judge");
  EXPECT_EQ(accepted.body["user"]["organisation_id"], org.body["id"]);
  EXPECT_EQ(accepted.body["user"]["email_verified"], true);
  EXPECT_EQ(accepted.body["user"]["language"], "fr");
  auto judge = stack.login("judge@fao.example", password);
  EXPECT_EQ(judge.user["role"], "judge");

  auto reused = stack.call("POST", "/api/intake/v1/invitations/accept", json{{"token", m.token}, {"name", "X"}, {"password", password}});
  EXPECT_EQ(reused.status, 410);
  EXPECT_EQ(reused.code(), "token_used");

  // Judges go into judging organisations only.
  auto partner = stack.register_partner("ngo@example.org", password, "An NGO");
  auto wrong_org = stack.call("POST", "/api/intake/v1/invitations",
                              json{{"email", "judge2@example.org"}, {"role", "judge"},
                                   {"organisation_id", partner.user["organisation_id"]}},
                              &admin);
  EXPECT_EQ(wrong_org.status, 422);
  EXPECT_EQ(wrong_org.field_errors(), std::vector<std::string>{"/organisation_id not_allowed"});
}

TEST(identity, an_invitation_from_an_inviter_disabled_since_is_withdrawn) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto owner = stack.register_partner("owner@example.org", password, "Org I");
  ASSERT_EQ(stack.call("POST", "/api/intake/v1/invitations", json{{"email", "new@example.org"}, {"role", "partner"}}, &owner).status,
            201u);
  auto invitation = stack.next_mail();
  auto disabled = stack.call("PATCH", "/api/intake/v1/users/" + owner.user["id"].get<std::string>(), json{{"disabled", true}}, &admin);
  ASSERT_EQ(disabled.status, 200);
  auto accept = stack.call("POST", "/api/intake/v1/invitations/accept",
                           json{{"token", invitation.token}, {"name", "New"}, {"password", password}});
  EXPECT_EQ(accept.status, 410);
  EXPECT_EQ(accept.code(), "invitation_revoked");
}

TEST(identity, registrations_from_one_client_address_are_limited) {
  intake_stack stack(std::map<std::string, std::string>{{"CASECALL_RESETS_PER_ADDRESS", "2"}});
  for (int i = 0; i < 2; ++i) {
    auto r = stack.call("POST", "/api/intake/v1/registrations",
                        intake_stack::registration("r" + std::to_string(i) + "@example.org", password, "Org R"));
    EXPECT_EQ(r.status, 201);
  }
  auto third = stack.call("POST", "/api/intake/v1/registrations", intake_stack::registration("r2@example.org", password, "Org R"));
  EXPECT_EQ(third.status, 429);
  EXPECT_FALSE(third.raw.header("Retry-After").empty());
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.users")[0], "2");
}

TEST(identity, wrong_current_passwords_count_as_failed_sign_ins) {
  intake_stack stack(std::map<std::string, std::string>{{"CASECALL_LOGIN_FAILURES_PER_ACCOUNT", "3"}});
  auto owner = stack.register_partner("guess@example.org", password, "Org G");
  for (int i = 0; i < 3; ++i) {
    auto r = stack.call("PUT", "/api/intake/v1/me/password",
                        json{{"current_password", "guess number " + std::to_string(i)}, {"new_password", "a brand new passphrase"}},
                        &owner);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.field_errors(), std::vector<std::string>{"/current_password wrong_password"});
  }
  auto limited = stack.call("PUT", "/api/intake/v1/me/password",
                            json{{"current_password", password}, {"new_password", "a brand new passphrase"}}, &owner);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'user.password_change_failed'")[0], "3");
}

TEST(identity, password_reset_by_mail_sets_a_new_password_and_ends_every_session) {
  intake_stack stack;
  auto owner = stack.register_partner("reset@example.org", password, "Reset Org");
  auto r = stack.call("POST", "/api/intake/v1/password-resets", json{{"email", "reset@example.org"}});
  EXPECT_EQ(r.status, 202);
  // An unknown address gets the same answer and no mail.
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/password-resets", json{{"email", "unknown@example.org"}}).status, 202u);
  auto m = stack.next_mail();
  EXPECT_NE(m.to.find("reset@example.org"), std::string::npos);
  EXPECT_EQ(m.link.rfind("http://cases.test/app/reset-password#token=", 0), 0u) << m.link;

  auto weak = stack.call("POST", "/api/intake/v1/password-resets/confirm", json{{"token", m.token}, {"password", "qwerty123"}});
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.field_errors(), std::vector<std::string>{"/password too_common"});
  const std::string next = "rivers of the southern hills";
  auto done = stack.call("POST", "/api/intake/v1/password-resets/confirm", json{{"token", m.token}, {"password", next}});
  ASSERT_EQ(done.status, 204) << done.raw.body;
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/me", std::nullopt, &owner).status, 401u);
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/sessions", json{{"email", "reset@example.org"}, {"password", password}}).status, 401u);
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/sessions", json{{"email", "reset@example.org"}, {"password", next}}).status, 201u);
  auto reused = stack.call("POST", "/api/intake/v1/password-resets/confirm", json{{"token", m.token}, {"password", next}});
  EXPECT_EQ(reused.status, 410);
  EXPECT_EQ(reused.code(), "token_used");

  // Three requests per account per hour; the fourth is 429. A newer link replaces an older one.
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/password-resets", json{{"email", "reset@example.org"}}).status, 202u);
  stack.next_mail();  // the notice that the password was changed
  auto older = stack.next_mail();
  ASSERT_FALSE(older.token.empty()) << older.body;
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/password-resets", json{{"email", "reset@example.org"}}).status, 202u);
  auto replaced = stack.call("POST", "/api/intake/v1/password-resets/confirm", json{{"token", older.token}, {"password", next}});
  EXPECT_EQ(replaced.status, 410);
  EXPECT_EQ(replaced.code(), "token_expired");
  auto limited = stack.call("POST", "/api/intake/v1/password-resets", json{{"email", "reset@example.org"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.raw.header("Retry-After").empty());
}

TEST(identity, bad_registrations_get_a_problem_naming_each_field_and_write_nothing) {
  intake_stack stack;
  auto good = intake_stack::registration("dup@example.org", password, "Org D");

  auto unknown = good;
  unknown["account"]["nickname"] = "dee";
  auto r = stack.call("POST", "/api/intake/v1/registrations", unknown);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.code(), "validation_failed");
  EXPECT_EQ(r.field_errors(), std::vector<std::string>{"/account/nickname unknown_field"});

  auto wrong_type = good;
  wrong_type["account"]["email"] = 42;
  wrong_type["organisation"]["country"] = "Kenya";
  r = stack.call("POST", "/api/intake/v1/registrations", wrong_type);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.field_errors(), (std::vector<std::string>{"/account/email wrong_type", "/organisation/country bad_format"}));

  auto too_long = good;
  too_long["account"]["name"] = std::string(201, 'x');
  std::string village_names;  // 301 characters, 903 bytes: the limit counts characters
  for (int i = 0; i < 301; ++i) village_names += "村";
  too_long["organisation"]["names"]["zh"] = village_names;
  r = stack.call("POST", "/api/intake/v1/registrations", too_long);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.field_errors(), (std::vector<std::string>{"/account/name too_long", "/organisation/names/zh too_long"}));

  auto missing = good;
  missing["account"].erase("password");
  r = stack.call("POST", "/api/intake/v1/registrations", missing);
  EXPECT_EQ(r.field_errors(), std::vector<std::string>{"/account/password missing"});

  auto short_password = good;
  short_password["account"]["password"] = "short";
  r = stack.call("POST", "/api/intake/v1/registrations", short_password);
  EXPECT_EQ(r.field_errors(), std::vector<std::string>{"/account/password too_short"});

  auto common = good;
  common["account"]["password"] = "Password1";
  r = stack.call("POST", "/api/intake/v1/registrations", common);
  EXPECT_EQ(r.field_errors(), std::vector<std::string>{"/account/password too_common"});

  // Invalid UTF-8 in a string is refused before anything is read from it.
  auto text = good.dump();
  text.replace(text.find("Org D"), 5, "Org \xC3\x28");
  r = stack.call_raw("POST", "/api/intake/v1/registrations", text, {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.code(), "invalid_utf8");

  r = stack.call_raw("POST", "/api/intake/v1/registrations", good.dump(), {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);

  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.users")[0], "0");
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.organisations")[0], "0");
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM mail.outbox")[0], "0");

  ASSERT_EQ(stack.call("POST", "/api/intake/v1/registrations", good).status, 201u);
  auto again = good;
  again["account"]["email"] = "DUP@example.org";
  r = stack.call("POST", "/api/intake/v1/registrations", again);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.code(), "email_taken");
  EXPECT_EQ(r.field_errors(), std::vector<std::string>{"/account/email email_taken"});
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM identity.organisations")[0], "1") << "the second organisation was not kept";
}

TEST(identity, owners_invite_colleagues_and_an_organisation_keeps_an_owner) {
  intake_stack stack;
  auto owner = stack.register_partner("owner@example.org", password, "Org O");
  const auto org_id = owner.user["organisation_id"].get<std::string>();
  auto colleague = stack.invite_and_accept(owner, json{{"email", "colleague@example.org"}, {"role", "partner"}}, "Colleague", password);
  EXPECT_EQ(colleague["organisation_id"], org_id);
  EXPECT_EQ(colleague["organisation_role"], "member");
  auto member = stack.login("colleague@example.org", password);

  // A member may not invite, nor invite as a judge.
  auto by_member = stack.call("POST", "/api/intake/v1/invitations", json{{"email", "x@example.org"}, {"role", "partner"}}, &member);
  EXPECT_EQ(by_member.status, 403);
  EXPECT_EQ(by_member.code(), "not_owner");
  auto judge_by_owner = stack.call("POST", "/api/intake/v1/invitations", json{{"email", "x@example.org"}, {"role", "judge"}}, &owner);
  EXPECT_EQ(judge_by_owner.status, 422);

  // The only owner cannot step down; after promoting the colleague, they can.
  const auto members = "/api/intake/v1/organisations/" + org_id + "/members/";
  auto step_down = stack.call("PATCH", members + owner.user["id"].get<std::string>(), json{{"organisation_role", "member"}}, &owner);
  EXPECT_EQ(step_down.status, 409);
  EXPECT_EQ(step_down.code(), "last_owner");
  auto promoted = stack.call("PATCH", members + colleague["id"].get<std::string>(), json{{"organisation_role", "owner"}}, &owner);
  EXPECT_EQ(promoted.status, 200) << promoted.raw.body;
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'user.role_changed'")[0], "1");

  // Organisation edits need If-Match.
  auto read = stack.call("GET", "/api/intake/v1/organisations/" + org_id, std::nullopt, &owner);
  const auto etag = read.raw.header("ETag");
  auto no_match = stack.call("PATCH", "/api/intake/v1/organisations/" + org_id, json{{"website", "https://org-o.example"}}, &owner);
  EXPECT_EQ(no_match.status, 428);
  auto ok = stack.call("PATCH", "/api/intake/v1/organisations/" + org_id, json{{"website", "https://org-o.example"}}, &owner,
                       {{"If-Match", etag}});
  EXPECT_EQ(ok.status, 200) << ok.raw.body;
  auto stale = stack.call("PATCH", "/api/intake/v1/organisations/" + org_id, json{{"website", "https://stale.example"}}, &owner,
                          {{"If-Match", etag}});
  EXPECT_EQ(stale.status, 412);
  auto any = stack.call("PATCH", "/api/intake/v1/organisations/" + org_id, json{{"phone", "+254 20 000000"}}, &owner,
                        {{"If-Match", "*"}});
  EXPECT_EQ(any.status, 200) << any.raw.body;
  EXPECT_EQ(any.body["version"], 3);
}

}  // namespace
}  // namespace casecall::testing
