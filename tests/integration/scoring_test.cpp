// Review over HTTP, end to end: cases submitted in intake reach review through the outbox, the
// solver assigns judges from several organisations, judges score (blind to one another until
// their own review is in), the results are calibrated, decisions are made, the round closes
// into a decision record that verifies, and a score changed behind the API's back is caught.
// Also: what judges of an anonymous round can see, conflicts of interest, bad scoring input.
#include "review_world.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
using namespace review_support;

TEST(scoring, cases_go_from_intake_through_assignment_scoring_calibration_and_decisions_to_a_verified_record) {
  world w;
  const auto ifad = w.organisation("IFAD");
  const auto wfp = w.organisation("WFP");
  const auto adb = w.organisation("ADB");
  const auto j1 = w.judge("lenient@ifad.example", "Lena Lenient", ifad);
  const auto j2 = w.judge("harsh@wfp.example", "Hugo Harsh", wfp);
  const auto j3 = w.judge("fair@adb.example", "Fatima Fair", adb);
  auto partner_a = w.stack.register_partner("a@example.org", password, "Org A");
  auto partner_b = w.stack.register_partner("b@example.org", password, "Org B");
  std::vector<std::string> cases;
  for (int i = 0; i < 4; ++i) cases.push_back(w.submit(i % 2 ? partner_b : partner_a, case_body("Case " + std::to_string(i))));
  w.handed_over();
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM review.cases WHERE status = 'submitted'")[0], "4");

  const auto round = w.round(json{{"kind", "scoring"}, {"rubric", rubric()}});
  w.seat(round, 10);
  auto listed = w.stack.call_review("GET", round + "/cases", std::nullopt, &w.admin);
  ASSERT_EQ(listed.status, 200) << listed.raw.body;
  EXPECT_EQ(listed.body["items"].size(), 4u);

  // Automatic assignment: 3 judges per case from at least 2 organisations.
  auto solved = w.stack.call_review("POST", round + "/assignment", json{{"k", 3}, {"m", 2}, {"seed", 7}}, &w.admin);
  ASSERT_EQ(solved.status, 200) << solved.raw.body;
  EXPECT_EQ(solved.body["added"], 12);
  EXPECT_EQ(solved.body["shortfalls"], json::array());
  for (const auto& load : solved.body["loads"]) EXPECT_EQ(load["load"], 4);
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM mail.outbox WHERE kind = 'review_assignment'")[0], "3");
  // The same request again adds nothing: what is assigned is kept.
  auto again = w.stack.call_review("POST", round + "/assignment", json{{"k", 3}, {"m", 2}, {"seed", 7}}, &w.admin);
  EXPECT_EQ(again.body["added"], 0);
  EXPECT_EQ(again.body["total"], 12);

  auto mine = w.stack.call_review("GET", api + "/my/assignments", std::nullopt, &w.as(j1));
  ASSERT_EQ(mine.status, 200) << mine.raw.body;
  EXPECT_EQ(mine.body["total"], 4);
  EXPECT_EQ(mine.body["submitted"], 0);
  EXPECT_EQ(mine.body["items"][0]["criteria"], 2);

  // True quality: case 0 best, case 3 worst. Lena adds 2, Hugo takes 2, Fatima is fair.
  const std::map<std::string, int> bias = {{j1, 2}, {j2, -2}, {j3, 0}};
  const int quality[] = {7, 6, 5, 4};
  for (const auto& [judge, b] : bias) {
    for (std::size_t i = 0; i < 4; ++i) {
      const auto path = round + "/cases/" + cases[i] + "/review";
      if (judge == j1 && i == 0) {
        // Anchoring: before her own review is in, nobody's scores or words are shown to her.
        EXPECT_EQ(w.stack.call_review("GET", round + "/cases/" + cases[0] + "/reviews", std::nullopt, &w.as(j1)).code(),
                  "own_review_first");
        EXPECT_EQ(w.stack.call_review("GET", round + "/cases/" + cases[0] + "/discussion", std::nullopt, &w.as(j1)).code(),
                  "own_review_first");
      }
      const int s = quality[i] + b;
      auto draft = w.stack.call_review("PUT", path, json{{"scores", {{"results", s}}}, {"comment_to_panel", "Draft."}}, &w.as(judge));
      ASSERT_EQ(draft.status, 200) << draft.raw.body;
      EXPECT_EQ(draft.body["review_status"], "draft");
      EXPECT_EQ(draft.body["weighted"], nullptr);
      auto full = w.stack.call_review("PUT", path,
                                      json{{"scores", {{"results", s}, {"innovation", s}}}, {"confidence", 4},
                                           {"comment_to_submitter", judge == j3 ? "Clear evidence, case " + std::to_string(i) + "." : ""}},
                                      &w.as(judge), {{"If-Match", draft.raw.header("ETag")}});
      ASSERT_EQ(full.status, 200) << full.raw.body;
      auto sent = w.stack.call_review("POST", path + "/submit", std::nullopt, &w.as(judge));
      ASSERT_EQ(sent.status, 200) << sent.raw.body;
      EXPECT_EQ(sent.body["review_status"], "submitted");
      EXPECT_NEAR(sent.body["weighted"].get<double>(), 10.0 * (s - 1) / 9, 1e-9);
    }
  }
  auto seen = w.stack.call_review("GET", round + "/cases/" + cases[0] + "/reviews", std::nullopt, &w.as(j1));
  ASSERT_EQ(seen.status, 200) << seen.raw.body;
  EXPECT_EQ(seen.body["items"].size(), 3u);
  auto post = w.stack.call_review("POST", round + "/cases/" + cases[0] + "/discussion", json{{"body", "Strong results."}}, &w.as(j2));
  EXPECT_EQ(post.status, 201) << post.raw.body;
  auto thread = w.stack.call_review("GET", round + "/cases/" + cases[0] + "/discussion", std::nullopt, &w.as(j1));
  ASSERT_EQ(thread.body["items"].size(), 1u);
  EXPECT_EQ(thread.body["items"][0]["author_name"], "Hugo Harsh");

  // Results: raw and calibrated side by side, ranked by the calibrated score.
  auto results = w.stack.call_review("GET", round + "/results?method=z_score&shrinkage=3", std::nullopt, &w.admin);
  ASSERT_EQ(results.status, 200) << results.raw.body;
  ASSERT_EQ(results.body["ranking"].size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(results.body["ranking"][i]["case_id"], cases[i]);
    EXPECT_EQ(results.body["ranking"][i]["reviews"], 3);
  }
  EXPECT_EQ(results.body["method"]["name"], "z_score");
  EXPECT_EQ(results.body["judges"].size(), 3u);
  EXPECT_EQ(results.body["criteria"].size(), 2u);
  auto csv = w.stack.call_review("GET", round + "/results.csv", std::nullopt, &w.admin);
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.raw.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.raw.body.find(cases[0]), std::string::npos);
  auto xlsx = w.stack.call_review("GET", round + "/results.xlsx", std::nullopt, &w.admin);
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.raw.body.substr(0, 4), std::string("PK\x03\x04", 4));

  // Decisions, then the round closes into its record.
  for (std::size_t i = 0; i < 4; ++i) {
    auto d = w.stack.call_review("PUT", round + "/decisions/" + cases[i],
                                 json{{"decision", i < 2 ? "accept" : "reject"}, {"reason", i < 2 ? "Among the best." : "Below the line."}},
                                 &w.admin);
    ASSERT_EQ(d.status, 200) << d.raw.body;
  }
  auto closed = w.stack.call_review("POST", round + "/close", json{{"method", "z_score"}}, &w.admin);
  ASSERT_EQ(closed.status, 200) << closed.raw.body;
  const auto sha = closed.body["sha256"].get<std::string>();
  EXPECT_EQ(closed.body["reviews"].size(), 12u);
  EXPECT_EQ(closed.body["decisions"].size(), 4u);
  auto record = w.stack.call_review("GET", round + "/record", std::nullopt, &w.admin);
  EXPECT_EQ(record.body, closed.body);
  auto verified = w.stack.call_review("GET", round + "/record/verification", std::nullopt, &w.admin);
  ASSERT_EQ(verified.status, 200) << verified.raw.body;
  EXPECT_EQ(verified.body["ok"], true);
  EXPECT_EQ(verified.body["sha256"], sha);

  // Closed: nothing changes any more.
  auto late = w.stack.call_review("PUT", round + "/cases/" + cases[0] + "/review", json{{"scores", {{"results", 1}}}}, &w.as(j1));
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.code(), "round_closed");
  EXPECT_EQ(w.stack.call_review("POST", round + "/close", std::nullopt, &w.admin).code(), "round_closed");

  // For publish: the accepted cases, as the record ranks them.
  auto accepted = w.stack.call_review("GET", "/internal/v1/calls/" + w.call_id + "/decisions", std::nullopt, nullptr,
                                      {{"Authorization", "Bearer " + intake_stack::review_link_token()}});
  ASSERT_EQ(accepted.status, 200) << accepted.raw.body;
  ASSERT_EQ(accepted.body["items"].size(), 2u);
  EXPECT_EQ(accepted.body["items"][0]["case_id"], cases[0]);
  EXPECT_EQ(accepted.body["items"][0]["rank"], 1);
  // A session is no service token.
  EXPECT_EQ(w.stack.call_review("GET", "/internal/v1/calls/" + w.call_id + "/decisions", std::nullopt, &w.admin).status, 401);

  // Before the release a partner sees no decision; afterwards the decision, its reason and the
  // judges' comments to the submitter, without their names; another organisation sees nothing.
  const auto outcome = api + "/cases/" + cases[0] + "/outcome";
  auto unreleased = w.stack.call_review("GET", outcome, std::nullopt, &partner_a);
  ASSERT_EQ(unreleased.status, 200) << unreleased.raw.body;
  EXPECT_EQ(unreleased.body["rounds"], json::array());
  EXPECT_EQ(w.stack.call_review("GET", outcome, std::nullopt, &partner_b).status, 404);
  EXPECT_EQ(w.stack.call_review("GET", outcome, std::nullopt, &w.admin).body["rounds"][0]["released_at"], nullptr);
  // Partners hear of the decisions when an administrator releases them, once.
  auto released = w.stack.call_review("POST", round + "/decisions/release", std::nullopt, &w.admin);
  ASSERT_EQ(released.status, 200) << released.raw.body;
  EXPECT_EQ(released.body["released"], 4);
  EXPECT_EQ(w.stack.call_review("POST", round + "/decisions/release", std::nullopt, &w.admin).body["released"], 0);
  EXPECT_EQ(w.stack.query_row("SELECT count(*), count(DISTINCT to_address) FROM mail.outbox WHERE kind = 'case_decision'"),
            (std::vector<std::string>{"4", "2"}));
  auto told = w.stack.call_review("GET", outcome, std::nullopt, &partner_a);
  ASSERT_EQ(told.body["rounds"].size(), 1u) << told.raw.body;
  EXPECT_EQ(told.body["rounds"][0]["decision"], "accept");
  EXPECT_EQ(told.body["rounds"][0]["reason"], "Among the best.");
  EXPECT_EQ(told.body["rounds"][0]["feedback"], json::array({"Clear evidence, case 0."}));
  EXPECT_EQ(told.raw.body.find("Fatima"), std::string::npos);

  // A score changed in the database behind the API's back: verification names it.
  w.stack.query_row("UPDATE review.reviews SET scores = jsonb_set(scores, '{results}', '1') WHERE round_id = '" +
                    round.substr(round.rfind('/') + 1) + "' AND case_id = '" + cases[0] + "' AND user_id = '" + j3 + "' RETURNING 1");
  auto broken = w.stack.call_review("GET", round + "/record/verification", std::nullopt, &w.admin);
  ASSERT_EQ(broken.status, 200);
  EXPECT_EQ(broken.body["ok"], false);
  std::set<std::string> what;
  for (const auto& m : broken.body["mismatches"]) what.insert(m["what"].get<std::string>());
  EXPECT_TRUE(what.count("score")) << broken.raw.body;
  EXPECT_NE(broken.body["mismatches"][0]["detail"].get<std::string>().find(cases[0]), std::string::npos);
  // The record itself cannot be changed.
  EXPECT_THROW(w.stack.query_row("UPDATE review.records SET sha256 = repeat('0', 64) RETURNING 1"), std::exception);

  EXPECT_EQ(w.stack.query_row("SELECT string_agg(DISTINCT action, ',') FROM audit.events WHERE stream = 'review' AND action IN "
                              "('assignment.solved', 'review.saved', 'review.submitted', 'discussion.posted', 'decision.made', "
                              "'round.closed', 'decisions.released')")[0],
            "assignment.solved,decision.made,decisions.released,discussion.posted,review.saved,review.submitted,round.closed");
}

