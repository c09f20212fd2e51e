// The outbox sender against a relay that is not there yet: the mail waits, is retried with
// backoff, and is delivered once the relay comes up; nothing is lost and nothing is sent twice.
#include "intake_stack.hpp"

#include <gtest/gtest.h>
#include <filesystem>
#include <pqxx/pqxx>

namespace casecall::testing {
namespace {

using json = nlohmann::json;


TEST(mail, a_mail_waits_in_the_outbox_while_the_relay_is_down_and_goes_once_it_is_up) {
  scratch_database db;
  const auto port = free_port();
  running_service intake("casecall-intake", "intake", db.name(),
                         {{"CASECALL_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(port)},
                          {"CASECALL_MAIL_RETRY_MS", "200"}});
  auto reg = http_request(intake.port(), "POST", "/api/intake/v1/registrations", {{"Content-Type", "application/json"}},
                          intake_stack::registration("waiting@example.org", "correct horse battery staple", "Org W").dump());
  ASSERT_EQ(reg.status, 201u) << reg.body;

  // Two refused attempts, the second after a longer pause than the first.
  auto first = intake.process().wait_for_line("\"attempts\":1,", std::chrono::seconds(30));
  auto second = intake.process().wait_for_line("\"attempts\":2,", std::chrono::seconds(30));
  ASSERT_TRUE(first && second) << intake.process().output();
  EXPECT_DOUBLE_EQ(json::parse(*first)["retry_in_s"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(json::parse(*second)["retry_in_s"].get<double>(), 0.4);
  pqxx::connection c(role_url("casecall_admin", db.name()));
  auto row = pqxx::nontransaction(c).exec1("SELECT sent_at IS NULL, attempts >= 2, last_error IS NOT NULL FROM mail.outbox");
  EXPECT_TRUE(row[0].as<bool>());
  EXPECT_TRUE(row[1].as<bool>());
  EXPECT_TRUE(row[2].as<bool>());

  const auto dir = env_or_fail("CASECALL_TEST_SCRATCH") + "/mail-late-" + db.name();
  std::filesystem::remove_all(dir);  // names repeat across runs
  child_process sink(source_dir() + "/deploy/local/smtp-sink", {"--dir", dir, "--port", std::to_string(port)}, {});
  ASSERT_TRUE(sink.wait_for_line("listening", std::chrono::seconds(30))) << sink.output();
  auto delivered = sink.wait_for_line("delivered 1 ", std::chrono::seconds(60));
  ASSERT_TRUE(delivered) << intake.process().output();
  ASSERT_TRUE(intake.process().wait_for_line("\"msg\":\"mail sent\"", std::chrono::seconds(30)));
  auto sent = pqxx::nontransaction(c).exec1("SELECT count(*), count(sent_at) FROM mail.outbox");
  EXPECT_EQ(sent[0].as<int>(), 1);
  EXPECT_EQ(sent[1].as<int>(), 1);
  EXPECT_EQ(sink.output().find("delivered 2 "), std::string::npos) << "sent once";
}

}  // namespace
}  // namespace casecall::testing
