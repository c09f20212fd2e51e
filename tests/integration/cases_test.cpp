// Drafts over HTTP: made once per Idempotency-Key, saved with If-Match so that no save is
// lost, incomplete or over a limit and still kept, shared by an organisation and hidden from
// the others, and read-only once the call has closed by its dates.
#include "intake_stack.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
const std::string password = "correct horse battery staple";

// The GS7 demo call, open now.
std::string make_call(intake_stack& stack, const session& admin) {
  std::ifstream in(source_dir() + "/tests/fixtures/gs7-call.json");
  std::stringstream text;
  text << in.rdbuf();
  auto call = json::parse(text.str());
  call["opens_at"] = "2020-01-01T00:00:00Z";
  call["closes_at"] = "2099-01-01T00:00:00Z";
  auto r = stack.call("POST", "/api/intake/v1/calls", call, &admin);
  if (r.status != 201) throw std::runtime_error("call: " + r.raw.body);
  return r.body["id"].get<std::string>();
}

struct cast {
  intake_stack stack;
  session admin = stack.create_admin("admin@casecall.test", password);
  session owner_a = stack.register_partner("a@example.org", password, "Org A");
  session owner_b = stack.register_partner("b@example.org", password, "Org B");
  std::string call_id = make_call(stack, admin);
};

