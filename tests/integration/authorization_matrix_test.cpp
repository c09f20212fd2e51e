// Who may call what, for every route the intake and review binaries serve: the rows come from
// their route tables (`casecall-intake --routes`), so a route added without a row here fails.
// Who is refused is derived from each route's declared access (401 without credentials, 403
// for a role the route does not admit); the table below states only what the admitted
// callers get, including the 404 that another organisation's data gives.
#include "intake_stack.hpp"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
const std::string password = "correct horse battery staple";

enum caller_kind { anonymous, partner_a, partner_b, judge, admin, service, caller_count };
const std::array<std::string, caller_count> caller_names = {"anonymous", "partner of A", "partner of B",
                                                            "judge",     "admin",        "service"};

// Status for each caller the route admits; callers it does not admit are derived. -1: not
// admitted (checked against the declaration).
using row = std::array<int, caller_count>;
constexpr int no = -1;

// Requests carry an empty JSON object as their body where they take one: an admitted caller
// then meets validation (422), or the check before it (404 for another organisation's data,
// 403 for a member who is not an owner, 428 without If-Match, which is asked for after the
// body is read).
const std::map<std::string, row>& expectations() {
  static const std::map<std::string, row> table = {
      //                                       anon  A    B    judge admin service
      {"intake.root.healthz",                 {200, 200, 200, 200, 200, 200}},
      {"intake.root.readyz",                  {200, 200, 200, 200, 200, 200}},
      {"intake.root.metrics",                 {200, 200, 200, 200, 200, 200}},
      {"intake.api.healthz",                  {200, 200, 200, 200, 200, 200}},
      {"intake.api.readyz",                   {200, 200, 200, 200, 200, 200}},
      {"intake.api.metrics",                  {200, 200, 200, 200, 200, 200}},
      {"intake.registrations.create",         {422, 422, 422, 422, 422, 422}},
      {"intake.email_verifications.create",   {422, 422, 422, 422, 422, 422}},
      {"intake.email_verifications.resend",   {422, 422, 422, 422, 422, 422}},
      {"intake.sessions.create",              {422, 422, 422, 422, 422, 422}},
      {"intake.sessions.delete",              {no,  204, 204, 204, 204, no}},
      {"intake.me.get",                       {no,  200, 200, 200, 200, no}},
      {"intake.me.update",                    {no,  428, 428, 428, 428, no}},
      {"intake.me.password",                  {no,  422, 422, 422, 422, no}},
      {"intake.password_resets.create",       {422, 422, 422, 422, 422, 422}},
      {"intake.password_resets.confirm",      {422, 422, 422, 422, 422, 422}},
      {"intake.organisations.list",           {no,  no,  no,  no,  200, no}},
      {"intake.organisations.create",         {no,  no,  no,  no,  422, no}},
      {"intake.organisations.get",            {no,  200, 404, 404, 200, no}},
      {"intake.organisations.update",         {no,  428, 404, no,  428, no}},
      {"intake.members.list",                 {no,  200, 404, no,  200, no}},
      {"intake.members.update",               {no,  422, 404, no,  422, no}},
      {"intake.members.delete",               {no,  204, 404, no,  204, no}},
      {"intake.invitations.list",             {no,  200, 200, no,  200, no}},
      {"intake.invitations.create",           {no,  422, 422, no,  422, no}},
      {"intake.invitations.delete",           {no,  204, 404, no,  204, no}},
      {"intake.invitations.accept",           {422, 422, 422, 422, 422, 422}},
      {"intake.api_tokens.list",              {no,  200, 200, 200, 200, no}},
      {"intake.api_tokens.create",            {no,  422, 422, 422, 422, no}},
      {"intake.api_tokens.delete",            {no,  204, 404, 404, 404, no}},
      {"intake.users.list",                   {no,  no,  no,  no,  200, no}},
      {"intake.users.update",                 {no,  no,  no,  no,  422, no}},
      {"intake.audit.verify",                 {no,  no,  no,  no,  200, no}},
      {"intake.internal.organisations.get",   {no,  no,  no,  no,  no,  200}},
      {"intake.internal.attachments.get",     {no,  no,  no,  no,  no,  404}},  // no submitted case names it
      {"intake.internal.cases.version",       {no,  no,  no,  no,  no,  404}},  // A's draft has no submission
      {"intake.calls.list",                   {200, 200, 200, 200, 200, 200}},
      {"intake.calls.create",                 {no,  no,  no,  no,  422, no}},
      {"intake.calls.get",                    {200, 200, 200, 200, 200, 200}},
      {"intake.calls.update",                 {no,  no,  no,  no,  428, no}},
      {"intake.cases.create",                 {no,  201, 201, no,  no,  no}},
      {"intake.cases.list",                   {no,  200, 200, no,  200, no}},
      {"intake.cases.get",                    {no,  200, 404, no,  200, no}},
      {"intake.cases.update",                 {no,  428, 404, no,  no,  no}},
      {"intake.cases.submit",                 {no,  428, 404, no,  no,  no}},
      {"intake.cases.withdraw",               {no,  428, 404, no,  no,  no}},
      {"intake.cases.versions",               {no,  200, 404, no,  200, no}},
      {"intake.cases.version",                {no,  404, 404, no,  404, no}},
      // Without Tus-Resumable every admitted caller of a tus route gets 412, before any
      // lookup; tests/integration/uploads_test.cpp has another organisation's 404s.
      {"intake.uploads.options",              {204, 204, 204, 204, 204, 204}},
      {"intake.uploads.create",               {no,  412, 412, no,  no,  no}},
      {"intake.uploads.head",                 {no,  412, 412, no,  412, no}},
      {"intake.uploads.patch",                {no,  412, 412, no,  no,  no}},
      {"intake.uploads.delete",               {no,  412, 412, no,  no,  no}},
      {"intake.attachments.download",         {no,  200, 404, no,  200, no}},
  };
  return table;
}

