#include "review/rounds_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/json_rows.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "identity/identity.hpp"
#include "review/domain/rubric.hpp"

#include <optional>

namespace casecall::review {

namespace {

using json = nlohmann::json;
using http::access;
using http::invalid;
using http::method;
using http::request;
using http::response;

const std::string stream = "review";

response round_response(const json& round, unsigned status = 200) {
  auto res = response::json(round, status);
  res.set_header("ETag", http::etag(round["version"].get<int>()));
  return res;
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;

  // A rubric: valid against rubric.json, then its own rules; 422 listing every problem under `at`.
  void check_rubric(const json& rubric, const std::string& at) const {
    auto errors = schemas.at("rubric.json").validate(rubric);
    for (auto& e : errors) e.field = at + e.field;
    if (errors.empty()) errors = domain::check_rubric(rubric, at);
    if (!errors.empty()) invalid(std::move(errors));
  }

  // POST /calls/{call_id}/rounds (administrators): one round of each kind per call; a scoring
  // round comes with its rubric (version 1).
  http::awaitable<response> create(request& req) const {
    const auto call_id = http::uuid_param(req, "call_id");
    const auto& me = identity::caller(req);
    auto in = http::parse_json_body(req, schemas.at("round-create-request.json"));
    const auto kind = in["kind"].get<std::string>();
    const auto blind = in.value("blind", std::string("open"));
    if (kind == "scoring" && !in.contains("rubric")) invalid({{"/rubric", "missing", "A scoring round needs its rubric."}});
    if (kind != "scoring" && in.contains("rubric")) invalid({{"/rubric", "not_allowed", "Only a scoring round has a rubric."}});
    if (in.contains("rubric")) check_rubric(in["rubric"], "/rubric");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      // Rounds come in order: a round's cases are those its predecessor advanced, so an
      // earlier kind made after a later one would take the later one's cases away.
      tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", call_id);
      if (!tx.exec_params("SELECT 1 FROM review.rounds WHERE call_id = $1 AND kind = $2", call_id, kind).empty()) {
        return std::nullopt;
      }
      auto later = tx.exec_params(
          "SELECT kind FROM review.rounds WHERE call_id = $1 AND array_position(ARRAY['screening', 'scoring', 'final'], kind) > "
          "array_position(ARRAY['screening', 'scoring', 'final'], $2::text) LIMIT 1",
          call_id, kind);
      if (!later.empty()) {
        http::fail(409, "round_order", "Rounds out of order",
                   "This call already has a " + later[0][0].as<std::string>() + " round; a " + kind +
                       " round would come before it. A call's rounds are made in order: screening, scoring, final.");
      }
      auto made = tx.exec_params(
          "INSERT INTO review.rounds (call_id, kind, blind, created_by) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (call_id, kind) DO NOTHING RETURNING id",
          call_id, kind, blind, me.user_id);
      if (made.empty()) return std::nullopt;
      const auto id = made[0][0].as<std::string>();
      if (in.contains("rubric")) {
        tx.exec_params("INSERT INTO review.rubrics (round_id, version, definition, created_by) VALUES ($1, 1, $2::jsonb, $3)",
                       id, in["rubric"].dump(), me.user_id);
      }
      auto e = identity::audit_event(req, stream, "round.created", "round", id);
      e.detail = {{"call_id", call_id}, {"kind", kind}, {"blind", blind}};
      audit::record(c, tx, std::move(e));
      return json::parse(tx.exec_params1("SELECT review.round_json(r)::text FROM review.rounds r WHERE id = $1", id)[0].c_str());
    };
    auto round = co_await db::transact(ctx.db, std::move(work));
    if (!round) {
      http::fail(409, "round_exists", "Round exists", "This call already has a " + kind + " round.");
    }
    auto res = round_response(*round, 201);
    res.set_header("Location", "/api/review/v1/rounds/" + (*round)["id"].get<std::string>());
    co_return res;
  }

