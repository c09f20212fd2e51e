// Review's rounds, rubrics and panels over HTTP, signed in through intake: an administrator
// makes a call's screening and scoring rounds, a scoring round's rubric is checked (schema and
// rules) and versioned with If-Match, judges (and only judges) go on a round's panel, every
// change is audited, and nobody else gets in.
#include "intake_stack.hpp"

#include <gtest/gtest.h>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
const std::string password = "correct horse battery staple";
const std::string call_id = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b";
const std::string rounds = "/api/review/v1/calls/" + call_id + "/rounds";

json rubric(int results_weight = 60) {
  auto criterion = [](std::string id, int weight) {
    return json{{"id", id}, {"labels", {{"en", id}, {"fr", id}}}, {"weight", weight}, {"scale", {{"min", 1}, {"max", 10}}}};
  };
  return json{{"criteria", {criterion("results", results_weight), criterion("innovation", 40)}}};
}

TEST(rounds, an_administrator_makes_a_calls_rounds_and_versions_the_scoring_rubric) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);

  auto screening = stack.call_review("POST", rounds, json{{"kind", "screening"}}, &admin);
  ASSERT_EQ(screening.status, 201) << screening.raw.body;
  EXPECT_EQ(screening.body["blind"], "open");
  EXPECT_EQ(screening.body["rubric"], nullptr);
  auto scoring = stack.call_review("POST", rounds, json{{"kind", "scoring"}, {"blind", "anonymous"}, {"rubric", rubric()}}, &admin);
  ASSERT_EQ(scoring.status, 201) << scoring.raw.body;
  EXPECT_EQ(scoring.raw.header("Location"), "/api/review/v1/rounds/" + scoring.body["id"].get<std::string>());
  EXPECT_EQ(scoring.raw.header("ETag"), "\"1\"");
  EXPECT_EQ(scoring.body["rubric"]["version"], 1);
  EXPECT_EQ(scoring.body["rubric"]["definition"], rubric());

  // One round of a kind per call.
  auto again = stack.call_review("POST", rounds, json{{"kind", "screening"}}, &admin);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code(), "round_exists");

  // A new version of the rubric, with If-Match; the old version is kept and listed.
  const auto round = "/api/review/v1/rounds/" + scoring.body["id"].get<std::string>();
  auto even = rubric(50);
  even["criteria"][1]["weight"] = 50;
  auto changed = stack.call_review("PUT", round + "/rubric", even, &admin, {{"If-Match", "\"1\""}});
  ASSERT_EQ(changed.status, 200) << changed.raw.body;
  EXPECT_EQ(changed.body["rubric"]["version"], 2);
  EXPECT_EQ(changed.body["rubric_versions"].size(), 2u);
  EXPECT_EQ(changed.raw.header("ETag"), "\"2\"");
  // The same If-Match again is out of date; none at all is required.
  auto stale = stack.call_review("PUT", round + "/rubric", rubric(), &admin, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stack.call_review("PUT", round + "/rubric", rubric(), &admin).status, 428);

  auto list = stack.call_review("GET", rounds, std::nullopt, &admin);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["items"].size(), 2u);
  EXPECT_EQ(list.body["items"][0]["kind"], "screening");
  EXPECT_EQ(list.body["items"][1]["rubric"]["version"], 2);
  EXPECT_EQ(stack.call_review("GET", round, std::nullopt, &admin).body["version"], 2);

  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE stream = 'review' AND action = 'round.created'")[0], "2");
  EXPECT_EQ(stack.query_row("SELECT detail->>'version' FROM audit.events WHERE action = 'rubric.changed'")[0], "2");
}

TEST(rounds, a_bad_rubric_is_refused_naming_each_problem_and_changes_nothing) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto bad = rubric(50);  // 90 in all
  bad["criteria"][1]["id"] = "results";
  auto refused = stack.call_review("POST", rounds, json{{"kind", "scoring"}, {"rubric", bad}}, &admin);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.field_errors(),
            (std::vector<std::string>{"/rubric/criteria/1/id duplicate", "/rubric/criteria weights_sum"}));
  auto off_schema = rubric();
  off_schema["criteria"][0]["weight"] = 0;
  EXPECT_EQ(stack.call_review("POST", rounds, json{{"kind", "scoring"}, {"rubric", off_schema}}, &admin).field_errors(),
            (std::vector<std::string>{"/rubric/criteria/0/weight out_of_range"}));
  EXPECT_EQ(stack.call_review("POST", rounds, json{{"kind", "scoring"}}, &admin).field_errors(),
            (std::vector<std::string>{"/rubric missing"}));
  EXPECT_EQ(stack.call_review("POST", rounds, json{{"kind", "tasting"}}, &admin).field_errors(),
            (std::vector<std::string>{"/kind not_allowed"}));
  EXPECT_EQ(stack.call_review("POST", rounds, json{{"kind", "screening"}, {"blind", "half"}}, &admin).field_errors(),
            (std::vector<std::string>{"/blind not_allowed"}));
  EXPECT_EQ(stack.call_review("POST", rounds, json{{"kind", "final"}, {"rubric", rubric()}}, &admin).field_errors(),
            (std::vector<std::string>{"/rubric not_allowed"}));
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM review.rounds")[0], "0");

  // A new version is checked the same way; a screening round has no rubric to change.
  auto scoring = stack.call_review("POST", rounds, json{{"kind", "scoring"}, {"rubric", rubric()}}, &admin);
  const auto round = "/api/review/v1/rounds/" + scoring.body["id"].get<std::string>();
  auto wrong = stack.call_review("PUT", round + "/rubric", rubric(70), &admin, {{"If-Match", "\"1\""}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(wrong.field_errors(), (std::vector<std::string>{"/criteria weights_sum"}));
  // (Another call's screening round: this call's rounds must come in order.)
  auto screening = stack.call_review("POST", "/api/review/v1/calls/7d0e4c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6/rounds",
                                     json{{"kind", "screening"}}, &admin);
  ASSERT_EQ(screening.status, 201) << screening.raw.body;
  auto no_rubric = stack.call_review("PUT", "/api/review/v1/rounds/" + screening.body["id"].get<std::string>() + "/rubric",
                                     rubric(), &admin, {{"If-Match", "\"1\""}});
  EXPECT_EQ(no_rubric.status, 409);
  EXPECT_EQ(no_rubric.code(), "not_a_scoring_round");
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM review.rubrics")[0], "1");
}

TEST(rounds, partners_and_strangers_are_kept_out) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto partner = stack.register_partner("partner@example.org", password, "Org A");
  EXPECT_EQ(stack.call_review("GET", rounds).status, 401);
  auto as_partner = stack.call_review("POST", rounds, json{{"kind", "screening"}}, &partner);
  EXPECT_EQ(as_partner.status, 403);
  EXPECT_EQ(as_partner.code(), "forbidden");
  EXPECT_EQ(stack.call_review("GET", rounds, std::nullopt, &partner).status, 403);
  EXPECT_EQ(stack.call_review("GET", "/api/review/v1/rounds/not-a-uuid", std::nullopt, &admin).status, 404);
  EXPECT_EQ(stack.call_review("GET", "/api/review/v1/rounds/" + call_id, std::nullopt, &admin).status, 404);
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE stream = 'review' AND action = 'access.denied'")[0], "2");
}