// Which callers a declaration admits.
bool admits(const std::string& access, caller_kind who) {
  if (access == "anyone") return true;
  if (access == "service") return who == service;
  std::set<std::string> roles;
  std::stringstream in(access);
  for (std::string role; std::getline(in, role, ',');) roles.insert(role);
  switch (who) {
    case partner_a:
    case partner_b: return roles.count("partner") > 0;
    case judge: return roles.count("judge") > 0;
    case admin: return roles.count("admin") > 0;
    default: return false;
  }
}


using call_fn = std::function<api_response(const std::string&, const std::string&, const std::optional<json>&, const session*,
                                           std::vector<std::pair<std::string, std::string>>)>;
using login_fn = std::function<session(const std::string&, const std::string&)>;

// Calls `path` (the route with ids in place) as each kind of caller and checks the status:
// the row's for admitted callers; 401 or 403, as declared, for the others. Writes carry an
// empty JSON object where the route takes a body.
void check_route(const json& route, const std::string& path, const row& expected_row,
                 const std::map<caller_kind, session>& sessions,
                 const std::map<caller_kind, std::pair<std::string, std::string>>& logins, const std::string& service_token,
                 const call_fn& call, const login_fn& login) {
  const auto name = route["name"].get<std::string>();
  const auto access = route["access"].get<std::string>();
  const auto method = route["method"].get<std::string>();
  const bool has_body = (method == "POST" || method == "PUT" || method == "PATCH") && route.value("body_limit", 1) > 0;
  for (int k = 0; k < caller_count; ++k) {
    const auto who = static_cast<caller_kind>(k);
    const int stated = expected_row[static_cast<std::size_t>(k)];
    // The declaration and the table must agree about who is admitted at all.
    EXPECT_EQ(stated != no, admits(access, who))
        << name << " declares access '" << access << "' but the matrix says " << caller_names[static_cast<std::size_t>(k)]
        << (stated == no ? " is refused" : " is admitted");
    int expected = stated;
    if (stated == no) expected = (who == anonymous || access == "service" || who == service) ? 401 : 403;

    std::vector<std::pair<std::string, std::string>> headers;
    const session* credentials = nullptr;
    session fresh;
    if (who == service) {
      headers.emplace_back("Authorization", "Bearer " + service_token);
    } else if (who != anonymous) {
      if (name == "intake.sessions.delete") {
        // Signing out ends the session: use one made for this request.
        fresh = login(logins.at(who).first, logins.at(who).second);
        credentials = &fresh;
      } else {
        credentials = &sessions.at(who);
      }
    }
    auto res = call(method, path, has_body ? std::optional<json>(json::object()) : std::nullopt, credentials, headers);
    EXPECT_EQ(static_cast<int>(res.status), expected)
        << method << " " << path << " (" << name << ", access " << access << ") as " << caller_names[static_cast<std::size_t>(k)]
        << ": " << res.raw.body.substr(0, 300);
    if (res.status >= 400) {
      EXPECT_EQ(res.raw.header("Content-Type"), "application/problem+json") << name << " as " << caller_names[static_cast<std::size_t>(k)];
    }
  }
}

