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
  auto r = stack.call("POST", "/api/intake/v1/calls", gs7_call_open_now(), &admin);
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

namespace casecall::testing {
namespace {

// Answers that complete every required field of the GS7 form, in English.
json complete_case() {
  json answers = {{"title", "Mobile money for smallholder tea farmers"},
                  {"case_language", "en"},
                  {"country", "KE"},
                  {"theme", {"finance", "agriculture"}},
                  {"contact_email", "cases@example.org"},
                  {"partners", {{{"name", "Kericho County"}, {"country", "KE"}}}}};
  for (const char* field : {"background", "approach", "results", "lessons", "innovation", "sustainability", "replicability"}) {
    answers[field] = std::string("What we wrote about ") + field + ", in a few words.";
  }
  return {{"answers", answers},
          {"co_authors", {{{"name", "Grace Wanjiku"}, {"organisation", "Org A"}}}},
          {"contacts", {{{"name", "Owner of Org A"}, {"email", "a@example.org"}}}},
          {"declarations", {"copyright", "consent", "licence"}}};
}

TEST(submission, a_case_over_a_limit_saves_but_its_submission_is_422_naming_the_field_and_the_count) {
  cast c;
  auto body = complete_case();
  std::string long_text;
  for (int i = 0; i < 301; ++i) long_text += "word ";
  body["answers"]["innovation"] = long_text;
  body["answers"].erase("results");
  body["declarations"] = {"copyright"};
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", body, &c.owner_a);
  ASSERT_EQ(made.status, 201) << made.raw.body;
  auto submit = c.stack.call("POST", "/api/intake/v1/cases/" + made.body["id"].get<std::string>() + "/submit", std::nullopt,
                             &c.owner_a, {{"If-Match", made.raw.header("ETag")}});
  EXPECT_EQ(submit.status, 422) << submit.raw.body;
  EXPECT_EQ(submit.field_errors(), (std::vector<std::string>{"/answers/innovation over_limit", "/answers/results missing",
                                                             "/declarations missing", "/declarations missing"}));
  EXPECT_NE(submit.raw.body.find("301 words for at most 300"), std::string::npos) << submit.raw.body;
  EXPECT_EQ(c.stack.query_row("SELECT status, reference IS NULL FROM intake.cases"), (std::vector<std::string>{"draft", "t"}));
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM intake.review_outbox")[0], "0");
}

TEST(submission, a_receipt_hash_recomputed_from_the_content_equals_the_receipt) {
  cast c;
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", complete_case(), &c.owner_a);
  const auto id = made.body["id"].get<std::string>();
  auto receipt = c.stack.call("POST", "/api/intake/v1/cases/" + id + "/submit", std::nullopt, &c.owner_a,
                              {{"If-Match", made.raw.header("ETag")}});
  ASSERT_EQ(receipt.status, 201) << receipt.raw.body;
  EXPECT_EQ(receipt.body["reference"], "GS7-0001");
  EXPECT_EQ(receipt.body["number"], 1);
  EXPECT_EQ(receipt.raw.header("Location"), "/api/intake/v1/cases/" + id + "/versions/1");

  // Recompute: the canonical JSON of the content (compact, keys in byte order), then SHA-256.
  auto version = c.stack.call("GET", "/api/intake/v1/cases/" + id + "/versions/1", std::nullopt, &c.owner_a);
  ASSERT_EQ(version.status, 200);
  const auto& content = version.body["content"];
  EXPECT_EQ(content["answers"], complete_case()["answers"]);
  EXPECT_EQ(content["reference"], "GS7-0001");
  EXPECT_EQ(sha256_hex(content.dump()), receipt.body["sha256"]);
  EXPECT_EQ(version.body["canonical"], content.dump());
  EXPECT_EQ(version.body["submitted_at"], receipt.body["submitted_at"]);

  // The receipt mail names the reference and the hash.
  auto mail = c.stack.mail(c.stack.mails_expected() + 1);
  EXPECT_NE(mail.subject.find("GS7-0001"), std::string::npos) << mail.subject;
  EXPECT_NE(mail.body.find(receipt.body["sha256"].get<std::string>()), std::string::npos) << mail.body;

  // Until the deadline the case may change and be submitted again: a new version, same reference.
  auto read = c.stack.call("GET", "/api/intake/v1/cases/" + id, std::nullopt, &c.owner_a);
  EXPECT_EQ(read.body["status"], "submitted");
  EXPECT_EQ(read.body["changed_since_submission"], false);
  auto changed = c.stack.call("PATCH", "/api/intake/v1/cases/" + id, json{{"answers", {{"lessons", "We learned more."}}}},
                              &c.owner_a, {{"If-Match", read.raw.header("ETag")}});
  EXPECT_EQ(changed.body["changed_since_submission"], true);
  auto second = c.stack.call("POST", "/api/intake/v1/cases/" + id + "/submit", std::nullopt, &c.owner_a,
                             {{"If-Match", changed.raw.header("ETag")}});
  ASSERT_EQ(second.status, 201) << second.raw.body;
  EXPECT_EQ(second.body["reference"], "GS7-0001");
  EXPECT_EQ(second.body["number"], 2);
  EXPECT_NE(second.body["sha256"], receipt.body["sha256"]);
  auto versions = c.stack.call("GET", "/api/intake/v1/cases/" + id + "/versions", std::nullopt, &c.owner_a);
  ASSERT_EQ(versions.body["items"].size(), 2u);
  EXPECT_EQ(versions.body["items"][0]["sha256"], receipt.body["sha256"]) << "the first version is kept";

  // Another organisation's case is not another reference: the counter is the call's.
  auto other = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", complete_case(), &c.owner_b);
  auto other_receipt = c.stack.call("POST", "/api/intake/v1/cases/" + other.body["id"].get<std::string>() + "/submit",
                                    std::nullopt, &c.owner_b, {{"If-Match", other.raw.header("ETag")}});
  EXPECT_EQ(other_receipt.body["reference"], "GS7-0002");
  EXPECT_EQ(c.stack.query_row("SELECT string_agg(event || ':' || case_number, ',' ORDER BY id) FROM intake.review_outbox")[0],
            "submitted:1,submitted:2,submitted:1");
  EXPECT_EQ(c.stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'case.submitted'")[0], "3");

  // Cases have been submitted: the call's form may gain optional fields, and nothing else.
  auto call = c.stack.call("GET", "/api/intake/v1/calls/" + c.call_id);
  auto form = call.body["form"];
  auto stricter = form;
  stricter["sections"][1]["fields"][0]["limit"]["max"] = 100;
  auto refused = c.stack.call("PATCH", "/api/intake/v1/calls/" + c.call_id, json{{"form", stricter}}, &c.admin, {{"If-Match", "*"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.field_errors(), std::vector<std::string>{"/form/sections/1/fields/0 not_allowed"});
  auto larger = form;
  larger["sections"][1]["fields"].push_back({{"id", "context_note"}, {"type", "short_text"}, {"labels", {{"en", "Note"}}}});
  EXPECT_EQ(c.stack.call("PATCH", "/api/intake/v1/calls/" + c.call_id, json{{"form", larger}}, &c.admin, {{"If-Match", "*"}}).status,
            200u);
}

TEST(submission, a_withdrawn_case_stays_withdrawn_and_a_closed_call_takes_no_submission) {
  cast c;
  auto made = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", complete_case(), &c.owner_a);
  const auto id = made.body["id"].get<std::string>();
  auto draft_withdraw = c.stack.call("POST", "/api/intake/v1/cases/" + id + "/withdraw", std::nullopt, &c.owner_a, {{"If-Match", "*"}});
  EXPECT_EQ(draft_withdraw.code(), "not_submitted");
  ASSERT_EQ(c.stack.call("POST", "/api/intake/v1/cases/" + id + "/submit", std::nullopt, &c.owner_a, {{"If-Match", "*"}}).status,
            201u);
  auto withdrawn = c.stack.call("POST", "/api/intake/v1/cases/" + id + "/withdraw", std::nullopt, &c.owner_a, {{"If-Match", "*"}});
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.raw.body;
  EXPECT_EQ(withdrawn.body["status"], "withdrawn");
  EXPECT_EQ(c.stack.call("POST", "/api/intake/v1/cases/" + id + "/submit", std::nullopt, &c.owner_a, {{"If-Match", "*"}}).code(),
            "case_withdrawn");

  auto second = c.stack.call("POST", "/api/intake/v1/calls/" + c.call_id + "/cases", complete_case(), &c.owner_a);
  ASSERT_EQ(c.stack.call("PATCH", "/api/intake/v1/calls/" + c.call_id, json{{"closes_at", "2021-01-01T00:00:00Z"}}, &c.admin,
                         {{"If-Match", "*"}})
                .body["status"],
            "closed");
  auto late = c.stack.call("POST", "/api/intake/v1/cases/" + second.body["id"].get<std::string>() + "/submit", std::nullopt,
                           &c.owner_a, {{"If-Match", "*"}});
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.code(), "call_closed");
  EXPECT_EQ(c.stack.query_row("SELECT string_agg(event, ',' ORDER BY id) FROM intake.review_outbox")[0], "submitted,withdrawn");
}

}  // namespace
}  // namespace casecall::testing
