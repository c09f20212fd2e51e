// The audit log as Postgres keeps it: appended by the services without waiting for each
// other, chained (sealed) after the commit, never changed by them, and any change made behind
// their back found by `casecall-intake audit-verify`, which names the first row that no longer
// fits its chain.
#include "intake_stack.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <chrono>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
const std::string password = "correct horse battery staple";

struct verify_run {
  int exit_code = -1;
  json result;
  std::string output;
};

verify_run audit_verify(const intake_stack& stack) {
  child_process cmd(bin_dir() + "/casecall-intake", {"audit-verify"},
                    {{"CASECALL_DB_URL", stack.intake_role_url()}});
  verify_run run;
  run.exit_code = cmd.wait_exit(std::chrono::seconds(60)).value_or(-1);
  run.output = cmd.output();
  // The result is the line with "streams"; log lines (warnings) may come before it.
  auto at = run.output.find("\"streams\"");
  if (at != std::string::npos) {
    auto start = run.output.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    run.result = json::parse(run.output.substr(start, run.output.find('\n', at) - start), nullptr, false);
  }
  return run;
}

// As the superuser with triggers off (what it takes to get past the append-only trigger).
void tamper(const intake_stack& stack, const std::string& sql) {
  pqxx::connection c(role_url("casecall_admin", stack.database()));
  pqxx::work tx(c);
  tx.exec("SET LOCAL session_replication_role = replica");
  tx.exec(sql);
  tx.commit();
}

// Chains whatever is committed and not sealed yet, as the services' sealer does.
long long seal(intake_stack& stack) { return std::stoll(stack.query_row("SELECT audit.seal_all()")[0]); }

// Some history, sealed: an administrator, a registration, sign-ins, a failed one.
session make_history(intake_stack& stack) {
  auto admin = stack.create_admin("admin@casecall.test", password);
  stack.register_partner("partner@example.org", password, "Org A");
  stack.call("POST", "/api/intake/v1/sessions", json{{"email", "partner@example.org"}, {"password", "not the password"}});
  seal(stack);
  return admin;
}

TEST(audit, an_untouched_log_verifies_and_every_change_so_far_is_in_it) {
  intake_stack stack;
  auto admin = make_history(stack);
  auto run = audit_verify(stack);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["ok"], true) << run.output;
  EXPECT_EQ(run.result["streams"], json::array({"intake"}));
  auto actions = stack.query_row(
      "SELECT string_agg(action, ',' ORDER BY seq) FROM audit.events WHERE stream = 'intake'")[0];
  EXPECT_EQ(actions,
            "user.admin_created,session.login,organisation.registered,user.registered,user.email_verified,"
            "session.login,session.login_failed");
  EXPECT_EQ(run.result["rows"], 7);
  EXPECT_EQ(run.result["unsealed"], 0);
  // The same answer from the administrators' endpoint.
  auto endpoint = stack.call("GET", "/api/intake/v1/audit/verification", std::nullopt, &admin);
  ASSERT_EQ(endpoint.status, 200) << endpoint.raw.body;
  EXPECT_EQ(endpoint.body["ok"], true);
  EXPECT_EQ(endpoint.body["first_broken"], nullptr);
  // Each row names who, what and where from.
  auto login = stack.query_row(
      "SELECT actor_kind, object_type, request_id IS NOT NULL, client_address FROM audit.events "
      "WHERE action = 'session.login_failed'");
  EXPECT_EQ(login, (std::vector<std::string>{"anonymous", "user", "t", "127.0.0.1"}));
}

TEST(audit, a_row_changed_by_the_superuser_is_named_by_audit_verify) {
  intake_stack stack;
  auto admin = make_history(stack);
  tamper(stack, "UPDATE audit.events SET client_address = '203.0.113.9' WHERE stream = 'intake' AND seq = 4");
  auto run = audit_verify(stack);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(run.result["ok"], false);
  EXPECT_EQ(run.result["first_broken"]["stream"], "intake");
  EXPECT_EQ(run.result["first_broken"]["seq"], 4);
  EXPECT_EQ(run.result["first_broken"]["reason"], "content does not match its hash");
  EXPECT_NE(run.output.find("stream intake, row 4"), std::string::npos) << run.output;
  auto endpoint = stack.call("GET", "/api/intake/v1/audit/verification", std::nullopt, &admin);
  EXPECT_EQ(endpoint.body["first_broken"]["seq"], 4);
}

TEST(audit, a_row_deleted_by_the_superuser_is_found_where_the_chain_jumps_or_ends) {
  intake_stack stack;
  make_history(stack);
  tamper(stack, "DELETE FROM audit.events WHERE stream = 'intake' AND seq = 7");
  auto tail = audit_verify(stack);
  EXPECT_EQ(tail.exit_code, 1);
  EXPECT_EQ(tail.result["first_broken"]["seq"], 7) << tail.output;
  tamper(stack, "DELETE FROM audit.events WHERE stream = 'intake' AND seq = 2");
  auto middle = audit_verify(stack);
  EXPECT_EQ(middle.result["first_broken"]["seq"], 2) << middle.output;
}

