#include "review/round_access.hpp"

#include "http/handler_util.hpp"
#include "review/domain/anonymise.hpp"
#include "review/domain/conflicts.hpp"

namespace casecall::review {

namespace {

using json = nlohmann::json;

domain::organisation_family family_of(pqxx::work& tx, const std::string& organisation_id) {
  domain::organisation_family f{organisation_id, {}, {}};
  for (const auto& row : tx.exec_params("SELECT organisation_id, relation FROM review.organisation_family($1)", organisation_id)) {
    (row[1].as<std::string>() == "ancestor" ? f.ancestors : f.descendants).push_back(row[0].as<std::string>());
  }
  return f;
}

// Each case's organisations: submitting and partners, in the case's order.
std::map<std::string, domain::case_organisations> organisations_of(const pqxx::result& rows) {
  std::map<std::string, domain::case_organisations> out;
  for (const auto& row : rows) {
    auto& c = out[row[0].as<std::string>()];
    if (row[1].is_null()) continue;
    if (row[2].as<std::string>() == "submitting") {
      c.submitting = row[1].as<std::string>();
    } else {
      c.partners.push_back(row[1].as<std::string>());
    }
  }
  return out;
}

}  // namespace

round_row require_round(pqxx::work& tx, const std::string& id, bool lock) {
  auto rows = tx.exec_params(std::string("SELECT id, call_id, kind, blind, status, version FROM review.rounds WHERE id = $1") +
                                 (lock ? " FOR UPDATE" : ""),
                             id);
  if (rows.empty()) http::not_found();
  const auto& r = rows[0];
  return {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
          r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<int>()};
}

void require_open(const round_row& r) {
  if (!r.open()) http::fail(409, "round_closed", "Round closed", "The round is closed: nothing in it changes any more.");
}

bool case_in_round(pqxx::work& tx, const std::string& round_id, const std::string& case_id) {
  return !tx.exec_params("SELECT 1 FROM review.round_cases($1) c WHERE c = $2", round_id, case_id).empty();
}

std::optional<conflict> conflict_between(pqxx::work& tx, const std::string& case_id, const std::string& user_id) {
  auto declared = tx.exec_params("SELECT reason FROM review.declared_conflicts WHERE case_id = $1 AND user_id = $2", case_id, user_id);
  if (!declared.empty()) return conflict{case_id, user_id, "declared", declared[0][0].as<std::string>()};
  auto judge = tx.exec_params("SELECT organisation_id FROM identity.users WHERE id = $1", user_id);
  if (judge.empty() || judge[0][0].is_null()) return std::nullopt;
  const auto family = family_of(tx, judge[0][0].as<std::string>());
  auto orgs = organisations_of(tx.exec_params(
      "SELECT $1::uuid, o.organisation_id, o.role FROM review.case_organisations($1) o ORDER BY o.ordinal", case_id));
  auto found = domain::find_organisational_conflict(family, orgs[case_id]);
  if (!found) return std::nullopt;
  return conflict{case_id, user_id, "organisation", domain::describe(*found)};
}

std::vector<conflict> round_conflicts(pqxx::work& tx, const std::string& round_id, const std::vector<std::string>& user_ids) {
  std::vector<conflict> out;
  if (user_ids.empty()) return out;
  const json ids = user_ids;
  std::map<std::string, std::string> judge_org;
  std::map<std::string, domain::organisation_family> families;
  for (const auto& row : tx.exec_params(
           "SELECT id, organisation_id FROM identity.users WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
           ids.dump())) {
    if (row[1].is_null()) continue;
    const auto org = row[1].as<std::string>();
    judge_org[row[0].as<std::string>()] = org;
    if (!families.count(org)) families.emplace(org, family_of(tx, org));
  }
  auto orgs = organisations_of(tx.exec_params(
      "SELECT c, o.organisation_id, o.role FROM review.round_cases($1) c "
      "LEFT JOIN LATERAL review.case_organisations(c) o ON true ORDER BY c, o.ordinal",
      round_id));
  std::map<std::pair<std::string, std::string>, std::string> declared;
  for (const auto& row : tx.exec_params(
           "SELECT d.case_id, d.user_id, d.reason FROM review.declared_conflicts d "
           "WHERE d.case_id IN (SELECT review.round_cases($1))",
           round_id)) {
    declared[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<std::string>();
  }
  std::vector<std::string> judges = user_ids;
  std::sort(judges.begin(), judges.end());
  for (const auto& [case_id, case_orgs] : orgs) {
    for (const auto& user : judges) {
      auto d = declared.find({case_id, user});
      if (d != declared.end()) {
        out.push_back({case_id, user, "declared", d->second});
        continue;
      }
      auto j = judge_org.find(user);
      if (j == judge_org.end()) continue;
      if (auto found = domain::find_organisational_conflict(families.at(j->second), case_orgs)) {
        out.push_back({case_id, user, "organisation", domain::describe(*found)});
      }
    }
  }
  return out;
}

void require_case_access(pqxx::work& tx, const round_row& r, const std::string& case_id, const identity::principal& me) {
  if (me.is_admin()) {
    if (case_in_round(tx, r.id, case_id)) return;
    if (!tx.exec_params("SELECT 1 FROM review.assignments WHERE round_id = $1 AND case_id = $2", r.id, case_id).empty()) return;
    http::not_found();
  }
  // A judge: an assignment to a case still in the round (a withdrawn case leaves every round),
  // and no conflict with it.
  if (tx.exec_params("SELECT 1 FROM review.assignments a JOIN review.cases c ON c.case_id = a.case_id "
                     "WHERE a.round_id = $1 AND a.case_id = $2 AND a.user_id = $3 AND c.status = 'submitted'",
                     r.id, case_id, me.user_id)
          .empty()) {
    http::not_found();
  }
  if (conflict_between(tx, case_id, me.user_id)) http::not_found();
}

case_route::case_route(const http::request& req)
    : id(http::uuid_param(req, "id")), case_id(http::uuid_param(req, "case_id")), me(identity::caller(req)) {}

round_row case_route::enter(pqxx::work& tx, bool lock) const {
  auto r = require_round(tx, id, lock);
  require_case_access(tx, r, case_id, me);
  return r;
}

json visible_content(pqxx::work& tx, const round_row& r, const std::string& case_id, const json& content,
                     const identity::principal& me) {
  if (me.is_admin() || r.blind != "anonymous") return content;
  std::vector<std::string> texts;
  for (const auto& row : tx.exec_params(
           "SELECT n.value FROM review.cases c JOIN identity.organisations o ON o.id = c.organisation_id, "
           "LATERAL jsonb_each_text(o.names) n WHERE c.case_id = $1 "
           "UNION ALL SELECT o.website FROM review.cases c JOIN identity.organisations o ON o.id = c.organisation_id "
           "WHERE c.case_id = $1 AND o.website IS NOT NULL "
           "UNION ALL SELECT t FROM review.cases c JOIN identity.users u ON u.organisation_id = c.organisation_id, "
           "LATERAL (VALUES (u.name), (u.email)) v(t) WHERE c.case_id = $1 "
           "UNION ALL SELECT 'postmaster@' || d FROM review.cases c JOIN identity.organisations o ON o.id = c.organisation_id, "
           "LATERAL unnest(o.email_domains) d WHERE c.case_id = $1",
           case_id)) {
    texts.push_back(row[0].as<std::string>());
  }
  return domain::anonymise(content, texts);
}

std::optional<std::pair<int, json>> current_rubric(pqxx::work& tx, const std::string& round_id) {
  auto rows = tx.exec_params(
      "SELECT version, definition::text FROM review.rubrics WHERE round_id = $1 ORDER BY version DESC LIMIT 1", round_id);
  if (rows.empty()) return std::nullopt;
  return std::pair{rows[0][0].as<int>(), json::parse(rows[0][1].c_str())};
}

std::string review_status(pqxx::work& tx, const std::string& round_id, const std::string& case_id, const std::string& user_id) {
  auto rows = tx.exec_params("SELECT status FROM review.reviews WHERE round_id = $1 AND case_id = $2 AND user_id = $3", round_id,
                             case_id, user_id);
  return rows.empty() ? "none" : rows[0][0].as<std::string>();
}

}  // namespace casecall::review