TEST(scoring, an_anonymous_round_shows_judges_nothing_that_names_the_submitter) {
  world w;
  const auto fao = w.organisation("FAO");
  const auto bank = w.organisation("World Bank");
  const auto j1 = w.judge("j1@fao.example", "Judge One", fao);
  const auto j2 = w.judge("j2@bank.example", "Judge Two", bank);
  auto partner = w.stack.register_partner("owner@milpa.example.org", password, "Milpa Social Finance");
  const std::string photo("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00 pixels", 27);
  // The submitter's name, people and addresses are all over the case.
  const auto id = w.submit(partner, case_body("How Milpa Social Finance lent to 900 farmers",
                                              json{{"answers", {{"website", "https://milpa.example.org/case"},
                                                                {"contact_email", "ines.rojas@milpa.example.org"},
                                                                {"approach", "Ines Rojas and Tomas Quispe of MILPA SOCIAL FINANCE "
                                                                             "(write to tq@milpa.example.org) visited each village."}}},
                                                   {"co_authors", {{{"name", "Tomas Quispe"}, {"organisation", "Milpa Social Finance"}}}},
                                                   {"contacts", {{{"name", "Ines Rojas"}, {"email", "ines.rojas@milpa.example.org"}}}}}),
                           [&](const std::string& case_id) {
                             // A photo whose file name names the organisation.
                             auto sent = w.stack.call_raw(
                                 "POST", "/api/intake/v1/uploads", photo,
                                 {{"Cookie", partner.cookie}, {"X-CSRF-Token", partner.csrf}, {"Tus-Resumable", "1.0.0"},
                                  {"Upload-Length", std::to_string(photo.size())},
                                  {"Content-Type", "application/offset+octet-stream"},
                                  {"Upload-Metadata", "case_id " + base64(case_id) + ",kind " + base64("photo") +
                                                          ",filename " + base64("Milpa team, Oaxaca.jpg")}});
                             ASSERT_EQ(sent.status, 201) << sent.raw.body;
                           });
  w.handed_over();
  const auto round = w.round(json{{"kind", "scoring"}, {"blind", "anonymous"}, {"rubric", rubric()}});
  w.seat(round, 5);
  auto solved = w.stack.call_review("POST", round + "/assignment", json{{"k", 2}, {"m", 2}}, &w.admin);
  ASSERT_EQ(solved.status, 200) << solved.raw.body;
  ASSERT_EQ(solved.body["added"], 2);

  const std::vector<std::string> secrets = {"Milpa", "MILPA", "milpa", "Ines Rojas", "Tomas Quispe", "ines.rojas@", "tq@",
                                            "owner@milpa", partner.user["organisation_id"].get<std::string>()};
  std::vector<std::string> bodies;
  auto get = [&](const std::string& path, const session& s) {
    auto r = w.stack.call_review("GET", path, std::nullopt, &s);
    EXPECT_LT(r.status, 500) << path;
    bodies.push_back(r.raw.body);
    return r;
  };
  const auto c = round + "/cases/" + id;
  for (const auto& judge : {j1, j2}) {
    const auto& s = w.as(judge);
    get(api + "/my/assignments", s);
    get(round + "/cases", s);
    auto shown = get(c, s);
    EXPECT_EQ(shown.status, 200);
    EXPECT_NE(shown.body["attachments_notice"].get<std::string>().find("responsibility"), std::string::npos);
    EXPECT_NE(shown.raw.body.find("[withheld]"), std::string::npos);
    // The photo comes from review under a neutral name, byte for byte.
    ASSERT_EQ(shown.body["attachments"].size(), 1u) << shown.raw.body;
    const auto file = w.stack.call_review("GET", shown.body["attachments"][0]["download_url"].get<std::string>(), std::nullopt, &s);
    ASSERT_EQ(file.status, 200) << file.raw.body;
    EXPECT_EQ(file.raw.body, photo);
    EXPECT_EQ(file.raw.header("Content-Disposition"), "attachment; filename=\"GS7-0001-photo-1.jpg\"");
    EXPECT_EQ(file.raw.header("Content-Type"), "image/jpeg");
    bodies.push_back(file.raw.header("Content-Disposition"));
    get(c + "/review", s);
    get(c + "/reviews", s);
    get(c + "/discussion", s);
    auto saved = w.stack.call_review("PUT", c + "/review", json{{"scores", {{"results", 8}, {"innovation", 6}}}}, &s);
    bodies.push_back(saved.raw.body);
    auto sent = w.stack.call_review("POST", c + "/review/submit", std::nullopt, &s);
    bodies.push_back(sent.raw.body);
    get(c + "/reviews", s);
    get(c + "/discussion", s);
    get(api + "/my/assignments", s);
  }
  for (const auto& body : bodies) {
    for (const auto& secret : secrets) {
      EXPECT_EQ(body.find(secret), std::string::npos) << "a judge's response holds \"" << secret << "\":\n" << body;
    }
  }
  // The administrator sees the case as submitted.
  auto full = w.stack.call_review("GET", c, std::nullopt, &w.admin);
  EXPECT_NE(full.raw.body.find("Milpa Social Finance"), std::string::npos);
  EXPECT_EQ(full.body["organisation_id"], partner.user["organisation_id"]);
}