json route_table(const std::string& binary = "casecall-intake") {
  child_process cmd(bin_dir() + "/" + binary, {"--routes"}, {});
  EXPECT_EQ(cmd.wait_exit(std::chrono::seconds(30)), 0);
  return json::parse(cmd.output());
}

TEST(authorization_matrix, every_route_of_intake_answers_each_kind_of_caller_as_declared) {
  const std::string service_token = "matrix-service-token-0123456789abcdef-0123456789";
  intake_stack stack(std::map<std::string, std::string>{{"CASECALL_PEER_TOKEN_HASHES", "review=" + sha256_hex(service_token)}});

  // The cast: two partner organisations, a judge of a judging organisation, an administrator.
  auto administrator = stack.create_admin("admin@casecall.test", password);
  auto owner_a = stack.register_partner("owner.a@example.org", password, "Organisation A");
  auto owner_b = stack.register_partner("owner.b@example.org", password, "Organisation B");
  auto judging = stack.call("POST", "/api/intake/v1/organisations",
                            json{{"names", {{"en", "World Food Programme"}}}, {"country", "IT"},
                                 {"kind", "international_organisation"}, {"purpose", "judging"}},
                            &administrator);
  ASSERT_EQ(judging.status, 201);
  stack.invite_and_accept(administrator,
                          json{{"email", "judge@wfp.example"}, {"role", "judge"}, {"organisation_id", judging.body["id"]}},
                          "A Judge", password);
  auto the_judge = stack.login("judge@wfp.example", password);
  // Organisation A's data that the routes name: a member, a pending invitation, an API token.
  auto member_a = stack.invite_and_accept(owner_a, json{{"email", "member.a@example.org"}, {"role", "partner"}}, "Member A", password);
  auto invitation_a = stack.call("POST", "/api/intake/v1/invitations", json{{"email", "pending@example.org"}, {"role", "partner"}}, &owner_a);
  ASSERT_EQ(invitation_a.status, 201);
  auto token_a = stack.call("POST", "/api/intake/v1/api-tokens", json{{"name", "A's script"}, {"scopes", {"read", "write"}}}, &owner_a);
  ASSERT_EQ(token_a.status, 201);
  // A call, which anyone may read.
  // Open now, so that partners may make cases.
  auto call = stack.call("POST", "/api/intake/v1/calls", gs7_call_open_now(), &administrator);
  ASSERT_EQ(call.status, 201) << call.raw.body;
  auto case_a = stack.call("POST", "/api/intake/v1/calls/" + call.body["id"].get<std::string>() + "/cases", json::object(), &owner_a);
  ASSERT_EQ(case_a.status, 201) << case_a.raw.body;
  // A photo of A's case, sent whole with its creation.
  const std::string photo("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00 pixels", 27);
  auto upload_a = stack.call_raw(
      "POST", "/api/intake/v1/uploads", photo,
      {{"Cookie", owner_a.cookie}, {"X-CSRF-Token", owner_a.csrf}, {"Tus-Resumable", "1.0.0"},
       {"Upload-Length", std::to_string(photo.size())}, {"Content-Type", "application/offset+octet-stream"},
       {"Upload-Metadata", "case_id " + base64(case_a.body["id"].get<std::string>()) + ",kind " + base64("photo") +
                               ",filename " + base64("a.jpg")}});
  ASSERT_EQ(upload_a.status, 201) << upload_a.raw.body;
  const auto upload_id = upload_a.raw.header("Location").substr(upload_a.raw.header("Location").rfind('/') + 1);

  const std::map<std::string, std::string> ids = {
      {"organisations", owner_a.user["organisation_id"].get<std::string>()},
      {"members", owner_a.user["organisation_id"].get<std::string>()},
      {"invitations", invitation_a.body["id"].get<std::string>()},
      {"api_tokens", token_a.body["id"].get<std::string>()},
      {"users", member_a["id"].get<std::string>()},
      {"internal", owner_a.user["organisation_id"].get<std::string>()},
      {"calls", call.body["id"].get<std::string>()},
      {"cases", case_a.body["id"].get<std::string>()},
      {"uploads", upload_id},
      {"attachments", upload_id},
  };
  const std::map<caller_kind, std::pair<std::string, std::string>> logins = {
      {partner_a, {"owner.a@example.org", password}},
      {partner_b, {"owner.b@example.org", password}},
      {judge, {"judge@wfp.example", password}},
      {admin, {"admin@casecall.test", password}}};
  std::map<caller_kind, session> sessions = {
      {partner_a, owner_a}, {partner_b, owner_b}, {judge, the_judge}, {admin, administrator}};

  auto routes = route_table();
  ASSERT_GT(routes.size(), 30u);
  std::set<std::string> seen;
  for (const auto& route : routes) {
    const auto name = route["name"].get<std::string>();
    const auto access = route["access"].get<std::string>();
    const auto method = route["method"].get<std::string>();
    seen.insert(name);
    auto expected_row = expectations().find(name);
    if (expected_row == expectations().end()) {
      ADD_FAILURE() << "route " << name << " (" << method << " " << route["path"].get<std::string>()
                    << ") has no row in the authorisation matrix";
      continue;
    }
    // The target, with organisation A's ids in place of the parameters.
    std::string path = route["path"].get<std::string>();
    std::string resource = name.substr(name.find('.') + 1);
    resource = resource.substr(0, resource.find('.'));
    // ({number}: a submission of A's draft, which has none yet: 404 for whoever may look.)
    for (const std::string param : {"{id}", "{user_id}", "{call_id}", "{number}"}) {
      auto at = path.find(param);
      if (at == std::string::npos) continue;
      path.replace(at, param.size(), param == "{user_id}"   ? member_a["id"].get<std::string>()
                                     : param == "{call_id}" ? call.body["id"].get<std::string>()
                                     : param == "{number}"  ? std::string("1")
                                                            : ids.at(resource));
    }
    check_route(route, path, expected_row->second, sessions, logins, service_token,
                [&](const std::string& m, const std::string& target, const std::optional<json>& body, const session* who,
                    std::vector<std::pair<std::string, std::string>> headers) {
                  return stack.call(m, target, body, who, std::move(headers));
                },
                [&](const std::string& email, const std::string& pass) { return stack.login(email, pass); });
  }
  for (const auto& [name, expected] : expectations()) {
    EXPECT_TRUE(seen.count(name)) << "the matrix has a row for " << name << ", which intake no longer serves";
  }
  // Every refusal of a signed-in caller is in the audit log.
  EXPECT_NE(stack.query_row("SELECT count(*) FROM audit.events WHERE action = 'access.denied'")[0], "0");
}