TEST(audit, the_intake_role_may_insert_audit_rows_but_postgres_refuses_its_update_delete_and_truncate) {
  intake_stack stack;
  make_history(stack);
  pqxx::connection c(stack.intake_role_url());
  auto attempt = [&c](const std::string& sql) {
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  };
  EXPECT_THROW(attempt("UPDATE audit.events SET action = 'user.renamed' WHERE seq = 1"), pqxx::insufficient_privilege);
  EXPECT_THROW(attempt("DELETE FROM audit.events WHERE seq = 1"), pqxx::insufficient_privilege);
  EXPECT_THROW(attempt("TRUNCATE audit.events"), pqxx::insufficient_privilege);
  EXPECT_THROW(attempt("UPDATE audit.heads SET seq = 0"), pqxx::insufficient_privilege);
  EXPECT_THROW(attempt("DELETE FROM audit.heads"), pqxx::insufficient_privilege);
  // An insert may not choose its place in the chain: it lands unsealed, with the server's
  // time, and sealing gives it the next place.
  attempt("INSERT INTO audit.events (stream, seq, at, actor_kind, action, prev_hash, hash) VALUES "
          "('intake', 1, '2000-01-01', 'system', 'test.forged', '\\x00', '\\x00')");
  // (The service's sealer may have sealed it already: either way not at 1.)
  EXPECT_EQ(stack.query_row("SELECT coalesce(seq, 8) = 8, extract(year FROM at) > 2000 FROM audit.events "
                            "WHERE action = 'test.forged'"),
            (std::vector<std::string>{"t", "t"}));
  EXPECT_EQ(audit_verify(stack).exit_code, 0);
  EXPECT_EQ(stack.query_row("SELECT seq, length(hash) FROM audit.events WHERE action = 'test.forged'"),
            (std::vector<std::string>{"8", "32"}));
  // Nor seal a row itself, nor call the sealer's trigger bypass: UPDATE is not its right.
  attempt("INSERT INTO audit.events (stream, actor_kind, action) VALUES ('intake', 'system', 'test.unsealed')");
  EXPECT_THROW(attempt("UPDATE audit.events SET seq = 9 WHERE action = 'test.unsealed'"), pqxx::insufficient_privilege);
  // Nor may the owner role change a row, sealed or not, beyond sealing it: the append-only
  // trigger refuses it.
  pqxx::connection owner(role_url("casecall_owner", stack.database()));
  auto as_owner = [&owner](const std::string& sql) {
    pqxx::work tx(owner);
    tx.exec(sql);
    tx.commit();
  };
  EXPECT_THROW(as_owner("UPDATE audit.events SET action = 'x.y' WHERE seq = 1"), pqxx::insufficient_privilege);
  EXPECT_THROW(as_owner("UPDATE audit.events SET action = 'x.y' WHERE action = 'test.unsealed'"),
               pqxx::insufficient_privilege);
  EXPECT_THROW(as_owner("UPDATE audit.events SET seq = 1, prev_hash = hash, hash = hash WHERE seq = 2"),
               pqxx::insufficient_privilege);
  EXPECT_THROW(as_owner("DELETE FROM audit.events WHERE action = 'test.unsealed'"), pqxx::insufficient_privilege);
}

// Two transactions appending to one stream: the second commits while the first is still open
// (with a lock timeout, a wait would fail it), and sealing chains both, in the order of their
// ids, whatever the order of their commits.
TEST(audit, appends_to_one_stream_do_not_wait_for_each_other_and_are_chained_after_commit) {
  intake_stack stack;
  make_history(stack);
  pqxx::connection first_c(stack.intake_role_url());
  pqxx::connection second_c(stack.intake_role_url());
  pqxx::work first(first_c);
  first.exec("INSERT INTO audit.events (stream, actor_kind, action) VALUES ('intake', 'system', 'test.first')");
  {
    pqxx::work second(second_c);
    second.exec("SET LOCAL lock_timeout = '2s'");
    second.exec("INSERT INTO audit.events (stream, actor_kind, action) VALUES ('intake', 'system', 'test.second')");
    second.commit();
  }
  // Only what is committed is sealed: the first transaction's row is not visible yet. (The
  // service's sealer may get there first; either way the second row is 8.)
  seal(stack);
  EXPECT_EQ(stack.query_row("SELECT seq FROM audit.events WHERE action = 'test.second'")[0], "8");
  first.commit();
  auto run = audit_verify(stack);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["rows"], 9);
  EXPECT_EQ(stack.query_row("SELECT seq FROM audit.events WHERE action = 'test.first'")[0], "9");
  EXPECT_EQ(stack.query_row("SELECT seq, encode(hash, 'hex') FROM audit.heads WHERE stream = 'intake'"),
            stack.query_row("SELECT seq, encode(hash, 'hex') FROM audit.events WHERE action = 'test.first'"));
}

struct sealed_listener : pqxx::notification_receiver {
  using pqxx::notification_receiver::notification_receiver;
  void operator()(const std::string&, int) override {}
};

// The services seal in the background: a change's row is chained soon after its commit with
// nobody asking (each sealing NOTIFYs audit_sealed, which the test waits for).
TEST(audit, the_running_service_seals_new_rows_by_itself) {
  intake_stack stack;
  pqxx::connection listening(stack.intake_role_url());
  sealed_listener listener(listening, "audit_sealed");
  stack.create_admin("admin@casecall.test", password);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (stack.query_row("SELECT count(*) FROM audit.events WHERE hash IS NULL")[0] != "0" &&
         std::chrono::steady_clock::now() < deadline) {
    listening.await_notification(1, 0);
  }
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE hash IS NULL")[0], "0");
  EXPECT_EQ(stack.query_row("SELECT seq FROM audit.events WHERE action = 'user.admin_created'")[0], "1");
}

}  // namespace
}  // namespace casecall::testing