TEST(scoring, a_conflicted_judge_reaches_the_case_by_no_route) {
  world w;
  const auto un = w.organisation("United Nations");
  const auto fao = w.organisation("FAO Kenya Seed Project", un, "partner");  // a descendant of the United Nations
  const auto bank = w.organisation("World Bank");
  const auto adb = w.organisation("ADB");
  const auto by_family = w.judge("un@un.example", "Una Nations", un);
  const auto by_partner = w.judge("bank@bank.example", "Bea Bank", bank);
  const auto declares = w.judge("adb@adb.example", "Dan Declares", adb);
  const auto free = w.judge("fao2@fao.example", "Fay Free", w.organisation("IPRCC"));
  // The FAO project submits; the World Bank is named as a partner of the project.
  auto partner = w.stack.invite_and_accept(w.admin, json{{"email", "p@fao.example"}, {"role", "partner"}, {"organisation_id", fao}},
                                           "Pat Partner", password);
  auto as_partner = w.stack.login("p@fao.example", password);
  const auto id = w.submit(as_partner, case_body("Seeds", json{{"answers", {{"partners", {{{"name", " world bank "}, {"country", "US"}}}}}}}));
  w.handed_over();
  const auto round = w.round(json{{"kind", "scoring"}, {"rubric", rubric()}});
  w.seat(round, 5);

  // Every conflict is visible before assignment, with its reason.
  auto declared = w.stack.call_review("POST", round + "/conflicts", json{{"case_id", id}, {"reason", "I advised this project."}},
                                      &w.as(declares));
  ASSERT_EQ(declared.status, 201) << declared.raw.body;
  EXPECT_EQ(w.stack.call_review("POST", round + "/conflicts", json{{"case_id", id}, {"reason", "Again."}}, &w.as(declares)).code(),
            "conflict_exists");
  auto other = w.stack.call_review("POST", round + "/conflicts", json{{"case_id", id}, {"user_id", free}, {"reason", "Not mine."}},
                                   &w.as(declares));
  EXPECT_EQ(other.status, 403);
  // A case not in the round, a user who does not exist, no reason: each named.
  EXPECT_EQ(w.stack.call_review("POST", round + "/conflicts", json{{"case_id", w.call_id}, {"reason", "?"}}, &w.admin).field_errors(),
            (std::vector<std::string>{"/case_id not_in_round"}));
  EXPECT_EQ(w.stack.call_review("POST", round + "/conflicts", json{{"case_id", id}, {"user_id", w.call_id}, {"reason", "?"}}, &w.admin)
                .field_errors(),
            (std::vector<std::string>{"/user_id unknown_user"}));
  EXPECT_EQ(w.stack.call_review("POST", round + "/conflicts", json{{"case_id", id}}, &w.admin).field_errors(),
            (std::vector<std::string>{"/reason missing"}));
  auto conflicts = w.stack.call_review("GET", round + "/conflicts", std::nullopt, &w.admin);
  ASSERT_EQ(conflicts.status, 200) << conflicts.raw.body;
  std::map<std::string, std::string> kinds;
  for (const auto& c : conflicts.body["items"]) kinds[c["user_id"].get<std::string>()] = c["kind"].get<std::string>();
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{{by_family, "organisation"}, {by_partner, "organisation"}, {declares, "declared"}}));
  // A judge's list of the round's cases leaves out the ones they are in conflict with.
  EXPECT_EQ(w.stack.call_review("GET", round + "/cases", std::nullopt, &w.as(by_family)).body["items"].size(), 0u);
  EXPECT_EQ(w.stack.call_review("GET", round + "/cases", std::nullopt, &w.as(free)).body["items"].size(), 1u);

  // The solver can find only one judge: the report says why.
  auto solved = w.stack.call_review("POST", round + "/assignment", json{{"k", 2}, {"m", 1}}, &w.admin);
  ASSERT_EQ(solved.status, 200) << solved.raw.body;
  EXPECT_EQ(solved.body["added"], 1);
  ASSERT_EQ(solved.body["shortfalls"].size(), 1u);
  EXPECT_EQ(solved.body["shortfalls"][0]["case_id"], id);
  EXPECT_EQ(solved.body["shortfalls"][0]["constraint"], "conflicts");
  // Nor may an administrator assign a conflicted judge by hand.
  auto manual = w.stack.call_review("PUT", round + "/assignments/" + id + "/" + by_partner, std::nullopt, &w.admin);
  EXPECT_EQ(manual.status, 409);
  EXPECT_EQ(manual.code(), "conflict");
  EXPECT_NE(manual.body["detail"].get<std::string>().find("partner"), std::string::npos);

  // The free judge declares a conflict after assignment: the assignment goes, and every route is 404.
  const auto c = round + "/cases/" + id;
  EXPECT_EQ(w.stack.call_review("PUT", c + "/review", json{{"scores", {{"results", 5}}}}, &w.as(free)).status, 200);
  EXPECT_EQ(w.stack.call_review("POST", round + "/conflicts", json{{"case_id", id}, {"reason", "My cousin wrote it."}}, &w.as(free)).status,
            201);
  for (const auto& judge : {by_family, by_partner, declares, free}) {
    const auto& s = w.as(judge);
    EXPECT_EQ(w.stack.call_review("GET", c, std::nullopt, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("GET", c + "/review", std::nullopt, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("PUT", c + "/review", json{{"scores", {{"results", 5}}}}, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("POST", c + "/review/submit", std::nullopt, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("GET", c + "/reviews", std::nullopt, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("GET", c + "/discussion", std::nullopt, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("POST", c + "/discussion", json{{"body", "Hello"}}, &s).status, 404);
    EXPECT_EQ(w.stack.call_review("GET", api + "/my/assignments", std::nullopt, &s).body["items"].size(), 0u);
  }
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM review.reviews")[0], "0");
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'conflict.declared'")[0], "2");
}

TEST(scoring, bad_scores_unassigned_cases_and_a_closed_round_are_refused_clearly) {
  world w;
  const auto j1 = w.judge("j1@fao.example", "Judge One", w.organisation("FAO"));
  const auto j2 = w.judge("j2@bank.example", "Judge Two", w.organisation("World Bank"));
  auto partner = w.stack.register_partner("a@example.org", password, "Org A");
  const auto first = w.submit(partner, case_body("First"));
  const auto second = w.submit(partner, case_body("Second"));
  w.handed_over();
  const auto round = w.round(json{{"kind", "scoring"}, {"rubric", rubric()}});
  w.seat(round, 5);
  ASSERT_EQ(w.stack.call_review("PUT", round + "/assignments/" + first + "/" + j1, std::nullopt, &w.admin).status, 201);
  ASSERT_EQ(w.stack.call_review("PUT", round + "/assignments/" + second + "/" + j2, std::nullopt, &w.admin).status, 201);
  const auto path = round + "/cases/" + first + "/review";
  const auto& s = w.as(j1);

  auto bad = w.stack.call_review("PUT", path, json{{"scores", {{"results", 11}, {"impact", 5}, {"innovation", 2.5}}}}, &s);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.field_errors(), (std::vector<std::string>{"/scores/impact unknown_criterion", "/scores/innovation not_integer",
                                                          "/scores/results out_of_scale"}));
  auto low = w.stack.call_review("PUT", path, json{{"scores", {{"results", 0}}}}, &s);
  EXPECT_EQ(low.field_errors(), (std::vector<std::string>{"/scores/results out_of_scale"}));
  EXPECT_EQ(w.stack.call_review("PUT", path, json{{"scores", {{"results", "7"}}}}, &s).status, 422);
  EXPECT_EQ(w.stack.call_review("PUT", path, json{{"eligible", true}}, &s).field_errors(),
            (std::vector<std::string>{"/eligible not_allowed"}));
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM review.reviews")[0], "0");

  // Submitting what is incomplete names what is missing.
  ASSERT_EQ(w.stack.call_review("PUT", path, json{{"scores", {{"results", 7}}}}, &s).status, 200);
  auto incomplete = w.stack.call_review("POST", path + "/submit", std::nullopt, &s);
  EXPECT_EQ(incomplete.status, 422);
  EXPECT_EQ(incomplete.field_errors(), (std::vector<std::string>{"/scores/innovation missing"}));
  // A stale If-Match is 412.
  EXPECT_EQ(w.stack.call_review("PUT", path, json{{"scores", {{"results", 6}}}}, &s, {{"If-Match", "\"9\""}}).status, 412);

  // Scoring a case assigned to someone else: not found, as if it did not exist.
  EXPECT_EQ(w.stack.call_review("PUT", round + "/cases/" + second + "/review", json{{"scores", {{"results", 5}}}}, &s).status, 404);
  EXPECT_EQ(w.stack.call_review("GET", round + "/cases/" + second, std::nullopt, &s).status, 404);
  // Partners are no judges.
  EXPECT_EQ(w.stack.call_review("GET", api + "/my/assignments", std::nullopt, &partner).status, 403);

  // Once revised to completeness it is submitted; a revision must stay complete.
  ASSERT_EQ(w.stack.call_review("PUT", path, json{{"scores", {{"results", 7}, {"innovation", 5}}}}, &s).status, 200);
  ASSERT_EQ(w.stack.call_review("POST", path + "/submit", std::nullopt, &s).status, 200);
  auto partial = w.stack.call_review("PUT", path, json{{"scores", {{"results", 8}}}}, &s);
  EXPECT_EQ(partial.field_errors(), (std::vector<std::string>{"/scores/innovation missing"}));
  auto revised = w.stack.call_review("PUT", path, json{{"scores", {{"results", 8}, {"innovation", 5}}}}, &s);
  EXPECT_EQ(revised.status, 200);
  EXPECT_EQ(revised.body["review_status"], "submitted");

  // Bad calibration parameters and bad decisions.
  EXPECT_EQ(w.stack.call_review("GET", round + "/results?method=median", std::nullopt, &w.admin).field_errors(),
            (std::vector<std::string>{"method unknown_method"}));
  EXPECT_EQ(w.stack.call_review("GET", round + "/results?shrinkage=-1", std::nullopt, &w.admin).field_errors(),
            (std::vector<std::string>{"shrinkage out_of_range"}));
  EXPECT_EQ(w.stack.call_review("PUT", round + "/decisions/" + first, json{{"decision", "maybe"}, {"reason", "x"}}, &w.admin).status, 422);
  EXPECT_EQ(w.stack.call_review("PUT", round + "/decisions/" + second, json{{"decision", "accept"}, {"reason", "Good."}}, &w.admin).status,
            200);
  auto unfounded = w.stack.call_review("POST", round + "/close", std::nullopt, &w.admin);
  EXPECT_EQ(unfounded.status, 409);
  EXPECT_EQ(unfounded.code(), "decision_without_reviews");
  EXPECT_EQ(w.stack.call_review("GET", round + "/record", std::nullopt, &w.admin).code(), "round_open");
  ASSERT_EQ(w.stack.call_review("PUT", round + "/decisions/" + second, json{{"decision", "reject"}, {"reason", "Not reviewed."}}, &w.admin)
                .status,
            200);
  w.stack.query_row("DELETE FROM review.decisions WHERE case_id = '" + second + "' RETURNING 1");
  ASSERT_EQ(w.stack.call_review("POST", round + "/close", std::nullopt, &w.admin).status, 200);

  // After the round closed: scoring, submitting, deciding, assigning are all 409 round_closed.
  EXPECT_EQ(w.stack.call_review("PUT", path, json{{"scores", {{"results", 9}, {"innovation", 5}}}}, &s).code(), "round_closed");
  EXPECT_EQ(w.stack.call_review("POST", path + "/submit", std::nullopt, &s).code(), "round_closed");
  EXPECT_EQ(w.stack.call_review("PUT", round + "/decisions/" + first, json{{"decision", "accept"}, {"reason", "x"}}, &w.admin).code(),
            "round_closed");
  EXPECT_EQ(w.stack.call_review("POST", round + "/assignment", json::object(), &w.admin).code(), "round_closed");
  EXPECT_EQ(w.stack.query_row("SELECT scores->>'results' FROM review.reviews WHERE case_id = '" + first + "'")[0], "8");

  // A case its partner withdraws leaves the round: its judge no longer reaches it.
  auto draft = w.stack.call("GET", "/api/intake/v1/cases/" + second, std::nullopt, &partner);
  ASSERT_EQ(w.stack.call("POST", "/api/intake/v1/cases/" + second + "/withdraw", std::nullopt, &partner,
                         {{"If-Match", draft.raw.header("ETag")}})
                .status,
            200);
  ASSERT_TRUE(w.stack.intake_process().wait_for_line("\"delivered_total\":3", std::chrono::seconds(60)));
  const auto& other = w.as(j2);
  EXPECT_EQ(w.stack.call_review("GET", round + "/cases/" + second, std::nullopt, &other).status, 404);
  EXPECT_EQ(w.stack.call_review("GET", api + "/my/assignments", std::nullopt, &other).body["items"].size(), 0u);
}

TEST(scoring, a_withdrawing_judge_is_replaced_and_a_flagged_case_gets_one_more_judge_the_rest_kept) {
  world w;
  for (int i = 0; i < 5; ++i) {
    w.judge("j" + std::to_string(i) + "@org" + std::to_string(i) + ".example", "Judge " + std::to_string(i),
            w.organisation("Org " + std::to_string(i)));
  }
  auto partner = w.stack.register_partner("a@example.org", password, "Partner");
  std::vector<std::string> cases;
  for (int i = 0; i < 3; ++i) cases.push_back(w.submit(partner, case_body("Case " + std::to_string(i))));
  w.handed_over();
  const auto round = w.round(json{{"kind", "scoring"}, {"rubric", rubric()}});
  w.seat(round, 3);
  auto solved = w.stack.call_review("POST", round + "/assignment", json{{"k", 2}, {"m", 2}, {"seed", 3}}, &w.admin);
  ASSERT_EQ(solved.status, 200) << solved.raw.body;
  ASSERT_EQ(solved.body["added"], 6);
  auto before = w.stack.call_review("GET", round + "/assignments", std::nullopt, &w.admin).body["items"];
  ASSERT_EQ(before.size(), 6u);

  // The first case's first judge withdraws; the solver replaces them and keeps the other five.
  std::string gone;
  for (const auto& a : before) {
    if (a["case_id"] == cases[0]) {
      gone = a["user_id"].get<std::string>();
      break;
    }
  }
  ASSERT_EQ(w.stack.call_review("DELETE", round + "/assignments/" + cases[0] + "/" + gone, std::nullopt, &w.admin).status, 204);
  auto refill = w.stack.call_review("POST", round + "/assignment", json{{"k", 2}, {"m", 2}, {"seed", 3}}, &w.admin);
  ASSERT_EQ(refill.status, 200) << refill.raw.body;
  EXPECT_EQ(refill.body["added"], 1);
  auto after = w.stack.call_review("GET", round + "/assignments", std::nullopt, &w.admin).body["items"];
  ASSERT_EQ(after.size(), 6u);
  std::set<std::pair<std::string, std::string>> kept_before, now;
  auto pair_of = [](const json& a) { return std::pair{a["case_id"].get<std::string>(), a["user_id"].get<std::string>()}; };
  for (const auto& a : before) kept_before.insert(pair_of(a));
  for (const auto& a : after) now.insert(pair_of(a));
  kept_before.erase({cases[0], gone});
  for (const auto& pr : kept_before) EXPECT_TRUE(now.count(pr));

  // One more judge for the second case only.
  auto more = w.stack.call_review("POST", round + "/assignment", json{{"k", 3}, {"m", 2}, {"cases", json::array({cases[1]})}}, &w.admin);
  ASSERT_EQ(more.status, 200) << more.raw.body;
  EXPECT_EQ(more.body["added"], 1);
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM review.assignments WHERE case_id = '" + cases[1] + "'")[0], "3");
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM review.assignments WHERE case_id = '" + cases[2] + "'")[0], "2");
  // Bad requests: m above k, a case not in the round.
  EXPECT_EQ(w.stack.call_review("POST", round + "/assignment", json{{"k", 2}, {"m", 3}}, &w.admin).field_errors(),
            (std::vector<std::string>{"/m out_of_range"}));
  EXPECT_EQ(w.stack.call_review("POST", round + "/assignment", json{{"cases", json::array({w.call_id})}}, &w.admin).field_errors(),
            (std::vector<std::string>{"/cases/0 not_in_round"}));
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM audit.events WHERE action IN ('assignment.solved', 'assignment.removed')")[0], "4");
}

TEST(scoring, a_screening_round_passes_on_the_eligible_cases_to_the_scoring_round_once_it_closes) {
  world w;
  const auto j1 = w.judge("j1@fao.example", "Judge One", w.organisation("FAO"));
  const auto j2 = w.judge("j2@bank.example", "Judge Two", w.organisation("World Bank"));
  auto partner = w.stack.register_partner("a@example.org", password, "Org A");
  const auto eligible = w.submit(partner, case_body("Eligible"));
  const auto ineligible = w.submit(partner, case_body("Out of scope"));
  w.handed_over();
  const auto screening = w.round(json{{"kind", "screening"}});
  const auto scoring = w.round(json{{"kind", "scoring"}, {"rubric", rubric()}});
  // Rounds come in order: no screening round after a scoring round of the same call.
  auto late = w.stack.call_review("POST", api + "/calls/" + w.call_id + "/rounds", json{{"kind", "screening"}}, &w.admin);
  EXPECT_EQ(late.code(), "round_exists");
  // Until screening closes, the scoring round has no cases.
  EXPECT_EQ(w.stack.call_review("GET", scoring + "/cases", std::nullopt, &w.admin).body["items"].size(), 0u);

  w.seat(screening, 5);
  ASSERT_EQ(w.stack.call_review("POST", screening + "/assignment", json{{"k", 2}, {"m", 2}}, &w.admin).body["added"], 4);
  for (const auto& judge : {j1, j2}) {
    const auto& s = w.as(judge);
    // Scores have no place in screening; eligibility and, when not eligible, the reason do.
    EXPECT_EQ(w.stack.call_review("PUT", screening + "/cases/" + eligible + "/review", json{{"scores", {{"results", 5}}}}, &s)
                  .field_errors(),
              (std::vector<std::string>{"/scores not_allowed"}));
    ASSERT_EQ(w.stack.call_review("PUT", screening + "/cases/" + eligible + "/review", json{{"eligible", true}}, &s).status, 200);
    ASSERT_EQ(w.stack.call_review("POST", screening + "/cases/" + eligible + "/review/submit", std::nullopt, &s).status, 200);
    ASSERT_EQ(w.stack.call_review("PUT", screening + "/cases/" + ineligible + "/review", json{{"eligible", false}}, &s).status, 200);
    EXPECT_EQ(w.stack.call_review("POST", screening + "/cases/" + ineligible + "/review/submit", std::nullopt, &s).field_errors(),
              (std::vector<std::string>{"/reason missing"}));
    ASSERT_EQ(w.stack.call_review("PUT", screening + "/cases/" + ineligible + "/review",
                                  json{{"reason", "Not about poverty reduction."}}, &s)
                  .status,
              200);
    ASSERT_EQ(w.stack.call_review("POST", screening + "/cases/" + ineligible + "/review/submit", std::nullopt, &s).status, 200);
  }
  // Screening has no scores to calibrate.
  EXPECT_EQ(w.stack.call_review("GET", screening + "/results", std::nullopt, &w.admin).code(), "not_a_scoring_round");
  ASSERT_EQ(w.stack.call_review("PUT", screening + "/decisions/" + eligible, json{{"decision", "advance"}, {"reason", "Eligible."}}, &w.admin)
                .status,
            200);
  ASSERT_EQ(w.stack.call_review("PUT", screening + "/decisions/" + ineligible, json{{"decision", "reject"}, {"reason", "Out of scope."}},
                                &w.admin)
                .status,
            200);
  EXPECT_EQ(w.stack.call_review("GET", scoring + "/cases", std::nullopt, &w.admin).body["items"].size(), 0u);
  auto closed = w.stack.call_review("POST", screening + "/close", std::nullopt, &w.admin);
  ASSERT_EQ(closed.status, 200) << closed.raw.body;
  EXPECT_EQ(closed.body["reviews"].size(), 4u);
  EXPECT_EQ(closed.body["rubric"], nullptr);
  EXPECT_EQ(w.stack.call_review("GET", screening + "/record/verification", std::nullopt, &w.admin).body["ok"], true);

  // The scoring round now holds the advanced case only.
  auto next = w.stack.call_review("GET", scoring + "/cases", std::nullopt, &w.admin);
  ASSERT_EQ(next.body["items"].size(), 1u);
  EXPECT_EQ(next.body["items"][0]["case_id"], eligible);

  // An eligibility changed behind the API's back is caught.
  w.stack.query_row("UPDATE review.reviews SET eligible = true, reason = NULL WHERE case_id = '" + ineligible + "' AND user_id = '" + j1 +
                    "' RETURNING 1");
  auto broken = w.stack.call_review("GET", screening + "/record/verification", std::nullopt, &w.admin);
  EXPECT_EQ(broken.body["ok"], false);
  EXPECT_EQ(broken.body["mismatches"][0]["what"], "score");
}

TEST(scoring, rounds_are_made_in_order) {
  world w;
  w.round(json{{"kind", "final"}});
  auto early = w.stack.call_review("POST", api + "/calls/" + w.call_id + "/rounds", json{{"kind", "scoring"}, {"rubric", rubric()}}, &w.admin);
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(early.code(), "round_order");
  EXPECT_EQ(w.stack.query_row("SELECT count(*) FROM review.rounds")[0], "1");
}

}  // namespace
}  // namespace casecall::testing