const std::map<std::string, row>& review_expectations() {
  static const std::map<std::string, row> table = {
      //                                       anon  A    B    judge admin service
      {"review.root.healthz",                 {200, 200, 200, 200, 200, 200}},
      {"review.root.readyz",                  {200, 200, 200, 200, 200, 200}},
      {"review.root.metrics",                 {200, 200, 200, 200, 200, 200}},
      {"review.api.healthz",                  {200, 200, 200, 200, 200, 200}},
      {"review.api.readyz",                   {200, 200, 200, 200, 200, 200}},
      {"review.api.metrics",                  {200, 200, 200, 200, 200, 200}},
      {"review.internal.cases.put",           {no,  no,  no,  no,  no,  422}},
      {"review.internal.decisions.list",      {no,  no,  no,  no,  no,  200}},
      {"review.rounds.create",                {no,  no,  no,  no,  422, no}},
      {"review.rounds.list",                  {no,  no,  no,  no,  200, no}},
      {"review.rounds.get",                   {no,  no,  no,  no,  200, no}},
      {"review.rounds.rubric.put",            {no,  no,  no,  no,  428, no}},
      {"review.panel.list",                   {no,  no,  no,  no,  200, no}},
      {"review.panel.put",                    {no,  no,  no,  no,  422, no}},
      {"review.panel.delete",                 {no,  no,  no,  no,  404, no}},  // a user not on the panel
      {"review.round_cases.list",             {no,  no,  no,  200, 200, no}},
      {"review.conflicts.list",               {no,  no,  no,  no,  200, no}},
      {"review.conflicts.create",             {no,  no,  no,  422, 422, no}},
      {"review.assignment.run",               {no,  no,  no,  no,  200, no}},
      {"review.assignments.list",             {no,  no,  no,  no,  200, no}},
      {"review.assignments.put",              {no,  no,  no,  no,  200, no}},  // assigned already
      {"review.assignments.delete",           {no,  no,  no,  no,  404, no}},  // a user not assigned
      {"review.my_assignments.list",          {no,  no,  no,  200, no,  no}},
      {"review.round_cases.get",              {no,  no,  no,  200, 200, no}},
      {"review.reviews.mine.get",             {no,  no,  no,  200, no,  no}},
      {"review.reviews.mine.put",             {no,  no,  no,  200, no,  no}},  // an empty draft
      {"review.reviews.mine.submit",          {no,  no,  no,  422, no,  no}},  // incomplete
      {"review.reviews.list",                 {no,  no,  no,  409, 200, no}},  // own review first
      {"review.attachments.get",              {no,  no,  no,  404, 404, no}},  // the case has no such file
      {"review.discussion.list",              {no,  no,  no,  409, 200, no}},
      {"review.discussion.post",              {no,  no,  no,  422, 422, no}},
      {"review.results.get",                  {no,  no,  no,  no,  200, no}},
      {"review.results.csv",                  {no,  no,  no,  no,  200, no}},
      {"review.results.xlsx",                 {no,  no,  no,  no,  200, no}},
      {"review.decisions.put",                {no,  no,  no,  no,  422, no}},
      {"review.rounds.close",                 {no,  no,  no,  no,  200, no}},  // another call's round
      {"review.record.get",                   {no,  no,  no,  no,  409, no}},  // still open
      {"review.record.verify",                {no,  no,  no,  no,  409, no}},
      {"review.decisions.release",            {no,  no,  no,  no,  409, no}},
      {"review.case_outcome.get",             {no,  200, 404, no,  200, no}},
  };
  return table;
}

