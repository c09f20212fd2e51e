#include "review/assignment_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/json_rows.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "identity/identity.hpp"
#include "mail/outbox.hpp"
#include "review/domain/assignment.hpp"
#include "review/round_access.hpp"

#include <map>
#include <set>

namespace casecall::review {

namespace {

using json = nlohmann::json;
using http::access;
using http::invalid;
using http::method;
using http::request;
using http::response;

const std::string stream = "review";

bool on_panel(pqxx::work& tx, const std::string& round_id, const std::string& user_id) {
  return !tx.exec_params("SELECT 1 FROM review.panel_members WHERE round_id = $1 AND user_id = $2", round_id, user_id).empty();
}

json conflict_json(pqxx::work& tx, const conflict& c) {
  auto row = tx.exec_params1(
      std::string("SELECT (SELECT reference FROM review.cases WHERE case_id = $1), "
                  "(SELECT name FROM identity.users WHERE id = $2), d.declared_by, "
                  "to_char(d.declared_at AT TIME ZONE 'UTC', ") + iso_time + ") "
      "FROM (SELECT 1) one LEFT JOIN review.declared_conflicts d ON d.case_id = $1 AND d.user_id = $2 AND $3",
      c.case_id, c.user_id, c.kind == "declared");
  auto text_or_null = [](const pqxx::field& f) { return f.is_null() ? json(nullptr) : json(f.as<std::string>()); };
  return {{"case_id", c.case_id},     {"reference", text_or_null(row[0])},   {"user_id", c.user_id},
          {"judge_name", row[1].is_null() ? "" : row[1].as<std::string>()}, {"kind", c.kind},
          {"reason", c.reason},       {"declared_by", text_or_null(row[2])}, {"declared_at", text_or_null(row[3])}};
}

constexpr const char* assignment_query =
    "SELECT jsonb_build_object('case_id', a.case_id, 'reference', c.reference, 'user_id', a.user_id, "
    "'judge_name', coalesce(u.name, ''), 'organisation_id', u.organisation_id, 'source', a.source, "
    "'assigned_at', to_char(a.assigned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "'review_status', coalesce(r.status, 'none'))::text "
    "FROM review.assignments a JOIN review.cases c ON c.case_id = a.case_id "
    "LEFT JOIN identity.users u ON u.id = a.user_id "
    "LEFT JOIN review.reviews r ON (r.round_id, r.case_id, r.user_id) = (a.round_id, a.case_id, a.user_id) "
    "WHERE a.round_id = $1";

// Tells each judge who got new cases, in their language, once per run.
void notify_judges(db::connection& c, pqxx::work& tx, const round_row& r, const std::map<std::string, int>& added,
                   const std::string& public_url, const std::string& request_id) {
  for (const auto& [user_id, count] : added) {
    auto u = tx.exec_params1(
        "SELECT u.email, u.name, u.language, (SELECT count(*) FROM review.assignments WHERE round_id = $2 AND user_id = u.id) "
        "FROM identity.users u WHERE u.id = $1",
        user_id, r.id);
    mail::enqueue_template(c, tx, "review_assignment", u[2].as<std::string>(), u[0].as<std::string>(), u[1].as<std::string>(),
                           {{"name", u[1].as<std::string>()},
                            {"count", std::to_string(count)},
                            {"round", r.kind + " round"},
                            {"total", u[3].as<std::string>()},
                            {"link", public_url + "/review/assignments"}},
                           request_id);
  }
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;

  // GET /rounds/{id}/cases (administrators; judges of the round's panel, to declare conflicts)
  http::awaitable<response> cases(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = require_round(tx, id);
      json items = json::array();
      if (me.is_admin()) {
        for (const auto& row : tx.exec_params(
                 "SELECT jsonb_build_object('case_id', c.case_id, 'reference', c.reference, "
                 "'title', c.content->'answers'->'title', "
                 "'themes', CASE jsonb_typeof(c.content->'answers'->'theme') WHEN 'array' THEN c.content->'answers'->'theme' "
                 "ELSE '[]' END, 'language', c.content->'answers'->'case_language', 'organisation_id', c.organisation_id, "
                 "'assigned', (SELECT count(*) FROM review.assignments a WHERE a.round_id = $1 AND a.case_id = c.case_id), "
                 "'reviews_submitted', (SELECT count(*) FROM review.reviews v WHERE v.round_id = $1 AND v.case_id = c.case_id "
                 "AND v.status = 'submitted'), "
                 "'decision', (SELECT decision FROM review.decisions d WHERE d.round_id = $1 AND d.case_id = c.case_id))::text "
                 "FROM review.cases c WHERE c.case_id IN (SELECT review.round_cases($1)) ORDER BY c.reference, c.case_id",
                 id)) {
          items.push_back(json::parse(row[0].c_str()));
        }
        return items;
      }
      if (!on_panel(tx, id, me.user_id)) http::not_found();
      std::set<std::string> conflicted;
      for (const auto& c : round_conflicts(tx, id, {me.user_id})) conflicted.insert(c.case_id);
      for (const auto& row : tx.exec_params(
               "SELECT c.case_id, c.reference, c.content::text FROM review.cases c "
               "WHERE c.case_id IN (SELECT review.round_cases($1)) ORDER BY c.reference, c.case_id",
               id)) {
        const auto case_id = row[0].as<std::string>();
        if (conflicted.count(case_id)) continue;
        const auto content = visible_content(tx, r, case_id, json::parse(row[2].c_str()), me);
        const auto& answers = content.value("answers", json::object());
        items.push_back({{"case_id", case_id},
                         {"reference", row[1].is_null() ? json(nullptr) : json(row[1].as<std::string>())},
                         {"title", answers.contains("title") ? answers["title"] : json(nullptr)},
                         {"themes", answers.contains("theme") && answers["theme"].is_array() ? answers["theme"] : json::array()},
                         {"language", answers.contains("case_language") ? answers["case_language"] : json(nullptr)}});
      }
      return items;
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // GET /rounds/{id}/conflicts (administrators): every conflict between the panel and the cases.
  http::awaitable<response> conflicts(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) {
      require_round(tx, id);
      std::vector<std::string> judges;
      for (const auto& row : tx.exec_params("SELECT user_id FROM review.panel_members WHERE round_id = $1", id)) {
        judges.push_back(row[0].as<std::string>());
      }
      json items = json::array();
      for (const auto& c : round_conflicts(tx, id, judges)) items.push_back(conflict_json(tx, c));
      // Declared by judges not (or no longer) on the panel count too.
      for (const auto& row : tx.exec_params(
               "SELECT d.case_id, d.user_id, d.reason FROM review.declared_conflicts d "
               "WHERE d.case_id IN (SELECT review.round_cases($1)) "
               "AND d.user_id NOT IN (SELECT user_id FROM review.panel_members WHERE round_id = $1) ORDER BY d.case_id, d.user_id",
               id)) {
        items.push_back(conflict_json(tx, {row[0].as<std::string>(), row[1].as<std::string>(), "declared", row[2].as<std::string>()}));
      }
      return items;
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // POST /rounds/{id}/conflicts (administrators for anyone; judges of the panel for themselves)
  http::awaitable<response> declare(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto in = http::parse_json_body(req, schemas.at("conflict-declare-request.json"));
    const auto case_id = in["case_id"].get<std::string>();
    const auto user_id = in.value("user_id", me.user_id);
    if (!me.is_admin() && user_id != me.user_id) {
      http::fail(403, "forbidden", "Forbidden", "A judge declares their own conflicts only.");
    }
    const auto reason = in["reason"].get<std::string>();
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = require_round(tx, id, true);
      if (!me.is_admin() && !on_panel(tx, id, me.user_id)) http::not_found();
      if (!case_in_round(tx, id, case_id)) invalid({{"/case_id", "not_in_round", "The case is not in this round."}});
      require_open(r);
      if (me.is_admin() && tx.exec_params("SELECT 1 FROM identity.users WHERE id = $1", user_id).empty()) {
        invalid({{"/user_id", "unknown_user", "No such user."}});
      }
      auto made = tx.exec_params(
          "INSERT INTO review.declared_conflicts (case_id, user_id, reason, declared_by) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING RETURNING 1",
          case_id, user_id, reason, me.user_id);
      if (made.empty()) http::fail(409, "conflict_exists", "Conflict declared already", "This conflict is declared already.");
      // The judge leaves the case in every open round, with whatever they wrote of it.
      auto removed = tx.exec_params(
          "DELETE FROM review.assignments a USING review.rounds r WHERE r.id = a.round_id AND r.status = 'open' "
          "AND a.case_id = $1 AND a.user_id = $2 RETURNING a.round_id",
          case_id, user_id);
      auto e = identity::audit_event(req, stream, "conflict.declared", "case", case_id);
      e.detail = {{"user_id", user_id}, {"reason", reason}, {"round_id", id}, {"assignments_removed", removed.size()}};
      audit::record(c, tx, std::move(e));
      return conflict_json(tx, {case_id, user_id, "declared", reason});
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return response::json(out, 201);
  }

  // POST /rounds/{id}/assignment (administrators): the solver, keeping what is assigned.
  http::awaitable<response> solve(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto in = http::parse_json_body(req, schemas.at("assignment-request.json"));
    const int k = in.value("k", 3);
    const int m = in.value("m", 2);
    const auto seed = in.value("seed", std::uint64_t{1});
    if (m > k) invalid({{"/m", "out_of_range", "m (organisations per case) cannot exceed k (judges per case)."}});
    const auto public_url = ctx.config.auth.public_url;
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = require_round(tx, id, true);
      require_open(r);
      assignment::problem p;
      p.k = k;
      p.m = m;
      p.seed = seed;
      std::map<std::string, std::size_t> case_index;
      std::vector<std::string> references;
      for (const auto& row : tx.exec_params(
               "SELECT c.case_id, c.reference, CASE jsonb_typeof(c.content->'answers'->'theme') "
               "WHEN 'array' THEN c.content->'answers'->'theme' ELSE '[]' END::text, "
               "coalesce(c.content->'answers'->>'case_language', '') "
               "FROM review.cases c WHERE c.case_id IN (SELECT review.round_cases($1)) ORDER BY c.case_id",
               id)) {
        assignment::case_entry e{row[0].as<std::string>(), json::parse(row[2].c_str()).get<std::vector<std::string>>(),
                                 row[3].as<std::string>()};
        case_index[e.id] = p.cases.size();
        references.push_back(row[1].is_null() ? "" : row[1].as<std::string>());
        p.cases.push_back(std::move(e));
      }
      if (in.contains("cases")) {
        std::vector<http::field_error> errors;
        std::set<std::string> wanted;
        for (std::size_t i = 0; i < in["cases"].size(); ++i) {
          const auto case_id = in["cases"][i].get<std::string>();
          if (!case_index.count(case_id)) {
            errors.push_back({"/cases/" + std::to_string(i), "not_in_round", "The case is not in this round."});
          }
          wanted.insert(case_id);
        }
        if (!errors.empty()) invalid(std::move(errors));
        for (auto& e : p.cases) e.open = wanted.count(e.id) > 0;
      }
      std::map<std::string, std::size_t> judge_index;
      std::vector<std::string> judge_ids;
      for (const auto& row : tx.exec_params(
               "SELECT p.user_id, coalesce(u.organisation_id::text, 'none:' || p.user_id), p.capacity, "
               "to_jsonb(p.themes)::text, to_jsonb(p.languages)::text "
               "FROM review.panel_members p JOIN identity.users u ON u.id = p.user_id "
               "WHERE p.round_id = $1 AND u.role = 'judge' AND u.disabled_at IS NULL ORDER BY p.user_id",
               id)) {
        assignment::judge j{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                            json::parse(row[3].c_str()).get<std::vector<std::string>>(),
                            json::parse(row[4].c_str()).get<std::vector<std::string>>()};
        judge_index[j.id] = p.judges.size();
        judge_ids.push_back(j.id);
        p.judges.push_back(std::move(j));
      }
      if (p.judges.empty()) http::fail(409, "empty_panel", "Empty panel", "The round has no judges: put judges on its panel first.");
      std::set<assignment::pair> conflicted;
      for (const auto& cf : round_conflicts(tx, id, judge_ids)) {
        conflicted.insert({judge_index.at(cf.user_id), case_index.at(cf.case_id)});
      }
      p.conflicts.assign(conflicted.begin(), conflicted.end());
      // Kept: the assignments made before, except any that a conflict now forbids (the judge
      // cannot reach that case; the case is served by others). A judge whose capacity was
      // lowered below what they hold keeps it all and takes nothing more.
      std::map<std::size_t, int> held;
      for (const auto& row : tx.exec_params("SELECT case_id, user_id FROM review.assignments WHERE round_id = $1", id)) {
        auto ci = case_index.find(row[0].as<std::string>());
        auto ji = judge_index.find(row[1].as<std::string>());
        if (ci == case_index.end() || ji == judge_index.end()) continue;
        const assignment::pair pr{ji->second, ci->second};
        if (conflicted.count(pr)) continue;
        p.kept.push_back(pr);
        ++held[ji->second];
      }
      for (const auto& [j, n] : held) p.judges[j].capacity = std::max(p.judges[j].capacity, n);
      const auto sol = assignment::solve(p);

      const auto& me = identity::caller(req);
      std::map<std::string, int> added_per_judge;
      for (const auto& [j, ci] : sol.added) {
        tx.exec_params(
            "INSERT INTO review.assignments (round_id, case_id, user_id, source, assigned_by) VALUES ($1, $2, $3, 'solver', $4)",
            id, p.cases[ci].id, p.judges[j].id, me.user_id);
        ++added_per_judge[p.judges[j].id];
      }
      json loads = json::array();
      for (std::size_t j = 0; j < p.judges.size(); ++j) {
        loads.push_back({{"user_id", p.judges[j].id}, {"load", sol.load[j]}, {"capacity", p.judges[j].capacity}});
      }
      json shortfalls = json::array();
      for (const auto& f : sol.shortfalls) {
        shortfalls.push_back({{"case_id", p.cases[f.case_index].id},
                              {"reference", references[f.case_index].empty() ? json(nullptr) : json(references[f.case_index])},
                              {"assigned", f.assigned},
                              {"organisations", f.organisations},
                              {"constraint", f.constraint},
                              {"detail", f.detail}});
      }
      const auto total = tx.exec_params1("SELECT count(*) FROM review.assignments WHERE round_id = $1", id)[0].as<int>();
      json report = {{"k", k},          {"m", m},           {"seed", seed},         {"added", sol.added.size()},
                     {"total", total},  {"loads", loads},   {"shortfalls", shortfalls}};
      auto e = identity::audit_event(req, stream, "assignment.solved", "round", id);
      e.detail = {{"k", k}, {"m", m}, {"seed", seed}, {"added", sol.added.size()}, {"shortfalls", sol.shortfalls.size()},
                  {"cases", in.contains("cases") ? in["cases"].size() : p.cases.size()}};
      audit::record(c, tx, std::move(e));
      notify_judges(c, tx, r, added_per_judge, public_url, req.request_id);
      return report;
    };
    auto report = co_await db::transact(ctx.db, std::move(work));
    co_return response::json(report);
  }

  // GET /rounds/{id}/assignments (administrators)
  http::awaitable<response> list(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) {
      require_round(tx, id);
      return db::json_items(tx.exec_params(std::string(assignment_query) + " ORDER BY c.reference, a.case_id, u.name, a.user_id", id));
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // PUT /rounds/{id}/assignments/{case_id}/{user_id} (administrators): a manual assignment.
  http::awaitable<response> put(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto case_id = http::uuid_param(req, "case_id");
    const auto user_id = http::uuid_param(req, "user_id");
    const auto& me = identity::caller(req);
    const auto public_url = ctx.config.auth.public_url;
    struct outcome {
      json assignment;
      bool added;
    };
    auto work = [&](db::connection& c, pqxx::work& tx) -> outcome {
      const auto r = require_round(tx, id, true);
      if (!case_in_round(tx, id, case_id)) http::not_found();
      require_open(r);
      if (!on_panel(tx, id, user_id)) {
        http::fail(409, "not_on_panel", "Not on the panel", "Only a judge on the round's panel is assigned cases.");
      }
      if (auto cf = conflict_between(tx, case_id, user_id)) {
        http::fail(409, "conflict", "Conflict of interest", cf->reason);
      }
      const bool added = !tx.exec_params(
                                "INSERT INTO review.assignments (round_id, case_id, user_id, source, assigned_by) "
                                "VALUES ($1, $2, $3, 'manual', $4) ON CONFLICT DO NOTHING RETURNING 1",
                                id, case_id, user_id, me.user_id)
                              .empty();
      if (added) {
        auto e = identity::audit_event(req, stream, "assignment.added", "round", id);
        e.detail = {{"case_id", case_id}, {"user_id", user_id}, {"source", "manual"}};
        audit::record(c, tx, std::move(e));
        notify_judges(c, tx, r, {{user_id, 1}}, public_url, req.request_id);
      }
      return {json::parse(
                  tx.exec_params1(std::string(assignment_query) + " AND a.case_id = $2 AND a.user_id = $3", id, case_id, user_id)[0]
                      .c_str()),
              added};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return response::json(out.assignment, out.added ? 201 : 200);
  }

  // DELETE /rounds/{id}/assignments/{case_id}/{user_id} (administrators): a judge withdraws
  // from a case (a draft goes with them); the solver can then replace them, keeping the rest.
  http::awaitable<response> remove(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto case_id = http::uuid_param(req, "case_id");
    const auto user_id = http::uuid_param(req, "user_id");
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = require_round(tx, id, true);
      if (tx.exec_params("SELECT 1 FROM review.assignments WHERE round_id = $1 AND case_id = $2 AND user_id = $3", id, case_id,
                         user_id)
              .empty()) {
        http::not_found();
      }
      require_open(r);
      if (review_status(tx, id, case_id, user_id) == "submitted") {
        http::fail(409, "review_submitted", "Review submitted",
                   "The judge has submitted a review of this case; it stays part of the round.");
      }
      tx.exec_params("DELETE FROM review.assignments WHERE round_id = $1 AND case_id = $2 AND user_id = $3", id, case_id, user_id);
      auto e = identity::audit_event(req, stream, "assignment.removed", "round", id);
      e.detail = {{"case_id", case_id}, {"user_id", user_id}};
      audit::record(c, tx, std::move(e));
    };
    co_await db::transact(ctx.db, std::move(work));
    co_return response::no_content();
  }
};

}  // namespace

void add_assignment_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = http::route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/review/v1/rounds/{id}";
  const auto judge_or_admin = access::judge | access::admin;
  add(method::get, p + "/cases", "review.round_cases.list", judge_or_admin, &api::cases, 0);
  add(method::get, p + "/conflicts", "review.conflicts.list", access::admin, &api::conflicts, 0);
  add(method::post, p + "/conflicts", "review.conflicts.create", judge_or_admin, &api::declare, 16 * 1024);
  add(method::post, p + "/assignment", "review.assignment.run", access::admin, &api::solve, 64 * 1024);
  add(method::get, p + "/assignments", "review.assignments.list", access::admin, &api::list, 0);
  add(method::put, p + "/assignments/{case_id}/{user_id}", "review.assignments.put", access::admin, &api::put, 0);
  add(method::delete_, p + "/assignments/{case_id}/{user_id}", "review.assignments.delete", access::admin, &api::remove, 0);
}

}  // namespace casecall::review