TEST(rounds, judges_and_only_judges_sit_on_a_rounds_panel) {
  intake_stack stack;
  auto admin = stack.create_admin("admin@casecall.test", password);
  auto partner = stack.register_partner("partner@example.org", password, "Org A");
  auto judging = stack.call("POST", "/api/intake/v1/organisations",
                            json{{"names", {{"en", "World Food Programme"}}}, {"country", "IT"},
                                 {"kind", "international_organisation"}, {"purpose", "judging"}},
                            &admin);
  ASSERT_EQ(judging.status, 201) << judging.raw.body;
  auto judge = stack.invite_and_accept(
      admin, json{{"email", "judge@wfp.example"}, {"role", "judge"}, {"organisation_id", judging.body["id"]}}, "Ana Judge", password);
  const auto judge_id = judge["id"].get<std::string>();
  auto round = stack.call_review("POST", rounds, json{{"kind", "scoring"}, {"rubric", rubric()}}, &admin);
  ASSERT_EQ(round.status, 201);
  const auto panel = "/api/review/v1/rounds/" + round.body["id"].get<std::string>() + "/panel";

  auto added = stack.call_review("PUT", panel + "/" + judge_id,
                                 json{{"capacity", 45}, {"themes", {"agriculture", "finance"}}, {"languages", {"en", "fr"}}}, &admin);
  ASSERT_EQ(added.status, 201) << added.raw.body;
  EXPECT_EQ(added.body["name"], "Ana Judge");
  EXPECT_EQ(added.body["organisation_id"], judging.body["id"]);
  EXPECT_EQ(added.body["themes"], json({"agriculture", "finance"}));
  auto changed = stack.call_review("PUT", panel + "/" + judge_id, json{{"capacity", 30}}, &admin);
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body["capacity"], 30);
  EXPECT_EQ(changed.body["themes"], json::array());

  // A partner is no judge; a user who does not exist is not found; a capacity of 0 is refused.
  auto not_judge = stack.call_review("PUT", panel + "/" + partner.user["id"].get<std::string>(), json{{"capacity", 5}}, &admin);
  EXPECT_EQ(not_judge.status, 409);
  EXPECT_EQ(not_judge.code(), "not_a_judge");
  EXPECT_EQ(stack.call_review("PUT", panel + "/" + call_id, json{{"capacity", 5}}, &admin).status, 404);
  EXPECT_EQ(stack.call_review("PUT", panel + "/" + judge_id, json{{"capacity", 0}}, &admin).field_errors(),
            (std::vector<std::string>{"/capacity out_of_range"}));

  auto list = stack.call_review("GET", panel, std::nullopt, &admin);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(list.body["items"][0]["email"], "judge@wfp.example");
  EXPECT_EQ(list.body["items"][0]["capacity"], 30);
  // The judge may not see or change the panel.
  auto as_judge = stack.login("judge@wfp.example", password);
  EXPECT_EQ(stack.call_review("GET", panel, std::nullopt, &as_judge).status, 403);

  EXPECT_EQ(stack.call_review("DELETE", panel + "/" + judge_id, std::nullopt, &admin).status, 204);
  EXPECT_EQ(stack.call_review("DELETE", panel + "/" + judge_id, std::nullopt, &admin).status, 404);
  EXPECT_EQ(stack.call_review("GET", panel, std::nullopt, &admin).body["items"].size(), 0u);
  EXPECT_EQ(stack.call_review("GET", "/api/review/v1/rounds/" + call_id + "/panel", std::nullopt, &admin).status, 404);
  EXPECT_EQ(stack.query_row("SELECT string_agg(action, ',' ORDER BY id) FROM audit.events WHERE action LIKE 'panel.%'")[0],
            "panel.member_added,panel.member_changed,panel.member_removed");
}

}  // namespace
}  // namespace casecall::testing