TEST(cases, the_same_idempotency_key_makes_one_draft_and_another_body_with_it_is_422) {
  cast c;
  const auto url = "/api/intake/v1/calls/" + c.call_id + "/cases";
  const json body = {{"answers", {{"title", "Tea by mobile phone"}}}};
  auto first = c.stack.call("POST", url, body, &c.owner_a, {{"Idempotency-Key", "draft-1"}});
  ASSERT_EQ(first.status, 201) << first.raw.body;
  auto again = c.stack.call("POST", url, body, &c.owner_a, {{"Idempotency-Key", "draft-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body["id"], first.body["id"]);
  EXPECT_EQ(again.raw.header("Location"), first.raw.header("Location"));
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM intake.cases")[0], "1");
  auto other = c.stack.call("POST", url, json{{"answers", {{"title", "Another"}}}}, &c.owner_a, {{"Idempotency-Key", "draft-1"}});
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(other.code(), "idempotency_key_reused");
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM intake.cases")[0], "1");
  // Without a key, each POST is a new draft.
  EXPECT_EQ(c.stack.call("POST", url, body, &c.owner_a).status, 201u);
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM intake.cases")[0], "2");
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'case.created'")[0], "2");
}

TEST(cases, two_saves_with_the_same_if_match_lose_nothing_the_second_is_412) {
  cast c;
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", json::object(), &c.owner_a);
  const auto url = "/api/intake/v1/cases/" + made.body["id"].get<std::string>();
  const auto etag = made.raw.header("ETag");
  // A colleague of the same organisation shares the draft.
  c.stack.invite_and_accept(c.owner_a, json{{"email", "colleague@example.org"}, {"role", "partner"}}, "Colleague", password);
  auto colleague = c.stack.login("colleague@example.org", password);
  auto mine = c.stack.call("PATCH", url, json{{"answers", {{"title", "Owner's title"}}}}, &c.owner_a, {{"If-Match", etag}});
  ASSERT_EQ(mine.status, 200) << mine.raw.body;
  auto theirs = c.stack.call("PATCH", url, json{{"answers", {{"title", "Colleague's title"}}}}, &colleague, {{"If-Match", etag}});
  EXPECT_EQ(theirs.status, 412);
  auto read = c.stack.call("GET", url, std::nullopt, &colleague);
  EXPECT_EQ(read.body["answers"]["title"], "Owner's title");
  // With the new ETag the colleague's save goes through, and keeps the other answers.
  auto next = c.stack.call("PATCH", url, json{{"answers", {{"country", "KE"}}}}, &colleague, {{"If-Match", read.raw.header("ETag")}});
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body["answers"], (json{{"title", "Owner's title"}, {"country", "KE"}}));
}

TEST(cases, a_draft_over_a_limit_or_incomplete_is_saved_and_says_so) {
  cast c;
  std::string chinese;
  for (int i = 0; i < 100; ++i) chinese += "电商扶贫";  // 400 characters, each a word; the limit is 300
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases",
                           json{{"answers", {{"case_language", "zh"}, {"innovation", chinese}}}}, &c.owner_a);
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.body["fields"]["/innovation"], (json{{"state", "over_limit"}, {"count", 400}, {"unit", "words"}, {"max", 300}}));
  EXPECT_EQ(made.body["fields"]["/english_abstract"]["state"], "missing");
  EXPECT_EQ(made.body["fields"]["/title"]["state"], "missing");
  EXPECT_EQ(made.body["status"], "draft");
  // What is of the wrong kind is refused, with the field at fault, and nothing is saved.
  auto bad = c.stack.call("PATCH", "/api/intake/v1/cases/" + made.body["id"].get<std::string>(),
                          json{{"answers", {{"beneficiaries", "many"}, {"nickname", "x"}}}, {"declarations", {"gdpr"}}},
                          &c.owner_a, {{"If-Match", made.raw.header("ETag")}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.field_errors(), (std::vector<std::string>{"/answers/beneficiaries wrong_type", "/answers/nickname unknown_field",
                                                          "/declarations/0 unknown"}));
  EXPECT_EQ(c.stack.query_row("SELECT version FROM intake.cases")[0], "1");
}

TEST(cases, another_organisation_gets_404_on_every_read_and_write) {
  cast c;
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", json{{"answers", {{"title", "A's case"}}}}, &c.owner_a);
  const auto url = "/api/intake/v1/cases/" + made.body["id"].get<std::string>();
  EXPECT_EQ(c.stack.call("GET", url, std::nullopt, &c.owner_b).status, 404u);
  EXPECT_EQ(c.stack.call("PATCH", url, json{{"answers", {{"title", "B was here"}}}}, &c.owner_b, {{"If-Match", "*"}}).status, 404u);
  auto list = c.stack.call("GET", "/api/intake/v1/cases", std::nullopt, &c.owner_b);
  EXPECT_EQ(list.body["items"].size(), 0u);
  EXPECT_EQ(c.stack.call("GET", "/api/intake/v1/cases", std::nullopt, &c.owner_a).body["items"].size(), 1u);
  EXPECT_EQ(c.stack.call("GET", "/api/intake/v1/cases", std::nullopt, &c.admin).body["items"].size(), 1u);
  EXPECT_EQ(c.stack.query_row("SELECT answers->>'title' FROM intake.cases")[0], "A's case");
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'access.denied' AND object_type = 'case'")[0], "2");
}

TEST(cases, a_call_closed_by_its_dates_refuses_new_drafts_and_saves_with_409) {
  cast c;
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", json::object(), &c.owner_a);
  ASSERT_EQ(made.status, 201);
  const auto url = "/api/intake/v1/cases/" + made.body["id"].get<std::string>();
  EXPECT_EQ(c.stack.call("PATCH", url, json{{"answers", {{"title", "Open"}}}}, &c.owner_a, {{"If-Match", "*"}}).status, 200u);
  // The administrator moves the deadline into the past: closes_at + grace is behind the server's clock.
  auto moved = c.stack.call("PATCH", "/api/intake/v1/calls/" + c.call_id,
                            json{{"closes_at", "2021-01-01T00:00:00Z"}, {"grace_minutes", 60}}, &c.admin, {{"If-Match", "*"}});
  ASSERT_EQ(moved.body["status"], "closed");
  auto save = c.stack.call("PATCH", url, json{{"answers", {{"title", "Late"}}}}, &c.owner_a, {{"If-Match", "*"}});
  EXPECT_EQ(save.status, 409);
  EXPECT_EQ(save.code(), "call_closed");
  auto create = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", json::object(), &c.owner_a);
  EXPECT_EQ(create.status, 409);
  EXPECT_EQ(create.code(), "call_closed");
  EXPECT_EQ(c.stack.query_row("SELECT answers->>'title' FROM intake.cases")[0], "Open");
  // A call that has not opened yet takes nothing either.
  auto later = c.stack.call("PATCH", "/api/intake/v1/calls/" + c.call_id,
                            json{{"opens_at", "2098-01-01T00:00:00Z"}, {"closes_at", "2099-01-01T00:00:00Z"}}, &c.admin,
                            {{"If-Match", "*"}});
  ASSERT_EQ(later.body["status"], "upcoming");
  EXPECT_EQ(c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", json::object(), &c.owner_a).code(), "call_not_open");
}

}  // namespace
}  // namespace casecall::testing