  // GET /calls/{call_id}/rounds (administrators): screening, scoring, final.
  http::awaitable<response> list(request& req) const {
    const auto call_id = http::uuid_param(req, "call_id");
    auto work = [&](db::connection&, pqxx::work& tx) {
      auto rows = tx.exec_params(
          "SELECT review.round_json(r)::text FROM review.rounds r WHERE call_id = $1 "
          "ORDER BY array_position(ARRAY['screening', 'scoring', 'final'], r.kind)",
          call_id);
      return db::json_items(rows);
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // GET /rounds/{id} (administrators)
  http::awaitable<response> get(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) -> std::optional<json> {
      auto rows = tx.exec_params("SELECT review.round_json(r)::text FROM review.rounds r WHERE id = $1", id);
      if (rows.empty()) return std::nullopt;
      return json::parse(rows[0][0].c_str());
    };
    auto round = co_await db::transact(ctx.db, std::move(work));
    if (!round) http::not_found();
    co_return round_response(*round);
  }

  // PUT /rounds/{id}/rubric (administrators, If-Match): a new version of a scoring round's
  // rubric, while the round is open; every version is kept.
  http::awaitable<response> put_rubric(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto& me = identity::caller(req);
    const auto expected = http::if_match_version(req);
    auto rubric = http::parse_json_body(req, schemas.at("rubric.json"));
    auto own_rules = domain::check_rubric(rubric, "");
    if (!own_rules.empty()) invalid(std::move(own_rules));
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto rows = tx.exec_params("SELECT kind, status, version FROM review.rounds WHERE id = $1 FOR UPDATE", id);
      if (rows.empty()) return std::nullopt;
      http::check_version(expected, rows[0][2].as<int>(), "round");
      if (rows[0][0].as<std::string>() != "scoring") {
        http::fail(409, "not_a_scoring_round", "Not a scoring round", "Only a scoring round has a rubric.");
      }
      if (rows[0][1].as<std::string>() != "open") {
        http::fail(409, "round_closed", "Round closed", "A closed round's rubric no longer changes.");
      }
      const auto version = tx.exec_params1(
          "INSERT INTO review.rubrics (round_id, version, definition, created_by) "
          "SELECT $1, coalesce(max(version), 0) + 1, $2::jsonb, $3 FROM review.rubrics WHERE round_id = $1 RETURNING version",
          id, rubric.dump(), me.user_id)[0].as<int>();
      tx.exec_params("UPDATE review.rounds SET version = version + 1 WHERE id = $1", id);
      auto e = identity::audit_event(req, stream, "rubric.changed", "round", id);
      e.detail = {{"version", version}};
      e.after = rubric;
      audit::record(c, tx, std::move(e));
      return json::parse(tx.exec_params1("SELECT review.round_json(r)::text FROM review.rounds r WHERE id = $1", id)[0].c_str());
    };
    auto round = co_await db::transact(ctx.db, std::move(work));
    if (!round) http::not_found();
    co_return round_response(*round);
  }

  // The round, locked, for a change to it; 404 when there is none, 409 once it is closed.
  static void require_open_round(pqxx::work& tx, const std::string& id) {
    auto rows = tx.exec_params("SELECT status FROM review.rounds WHERE id = $1 FOR UPDATE", id);
    if (rows.empty()) http::not_found();
    if (rows[0][0].as<std::string>() != "open") {
      http::fail(409, "round_closed", "Round closed", "A closed round's panel no longer changes.");
    }
  }

  static json member_json(pqxx::work& tx, const std::string& round_id, const std::string& user_id) {
    return json::parse(tx.exec_params1(std::string(panel_query) + " AND p.user_id = $2", round_id, user_id)[0].c_str());
  }

  static constexpr const char* panel_query =
      "SELECT jsonb_build_object('user_id', p.user_id, 'name', u.name, 'email', u.email, "
      "'organisation_id', u.organisation_id, 'capacity', p.capacity, 'themes', to_jsonb(p.themes), "
      "'languages', to_jsonb(p.languages), "
      "'added_at', to_char(p.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text "
      "FROM review.panel_members p JOIN identity.users u ON u.id = p.user_id WHERE p.round_id = $1";

