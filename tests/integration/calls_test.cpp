// Calls for cases over HTTP: administrators make and change them, anyone reads them, and
// what a form or a call may not say is refused with the field at fault.
#include "intake_stack.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
const std::string password = "correct horse battery staple";

json gs7_call() {
  std::ifstream in(source_dir() + "/tests/fixtures/gs7-call.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}


TEST(calls, an_administrator_makes_a_call_that_anyone_can_read) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto created = stack.call("POST", "/api/intake/v1/calls", gs7_call(), &admin);
  ASSERT_EQ(created.status, 201) << created.raw.body;
  const auto id = created.body["id"].get<std::string>();
  EXPECT_EQ(created.raw.header("Location"), "/api/intake/v1/calls/" + id);
  EXPECT_EQ(created.raw.header("ETag"), "\"1\"");
  EXPECT_EQ(created.body["reference_prefix"], "GS7");
  EXPECT_EQ(created.body["closes_at"], "2026-09-30T15:59:59Z");
  EXPECT_EQ(created.body["accepting_until"], "2026-09-30T16:59:59Z") << "closes_at plus 60 minutes of grace";
  EXPECT_EQ(created.body["form"], gs7_call()["form"]);

  // Anyone reads it, without signing in; the list leaves the forms out.
  auto read = stack.call("GET", "/api/intake/v1/calls/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body["titles"]["zh"], "第七届全球减贫案例征集活动");
  auto list = stack.call("GET", "/api/intake/v1/calls");
  ASSERT_EQ(list.body["items"].size(), 1u);
  EXPECT_FALSE(list.body["items"][0].contains("form"));
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'call.created'")[0], "1");

  // Changing it needs the current ETag.
  auto no_match = stack.call("PATCH", "/api/intake/v1/calls/" + id, json{{"grace_minutes", 120}}, &admin);
  EXPECT_EQ(no_match.status, 428);
  auto changed = stack.call("PATCH", "/api/intake/v1/calls/" + id, json{{"grace_minutes", 120}}, &admin, {{"If-Match", "\"1\""}});
  ASSERT_EQ(changed.status, 200) << changed.raw.body;
  EXPECT_EQ(changed.body["accepting_until"], "2026-09-30T17:59:59Z");
  EXPECT_EQ(changed.raw.header("ETag"), "\"2\"");
  auto stale = stack.call("PATCH", "/api/intake/v1/calls/" + id, json{{"grace_minutes", 0}}, &admin, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stack.query_row("SELECT grace_minutes FROM intake.calls")[0], "120") << "the stale change was not applied";

  // A call's status follows the server's clock: dates in the past close it.
  auto closed = stack.call("PATCH", "/api/intake/v1/calls/" + id,
                           json{{"opens_at", "2020-01-01T00:00:00Z"}, {"closes_at", "2020-02-01T00:00:00Z"}}, &admin,
                           {{"If-Match", "*"}});
  EXPECT_EQ(closed.body["status"], "closed");
  auto open = stack.call("PATCH", "/api/intake/v1/calls/" + id, json{{"closes_at", "2099-01-01T00:00:00Z"}}, &admin,
                         {{"If-Match", "*"}});
  EXPECT_EQ(open.body["status"], "open");
}

TEST(calls, what_a_call_may_not_say_is_refused_with_the_field_at_fault) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto partner = stack.register_partner("p@example.org", password, "Org P");
  EXPECT_EQ(stack.call("POST", "/api/intake/v1/calls", gs7_call(), &partner).status, 403u);

  auto bad = gs7_call();
  bad["closes_at"] = "2026-05-01T00:00:00Z";  // before it opens
  bad["time_zone"] = "Mars/Olympus_Mons";
  bad["form"]["sections"][2]["id"] = "background";
  auto r = stack.call("POST", "/api/intake/v1/calls", bad, &admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.field_errors(), (std::vector<std::string>{"/form/sections/2/id duplicate", "/closes_at out_of_range",
                                                      "/time_zone unknown"}));

  auto schema = gs7_call();
  schema["reference_prefix"] = "gs-7";
  schema["form"]["sections"][0]["fields"][0]["type"] = "essay";
  schema["attachment_rules"].erase("video");
  r = stack.call("POST", "/api/intake/v1/calls", schema, &admin);
  EXPECT_EQ(r.field_errors(), (std::vector<std::string>{"/attachment_rules/video missing",
                                                      "/form/sections/0/fields/0/type not_allowed",
                                                      "/reference_prefix bad_format"}));
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM intake.calls")[0], "0");

  ASSERT_EQ(stack.call("POST", "/api/intake/v1/calls", gs7_call(), &admin).status, 201u);
  auto twice = stack.call("POST", "/api/intake/v1/calls", gs7_call(), &admin);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.code(), "reference_taken");
  EXPECT_EQ(stack.call("GET", "/api/intake/v1/calls/00000000-0000-0000-0000-000000000000").status, 404u);
}

}  // namespace
}  // namespace casecall::testing
