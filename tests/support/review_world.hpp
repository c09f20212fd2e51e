// A linked intake and review with an administrator, an open call, judges from several
// organisations and partners who submit cases: the world the review and publish tests share.
#pragma once

#include "intake_stack.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace casecall::testing::review_support {

using json = nlohmann::json;
inline const std::string password = "correct horse battery staple";
inline const std::string api = "/api/review/v1";

inline json rubric() {
  auto criterion = [](std::string id, int weight) {
    return json{{"id", id}, {"labels", {{"en", id}}}, {"weight", weight}, {"scale", {{"min", 1}, {"max", 10}}}};
  };
  return json{{"criteria", {criterion("results", 60), criterion("innovation", 40)}}, {"confidence", true}};
}

inline json case_body(const std::string& title, const json& extra = json::object()) {
  json answers = {{"title", title}, {"case_language", "en"}, {"country", "KE"}, {"theme", {"agriculture"}},
                  {"contact_email", "cases@example.org"}};
  for (const char* field : {"background", "approach", "results", "lessons", "innovation", "sustainability", "replicability"}) {
    answers[field] = std::string("About ") + field + ".";
  }
  json body = {{"answers", answers}, {"declarations", {"copyright", "consent", "licence"}}};
  for (const auto& [k, v] : extra.items()) {
    if (k == "answers") {
      for (const auto& [a, value] : v.items()) body["answers"][a] = value;
    } else {
      body[k] = v;
    }
  }
  return body;
}

// A linked intake and review with an administrator, an open call, judges from three
// organisations and partners who submit cases.
struct world {
  intake_stack stack{{}, true};
  session admin = stack.create_admin("admin@casecall.test", password);
  std::string call_id;
  std::map<std::string, std::string> judge_org;  // organisation name → id
  std::vector<std::pair<std::string, session>> judges;  // user id, session
  int submitted = 0;

  world() {
    // Review up first, so that intake's first hand-over finds it.
    EXPECT_EQ(stack.call_review("GET", "/healthz").status, 200);
    auto call = stack.call("POST", "/api/intake/v1/calls", gs7_call_open_now(), &admin);
    EXPECT_EQ(call.status, 201) << call.raw.body;
    call_id = call.body["id"].get<std::string>();
  }

  std::string organisation(const std::string& name, const std::optional<std::string>& parent = std::nullopt,
                           const std::string& purpose = "judging") {
    json body = {{"names", {{"en", name}}}, {"country", "IT"}, {"kind", "international_organisation"}, {"purpose", purpose}};
    if (parent) body["parent_id"] = *parent;
    auto made = stack.call("POST", "/api/intake/v1/organisations", body, &admin);
    EXPECT_EQ(made.status, 201) << made.raw.body;
    return judge_org[name] = made.body["id"].get<std::string>();
  }

  std::string judge(const std::string& email, const std::string& name, const std::string& org_id) {
    auto user = stack.invite_and_accept(admin, json{{"email", email}, {"role", "judge"}, {"organisation_id", org_id}}, name, password);
    const auto id = user["id"].get<std::string>();
    judges.emplace_back(id, stack.login(email, password));
    return id;
  }

  // Submits the case as the partner, after `prepare` (given the case's id); returns its id.
  std::string submit(const session& partner, const json& body, const std::function<void(const std::string&)>& prepare = {}) {
    auto made = stack.call("POST", "/api/intake/v1/calls/" + call_id + "/cases", body, &partner);
    EXPECT_EQ(made.status, 201) << made.raw.body;
    const auto id = made.body["id"].get<std::string>();
    if (prepare) prepare(id);
    auto receipt = stack.call("POST", "/api/intake/v1/cases/" + id + "/submit", std::nullopt, &partner,
                              {{"If-Match", made.raw.header("ETag")}});
    EXPECT_EQ(receipt.status, 201) << receipt.raw.body;
    ++submitted;
    return id;
  }

  // Waits until review holds every submitted case (intake logs each delivery).
  void handed_over() {
    auto line = stack.intake_process().wait_for_line("\"delivered_total\":" + std::to_string(submitted), std::chrono::seconds(60));
    ASSERT_TRUE(line) << "not every case reached review";
  }

  std::string round(const json& body) {
    auto made = stack.call_review("POST", api + "/calls/" + call_id + "/rounds", body, &admin);
    EXPECT_EQ(made.status, 201) << made.raw.body;
    return api + "/rounds/" + made.body["id"].get<std::string>();
  }

  void seat(const std::string& round, int capacity) {
    for (const auto& [id, s] : judges) {
      auto put = stack.call_review("PUT", round + "/panel/" + id, json{{"capacity", capacity}, {"languages", {"en"}}}, &admin);
      EXPECT_EQ(put.status, 201) << put.raw.body;
    }
  }

  const session& as(const std::string& judge_id) {
    for (const auto& [id, s] : judges) {
      if (id == judge_id) return s;
    }
    throw std::runtime_error("no such judge");
  }
};

}  // namespace casecall::testing::review_support
