// Submissions reach review through intake's outbox: with review stopped they wait, and once
// review is back every one of them arrives, each exactly once.
#include "intake_stack.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <fstream>
#include <sstream>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
const std::string password = "correct horse battery staple";

json fixture_call() { return gs7_call_open_now(); }

json complete_case(int i) {
  json answers = {{"title", "Case number " + std::to_string(i)}, {"case_language", "en"}, {"country", "KE"},
                  {"theme", {"agriculture"}}, {"contact_email", "cases@example.org"}};
  for (const char* field : {"background", "approach", "results", "lessons", "innovation", "sustainability", "replicability"}) {
    answers[field] = std::string("About ") + field + ".";
  }
  return {{"answers", answers}, {"declarations", {"copyright", "consent", "licence"}}};
}

TEST(handover, fifty_submissions_made_while_review_is_down_each_reach_it_exactly_once) {
  const std::string intake_token = "intake-token-for-the-handover-test-0123456789";
  const auto review_port = free_port();
  intake_stack stack(std::map<std::string, std::string>{
      {"CASECALL_SERVICE_TOKEN", intake_token},
      {"CASECALL_REVIEW_URL", "http://127.0.0.1:" + std::to_string(review_port)}});
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto partner = stack.register_partner("partner@example.org", password, "Org H");
  auto call = stack.call("POST", "/api/intake/v1/calls", fixture_call(), &admin);
  ASSERT_EQ(call.status, 201) << call.raw.body;
  const auto cases_url = "/api/intake/v1/calls/" + call.body["id"].get<std::string>() + "/cases";
  std::map<std::string, std::string> receipts;  // case id → sha256
  for (int i = 0; i < 50; ++i) {
    auto made = stack.call("POST", cases_url, complete_case(i), &partner);
    ASSERT_EQ(made.status, 201) << made.raw.body;
    const auto id = made.body["id"].get<std::string>();
    auto receipt = stack.call("POST", "/api/intake/v1/cases/" + id + "/submit", std::nullopt, &partner,
                              {{"If-Match", made.raw.header("ETag")}});
    ASSERT_EQ(receipt.status, 201) << receipt.raw.body;
    receipts[id] = receipt.body["sha256"].get<std::string>();
  }
  EXPECT_EQ(stack.query_row("SELECT count(*), count(delivered_at) FROM intake.review_outbox"),
            (std::vector<std::string>{"50", "0"}));

  // Review comes up, trusting intake's token.
  running_service review("casecall-review", "review", stack.database(),
                         {{"CASECALL_HTTP_PORT", std::to_string(review_port)},
                          {"CASECALL_PEER_TOKEN_HASHES", "intake=" + sha256_hex(intake_token)}});
  ASSERT_EQ(review.port(), review_port);
  auto all = stack.intake_process().wait_for_line("\"delivered_total\":50", std::chrono::seconds(90));
  ASSERT_TRUE(all) << "not every case reached review";

  pqxx::connection c(role_url("casecall_admin", stack.database()));
  pqxx::nontransaction q(c);
  EXPECT_EQ(q.exec1("SELECT count(*) FROM intake.review_outbox WHERE delivered_at IS NULL")[0].as<int>(), 0);
  auto rows = q.exec("SELECT case_id::text, sha256, deliveries, repeats, status, number FROM review.cases");
  ASSERT_EQ(rows.size(), 50u);
  for (const auto& r : rows) {
    const auto id = r[0].as<std::string>();
    ASSERT_TRUE(receipts.count(id)) << id;
    EXPECT_EQ(r[1].as<std::string>(), receipts[id]) << "review holds what the receipt covers";
    EXPECT_EQ(r[2].as<int>(), 1) << id;
    EXPECT_EQ(r[3].as<int>(), 0) << id;
    EXPECT_EQ(r[4].as<std::string>(), "submitted");
    EXPECT_EQ(r[5].as<int>(), 1);
  }
  EXPECT_EQ(q.exec1("SELECT count(*) FROM audit.events WHERE stream = 'review' AND action = 'case.received' "
                    "AND actor_kind = 'service' AND actor_id = 'intake'")[0]
                .as<int>(),
            50);
}

TEST(handover, review_refuses_a_caller_without_intakes_token_and_takes_a_repeat_as_a_repeat) {
  scratch_database db;
  const std::string token = "intake-token-for-the-handover-test-0123456789";
  running_service intake("casecall-intake", "intake", db.name());  // applies the shared schemas
  running_service review("casecall-review", "review", db.name(), {{"CASECALL_PEER_TOKEN_HASHES", "intake=" + sha256_hex(token)}});
  const std::string id = "0b7c9d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e";
  const json submitted = {{"event", "submitted"}, {"number", 1}, {"organisation_id", "1b7c9d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e"},
                          {"sha256", std::string(64, 'a')}, {"content", {{"reference", "GS7-0001"}}}};
  auto put = [&](const json& body, const std::string& bearer) {
    return http_request(review.port(), "PUT", "/internal/v1/cases/" + id,
                        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + bearer}}, body.dump());
  };
  EXPECT_EQ(put(submitted, "not-the-token").status, 401u);
  EXPECT_EQ(http_request(review.port(), "PUT", "/internal/v1/cases/" + id, {{"Content-Type", "application/json"}}, submitted.dump()).status,
            401u);
  auto first = put(submitted, token);
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(json::parse(first.body)["applied"], true);
  auto again = put(submitted, token);
  EXPECT_EQ(json::parse(again.body)["applied"], false);
  auto withdrawn = put({{"event", "withdrawn"}, {"number", 1}}, token);
  EXPECT_EQ(json::parse(withdrawn.body)["status"], "withdrawn");
  auto stale = put(submitted, token);
  EXPECT_EQ(json::parse(stale.body)["status"], "withdrawn") << "an older delivery changes nothing";
  auto bad = put({{"event", "submitted"}, {"number", 0}}, token);
  EXPECT_EQ(bad.status, 422u);
}

}  // namespace
}  // namespace casecall::testing