TEST(authorization_matrix, every_route_of_review_answers_each_kind_of_caller_as_declared) {
  intake_stack stack({}, true);
  auto administrator = stack.create_admin("admin@casecall.test", password);
  ASSERT_EQ(stack.call_review("GET", "/healthz").status, 200);
  auto owner_a = stack.register_partner("owner.a@example.org", password, "Organisation A");
  auto owner_b = stack.register_partner("owner.b@example.org", password, "Organisation B");
  auto judging = stack.call("POST", "/api/intake/v1/organisations",
                            json{{"names", {{"en", "World Food Programme"}}}, {"country", "IT"},
                                 {"kind", "international_organisation"}, {"purpose", "judging"}},
                            &administrator);
  ASSERT_EQ(judging.status, 201);
  auto judge_user = stack.invite_and_accept(
      administrator, json{{"email", "judge@wfp.example"}, {"role", "judge"}, {"organisation_id", judging.body["id"]}}, "A Judge", password);
  const auto judge_id = judge_user["id"].get<std::string>();
  auto the_judge = stack.login("judge@wfp.example", password);

  // Organisation A submits a case, which intake hands to review.
  auto call = stack.call("POST", "/api/intake/v1/calls", gs7_call_open_now(), &administrator);
  ASSERT_EQ(call.status, 201) << call.raw.body;
  const auto call_id = call.body["id"].get<std::string>();
  json answers = {{"title", "A case"}, {"case_language", "en"}, {"country", "KE"}, {"theme", json::array({"agriculture"})},
                  {"contact_email", "cases@example.org"}};
  for (const char* field : {"background", "approach", "results", "lessons", "innovation", "sustainability", "replicability"}) {
    answers[field] = "Text.";
  }
  auto case_a = stack.call("POST", "/api/intake/v1/calls/" + call_id + "/cases",
                           json{{"answers", answers}, {"declarations", {"copyright", "consent", "licence"}}}, &owner_a);
  ASSERT_EQ(case_a.status, 201) << case_a.raw.body;
  const auto case_id = case_a.body["id"].get<std::string>();
  ASSERT_EQ(stack.call("POST", "/api/intake/v1/cases/" + case_id + "/submit", std::nullopt, &owner_a,
                       {{"If-Match", case_a.raw.header("ETag")}}).status,
            201);
  ASSERT_TRUE(stack.intake_process().wait_for_line("\"delivered_total\":1", std::chrono::seconds(60)));

  // A scoring round with the judge on its panel and assigned the case; another call's round,
  // which the matrix closes.
  const json rubric = {{"criteria", json::array({{{"id", "results"}, {"labels", {{"en", "Results"}}}, {"weight", 100},
                                                  {"scale", {{"min", 1}, {"max", 10}}}}})}};
  auto round = stack.call_review("POST", "/api/review/v1/calls/" + call_id + "/rounds", json{{"kind", "scoring"}, {"rubric", rubric}},
                                 &administrator);
  ASSERT_EQ(round.status, 201) << round.raw.body;
  const auto round_id = round.body["id"].get<std::string>();
  ASSERT_EQ(stack.call_review("PUT", "/api/review/v1/rounds/" + round_id + "/panel/" + judge_id, json{{"capacity", 5}}, &administrator)
                .status,
            201);
  ASSERT_EQ(stack.call_review("PUT", "/api/review/v1/rounds/" + round_id + "/assignments/" + case_id + "/" + judge_id, std::nullopt,
                              &administrator)
                .status,
            201);
  auto other = stack.call_review("POST", "/api/review/v1/calls/" + case_id + "/rounds", json{{"kind", "final"}}, &administrator);
  ASSERT_EQ(other.status, 201);

  const std::map<caller_kind, std::pair<std::string, std::string>> logins = {
      {partner_a, {"owner.a@example.org", password}},
      {partner_b, {"owner.b@example.org", password}},
      {judge, {"judge@wfp.example", password}},
      {admin, {"admin@casecall.test", password}}};
  std::map<caller_kind, session> sessions = {
      {partner_a, owner_a}, {partner_b, owner_b}, {judge, the_judge}, {admin, administrator}};
  const auto not_on_panel = owner_a.user["id"].get<std::string>();

  auto routes = route_table("casecall-review");
  ASSERT_GT(routes.size(), 30u);
  std::set<std::string> seen;
  for (const auto& route : routes) {
    const auto name = route["name"].get<std::string>();
    seen.insert(name);
    auto expected_row = review_expectations().find(name);
    if (expected_row == review_expectations().end()) {
      ADD_FAILURE() << "route " << name << " (" << route["path"].get<std::string>() << ") has no row in the authorisation matrix";
      continue;
    }
    std::string path = route["path"].get<std::string>();
    const bool removes = name == "review.panel.delete" || name == "review.assignments.delete";
    const std::map<std::string, std::string> params = {
        {"{id}", name == "review.internal.cases.put"           ? case_id
                 : name == "review.internal.decisions.list"    ? call_id
                 : name == "review.rounds.close"               ? other.body["id"].get<std::string>()
                                                               : round_id},
        {"{call_id}", call_id},
        {"{case_id}", case_id},
        {"{user_id}", removes ? not_on_panel : judge_id},
        {"{attachment_id}", call_id}};
    for (const auto& [param, value] : params) {
      auto at = path.find(param);
      if (at != std::string::npos) path.replace(at, param.size(), value);
    }
    check_route(route, path, expected_row->second, sessions, logins, intake_stack::review_link_token(),
                [&](const std::string& m, const std::string& target, const std::optional<json>& body, const session* who,
                    std::vector<std::pair<std::string, std::string>> headers) {
                  return stack.call_review(m, target, body, who, std::move(headers));
                },
                [&](const std::string& email, const std::string& pass) { return stack.login(email, pass); });
  }
  for (const auto& [name, expected] : review_expectations()) {
    EXPECT_TRUE(seen.count(name)) << "the matrix has a row for " << name << ", which review no longer serves";
  }
  EXPECT_NE(stack.query_row("SELECT count(*) FROM audit.events WHERE stream = 'review' AND action = 'access.denied'")[0], "0");
}

}  // namespace
}  // namespace casecall::testing