  // GET /rounds/{id}/panel (administrators): the round's judges, by name.
  http::awaitable<response> panel(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) -> std::optional<json> {
      if (tx.exec_params("SELECT 1 FROM review.rounds WHERE id = $1", id).empty()) return std::nullopt;
      return db::json_items(tx.exec_params(std::string(panel_query) + " ORDER BY u.name, p.user_id", id));
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    if (!items) http::not_found();
    co_return response::json({{"items", *items}});
  }

  // PUT /rounds/{id}/panel/{user_id} (administrators): puts a judge on the panel, or changes
  // their capacity, themes and languages. Only an enabled user with the judge role.
  http::awaitable<response> put_member(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto user_id = http::uuid_param(req, "user_id");
    const auto& me = identity::caller(req);
    auto in = http::parse_json_body(req, schemas.at("panel-member-request.json"));
    struct outcome {
      json member;
      bool added;
    };
    auto work = [&](db::connection& c, pqxx::work& tx) -> outcome {
      require_open_round(tx, id);
      auto user = tx.exec_params("SELECT role, disabled_at IS NOT NULL FROM identity.users WHERE id = $1", user_id);
      if (user.empty()) http::not_found();
      if (user[0][0].as<std::string>() != "judge" || user[0][1].as<bool>()) {
        http::fail(409, "not_a_judge", "Not a judge", "Only an enabled account with the judge role sits on a panel.");
      }
      const auto themes = in.value("themes", json::array());
      const auto languages = in.value("languages", json::array());
      auto row = tx.exec_params1(
          "INSERT INTO review.panel_members (round_id, user_id, capacity, themes, languages, added_by) "
          "VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), "
          "ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6) "
          "ON CONFLICT (round_id, user_id) DO UPDATE SET capacity = EXCLUDED.capacity, themes = EXCLUDED.themes, "
          "languages = EXCLUDED.languages RETURNING (xmax = 0)",
          id, user_id, in["capacity"].get<int>(), themes.dump(), languages.dump(), me.user_id);
      const bool added = row[0].as<bool>();
      auto e = identity::audit_event(req, stream, added ? "panel.member_added" : "panel.member_changed", "round", id);
      e.detail = {{"user_id", user_id}, {"capacity", in["capacity"]}, {"themes", themes}, {"languages", languages}};
      audit::record(c, tx, std::move(e));
      return {member_json(tx, id, user_id), added};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    co_return response::json(out.member, out.added ? 201 : 200);
  }

  // DELETE /rounds/{id}/panel/{user_id} (administrators)
  http::awaitable<response> remove_member(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto user_id = http::uuid_param(req, "user_id");
    auto work = [&](db::connection& c, pqxx::work& tx) {
      require_open_round(tx, id);
      if (tx.exec_params("DELETE FROM review.panel_members WHERE round_id = $1 AND user_id = $2", id, user_id).affected_rows() == 0) {
        http::not_found();
      }
      auto e = identity::audit_event(req, stream, "panel.member_removed", "round", id);
      e.detail = {{"user_id", user_id}};
      audit::record(c, tx, std::move(e));
    };
    co_await db::transact(ctx.db, std::move(work));
    co_return response::no_content();
  }
};

}  // namespace

void add_round_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = http::route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/review/v1";
  add(method::post, p + "/calls/{call_id}/rounds", "review.rounds.create", access::admin, &api::create, 256 * 1024);
  add(method::get, p + "/calls/{call_id}/rounds", "review.rounds.list", access::admin, &api::list, 0);
  add(method::get, p + "/rounds/{id}", "review.rounds.get", access::admin, &api::get, 0);
  add(method::put, p + "/rounds/{id}/rubric", "review.rounds.rubric.put", access::admin, &api::put_rubric, 256 * 1024);
  add(method::get, p + "/rounds/{id}/panel", "review.panel.list", access::admin, &api::panel, 0);
  add(method::put, p + "/rounds/{id}/panel/{user_id}", "review.panel.put", access::admin, &api::put_member, 16 * 1024);
  add(method::delete_, p + "/rounds/{id}/panel/{user_id}", "review.panel.delete", access::admin, &api::remove_member, 0);
}

}  // namespace casecall::review
