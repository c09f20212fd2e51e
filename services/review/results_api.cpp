#include "review/results_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "identity/identity.hpp"
#include "mail/outbox.hpp"
#include "review/domain/calibration.hpp"
#include "review/domain/export.hpp"
#include "review/domain/record.hpp"
#include "review/domain/rubric.hpp"
#include "review/round_access.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace casecall::review {

namespace {

using json = nlohmann::json;
using http::access;
using http::invalid;
using http::method;
using http::request;
using http::response;

const std::string stream = "review";

using domain::method_name;
using domain::round6;

json number_or_null(const std::optional<double>& x) { return x ? json(round6(*x)) : json(nullptr); }

// The calibration asked for, from the query (results, exports) or a body (closing).
calibration::parameters parameters_from(const std::optional<std::string>& how, const std::optional<double>& shrinkage,
                                        const std::optional<double>& threshold, const std::string& prefix) {
  calibration::parameters p;
  std::vector<http::field_error> errors;
  if (how) {
    if (*how == "rank") {
      p.how = calibration::method::rank;
    } else if (*how != "z_score") {
      errors.push_back({prefix + "method", "unknown_method", "method is z_score or rank."});
    }
  }
  auto check = [&](const std::optional<double>& v, double& into, const char* name) {
    if (!v) return;
    if (!std::isfinite(*v) || *v < 0 || *v > 100) {
      errors.push_back({prefix + name, "out_of_range", std::string(name) + " is a number from 0 to 100."});
    } else {
      into = *v;
    }
  };
  check(shrinkage, p.shrinkage, "shrinkage");
  check(threshold, p.disagreement_threshold, "threshold");
  if (!errors.empty()) invalid(std::move(errors));
  return p;
}

calibration::parameters parameters_from_query(const request& req) {
  auto number = [&](const char* name) -> std::optional<double> {
    auto v = req.query_param(name);
    if (!v) return std::nullopt;
    try {
      std::size_t used = 0;
      const double x = std::stod(*v, &used);
      if (used == v->size()) return x;
    } catch (const std::exception&) {
    }
    invalid({{name, "bad_format", std::string(name) + " must be a number."}});
  };
  return parameters_from(req.query_param("method"), number("shrinkage"), number("threshold"), "");
}

std::vector<domain::scored_review> submitted_scores(pqxx::work& tx, const std::string& round_id) {
  std::vector<domain::scored_review> out;
  for (const auto& row : tx.exec_params(
           "SELECT user_id, case_id, scores::text FROM review.reviews WHERE round_id = $1 AND status = 'submitted' "
           "ORDER BY case_id, user_id",
           round_id)) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), json::parse(row[2].c_str())});
  }
  return out;
}

void require_scoring(const round_row& r) {
  if (r.kind != "scoring") {
    http::fail(409, "not_a_scoring_round", "Not a scoring round", "Only a scoring round has scores to calibrate and rank.");
  }
}

// The submitted reviews that the current rubric does not fit: 409 naming them.
void require_reviews_fit(const domain::rubric& rubric, const std::vector<domain::scored_review>& reviews) {
  std::string unfit;
  int count = 0;
  for (const auto& rv : reviews) {
    if (domain::check_scores(rubric, rv.scores, true, "").empty()) continue;
    if (count++ < 5) unfit += (unfit.empty() ? "" : "; ") + rv.case_id + " by " + rv.judge;
  }
  if (count > 0) {
    http::fail(409, "reviews_need_revision", "Reviews need revision",
               std::to_string(count) + " submitted review(s) do not fit the current rubric and must be revised first: " + unfit +
                   (count > 5 ? "; ..." : "") + ".");
  }
}

// The round's results from its submitted reviews, by the method asked for.
json results_of(pqxx::work& tx, const round_row& r, const calibration::parameters& how) {
  const auto rubric_row = current_rubric(tx, r.id);
  const auto rubric = domain::parse_rubric(rubric_row->second);
  const auto reviews = submitted_scores(tx, r.id);
  require_reviews_fit(rubric, reviews);
  std::vector<calibration::review> input;
  std::map<std::string, std::map<std::string, std::vector<double>>> by_criterion;  // criterion → case → scores
  for (const auto& rv : reviews) {
    input.push_back({rv.judge, rv.case_id, domain::weighted_score(rubric, rv.scores)});
    for (const auto& c : rubric.criteria) by_criterion[c.id][rv.case_id].push_back(rv.scores.at(c.id).get<double>());
  }
  const auto result = calibration::calibrate(input, how);
  std::map<std::string, json> about;  // case → reference, title, decision, reason
  for (const auto& row : tx.exec_params(
           "SELECT c.case_id, c.reference, c.content->'answers'->>'title', d.decision, d.reason FROM review.cases c "
           "LEFT JOIN review.decisions d ON d.round_id = $1 AND d.case_id = c.case_id "
           "WHERE c.case_id IN (SELECT case_id FROM review.reviews WHERE round_id = $1)",
           r.id)) {
    auto text = [&](int i) { return row[i].is_null() ? json(nullptr) : json(row[i].as<std::string>()); };
    about[row[0].as<std::string>()] = {{"reference", text(1)}, {"title", text(2)}, {"decision", text(3)}, {"reason", text(4)}};
  }
  json ranking = json::array();
  for (const auto& c : result.ranking) {
    const auto& a = about[c.case_id];
    ranking.push_back({{"rank", c.rank},
                       {"case_id", c.case_id},
                       {"reference", a.value("reference", json(nullptr))},
                       {"title", a.value("title", json(nullptr))},
                       {"reviews", c.reviews},
                       {"raw_mean", round6(c.raw_mean)},
                       {"calibrated", round6(c.calibrated)},
                       {"spread", round6(c.spread)},
                       {"flagged", c.flagged},
                       {"decision", a.value("decision", json(nullptr))},
                       {"reason", a.value("reason", json(nullptr))}});
  }
  std::map<std::string, std::string> names;
  for (const auto& row : tx.exec_params(
           "SELECT u.id, u.name FROM identity.users u WHERE u.id IN (SELECT user_id FROM review.reviews WHERE round_id = $1)", r.id)) {
    names[row[0].as<std::string>()] = row[1].as<std::string>();
  }
  json judges = json::array();
  for (const auto& j : result.judges) {
    judges.push_back({{"user_id", j.judge},
                      {"name", names[j.judge]},
                      {"reviews", j.reviews},
                      {"mean", round6(j.mean)},
                      {"sd", round6(j.sd)},
                      {"agreement", number_or_null(j.agreement)}});
  }
  json criteria = json::array();
  for (const auto& c : rubric.criteria) {
    std::vector<std::vector<double>> units;
    for (auto& [case_id, values] : by_criterion[c.id]) units.push_back(values);
    criteria.push_back({{"id", c.id}, {"alpha", number_or_null(calibration::krippendorff_alpha_interval(units))}});
  }
  return {{"round_id", r.id},
          {"method", {{"name", method_name(how.how)}, {"shrinkage", how.shrinkage}, {"disagreement_threshold", how.disagreement_threshold}}},
          {"reviews", reviews.size()},
          {"panel_mean", round6(result.panel_mean)},
          {"panel_sd", round6(result.panel_sd)},
          {"alpha", number_or_null(result.alpha)},
          {"criteria", criteria},
          {"ranking", ranking},
          {"judges", judges}};
}

// The screening round's reviews as its record keeps them.
json eligibility_reviews(pqxx::work& tx, const std::string& round_id) {
  json out = json::array();
  for (const auto& row : tx.exec_params(
           "SELECT case_id, user_id, eligible, reason FROM review.reviews WHERE round_id = $1 AND status = 'submitted' "
           "ORDER BY case_id, user_id",
           round_id)) {
    out.push_back({{"case_id", row[0].as<std::string>()},
                   {"judge", row[1].as<std::string>()},
                   {"eligible", row[2].is_null() ? json(nullptr) : json(row[2].as<bool>())},
                   {"reason", row[3].is_null() ? json(nullptr) : json(row[3].as<std::string>())}});
  }
  return out;
}

json stored_record(pqxx::work& tx, const round_row& r) {
  auto rows = tx.exec_params("SELECT record FROM review.records WHERE round_id = $1", r.id);
  if (rows.empty()) {
    http::fail(409, "round_open", "Round open", "The round is still open: its decision record is made when it closes.");
  }
  return json::parse(rows[0][0].c_str());
}

response attachment(std::string body, std::string content_type, const std::string& filename) {
  auto res = response::text(std::move(body), std::move(content_type));
  res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  return res;
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;

  http::awaitable<json> compute(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto how = parameters_from_query(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = require_round(tx, id);
      require_scoring(r);
      return results_of(tx, r, how);
    };
    co_return co_await db::transact(ctx.db, std::move(work));
  }

  // GET /rounds/{id}/results (administrators)
  http::awaitable<response> results(request& req) const { co_return response::json(co_await compute(req)); }

  // GET /rounds/{id}/results.csv (administrators)
  http::awaitable<response> csv(request& req) const {
    auto r = co_await compute(req);
    co_return attachment(domain::results_csv(r), "text/csv; charset=utf-8",
                         "results-" + r["round_id"].get<std::string>() + ".csv");
  }

  // GET /rounds/{id}/results.xlsx (administrators)
  http::awaitable<response> xlsx(request& req) const {
    auto r = co_await compute(req);
    co_return attachment(domain::results_xlsx(r), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "results-" + r["round_id"].get<std::string>() + ".xlsx");
  }

  // PUT /rounds/{id}/decisions/{case_id} (administrators)
  http::awaitable<response> decide(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto case_id = http::uuid_param(req, "case_id");
    const auto& me = identity::caller(req);
    auto in = http::parse_json_body(req, schemas.at("decision-request.json"));
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = require_round(tx, id, true);
      if (!case_in_round(tx, id, case_id)) http::not_found();
      require_open(r);
      const auto decision = in["decision"].get<std::string>();
      const auto reason = in["reason"].get<std::string>();
      tx.exec_params(
          "INSERT INTO review.decisions (round_id, case_id, decision, reason, decided_by) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT (round_id, case_id) DO UPDATE SET decision = EXCLUDED.decision, reason = EXCLUDED.reason, "
          "decided_by = EXCLUDED.decided_by, decided_at = now()",
          id, case_id, decision, reason, me.user_id);
      auto e = identity::audit_event(req, stream, "decision.made", "case", case_id);
      e.detail = {{"round_id", id}, {"decision", decision}, {"reason", reason}};
      audit::record(c, tx, std::move(e));
      return json::parse(tx.exec_params1(
                               "SELECT jsonb_build_object('case_id', case_id, 'decision', decision, 'reason', reason, "
                               "'decided_by', decided_by, "
                               "'decided_at', to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                               "'released_at', to_char(released_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text "
                               "FROM review.decisions WHERE round_id = $1 AND case_id = $2",
                               id, case_id)[0]
                             .c_str());
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // POST /rounds/{id}/close (administrators): freezes the decision record.
  http::awaitable<response> close(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto& me = identity::caller(req);
    json in = req.body.empty() ? json::object() : http::parse_json_body(req, schemas.at("round-close-request.json"));
    const auto how = parameters_from(in.contains("method") ? std::optional(in["method"].get<std::string>()) : std::nullopt,
                                     in.contains("shrinkage") ? std::optional(in["shrinkage"].get<double>()) : std::nullopt,
                                     in.contains("threshold") ? std::optional(in["threshold"].get<double>()) : std::nullopt, "/");
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = require_round(tx, id, true);
      require_open(r);
      const auto closed_at = tx.exec1(std::string("SELECT to_char(now() AT TIME ZONE 'UTC', ") + iso_time + ")")[0].as<std::string>();
      std::vector<domain::decision> decisions;
      for (const auto& row : tx.exec_params("SELECT case_id, decision, reason FROM review.decisions WHERE round_id = $1 ORDER BY case_id", id)) {
        decisions.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
      }
      json record;
      if (r.kind == "scoring") {
        const auto rubric = current_rubric(tx, id);
        const auto reviews = submitted_scores(tx, id);
        require_reviews_fit(domain::parse_rubric(rubric->second), reviews);
        std::set<std::string> reviewed;
        for (const auto& rv : reviews) reviewed.insert(rv.case_id);
        for (const auto& d : decisions) {
          if (!reviewed.count(d.case_id)) {
            http::fail(409, "decision_without_reviews", "Decision without reviews",
                       "The decision on case " + d.case_id + " has no submitted review to rest on in this scoring round.");
          }
        }
        record = domain::build_record({id, r.call_id, r.kind, closed_at}, rubric->second, reviews, how, decisions);
      } else {
        json decision_list = json::array();
        for (const auto& d : decisions) decision_list.push_back({{"case_id", d.case_id}, {"decision", d.outcome}, {"reason", d.reason}});
        record = {{"format", "casecall-decision-record/1"},
                  {"round", {{"id", id}, {"call_id", r.call_id}, {"kind", r.kind}, {"closed_at", closed_at}}},
                  {"rubric", nullptr},
                  {"method", nullptr},
                  {"reviews", eligibility_reviews(tx, id)},
                  {"ranking", json::array()},
                  {"decisions", decision_list}};
        record["sha256"] = domain::record_hash(record);
      }
      tx.exec_params("INSERT INTO review.records (round_id, record, sha256, closed_at, closed_by) VALUES ($1, $2, $3, $4, $5)", id,
                     record.dump(), record["sha256"].get<std::string>(), closed_at, me.user_id);
      tx.exec_params("UPDATE review.rounds SET status = 'closed', version = version + 1 WHERE id = $1", id);
      auto e = identity::audit_event(req, stream, "round.closed", "round", id);
      e.detail = {{"sha256", record["sha256"]}, {"reviews", record["reviews"].size()}, {"decisions", decisions.size()},
                  {"method", record["method"]}};
      audit::record(c, tx, std::move(e));
      return record;
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /rounds/{id}/record (administrators)
  http::awaitable<response> record(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) { return stored_record(tx, require_round(tx, id)); };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /rounds/{id}/record/verification (administrators): the record against the scores now.
  http::awaitable<response> verify(request& req) const {
    const auto id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = require_round(tx, id);
      const auto rec = stored_record(tx, r);
      std::vector<domain::mismatch> found;
      if (r.kind == "scoring") {
        found = domain::verify_record(rec, submitted_scores(tx, id));
      } else {
        if (rec.value("sha256", "") != domain::record_hash(rec)) {
          found.push_back({"hash", "The record's content no longer matches its SHA-256: the record itself was changed."});
        }
        if (rec.at("reviews") != eligibility_reviews(tx, id)) {
          found.push_back({"score", "The stored eligibility reviews differ from the recorded ones."});
        }
      }
      json mismatches = json::array();
      for (const auto& m : found) mismatches.push_back({{"what", m.what}, {"detail", m.detail}});
      return json{{"ok", found.empty()}, {"sha256", rec.value("sha256", "")}, {"mismatches", mismatches}};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    auto res = response::json(out);
    res.set_header("Cache-Control", "no-store");
    co_return res;
  }

  // POST /rounds/{id}/decisions/release (administrators): mails each decision not yet released
  // to the partners of the submitting organisation.
  http::awaitable<response> release(request& req) const {
    const auto id = http::uuid_param(req, "id");
    const auto public_url = ctx.config.auth.public_url;
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = require_round(tx, id, true);
      stored_record(tx, r);
      auto rows = tx.exec_params(
          "UPDATE review.decisions d SET released_at = now() FROM review.cases c "
          "WHERE d.round_id = $1 AND d.released_at IS NULL AND c.case_id = d.case_id "
          "RETURNING d.case_id, d.decision, d.reason, c.reference, c.organisation_id",
          id);
      int mails = 0;
      for (const auto& row : rows) {
        if (row[4].is_null()) continue;
        const auto reference = row[3].is_null() ? row[0].as<std::string>() : row[3].as<std::string>();
        const auto dash = reference.rfind('-');
        const auto call = dash == std::string::npos ? reference : reference.substr(0, dash);
        for (const auto& u : tx.exec_params(
                 "SELECT email, name, language FROM identity.users WHERE organisation_id = $1 AND role = 'partner' "
                 "AND disabled_at IS NULL ORDER BY email",
                 row[4].as<std::string>())) {
          const auto language = u[2].as<std::string>();
          mail::enqueue_template(c, tx, "case_decision", language, u[0].as<std::string>(), u[1].as<std::string>(),
                                 {{"name", u[1].as<std::string>()},
                                  {"reference", reference},
                                  {"call", call},
                                  {"decision", mail::decision_label(row[1].as<std::string>(), language)},
                                  {"reason", row[2].as<std::string>()},
                                  {"link", public_url + "/cases/" + row[0].as<std::string>()}},
                                 req.request_id);
          ++mails;
        }
      }
      auto e = identity::audit_event(req, stream, "decisions.released", "round", id);
      e.detail = {{"released", rows.size()}, {"mails", mails}};
      audit::record(c, tx, std::move(e));
      return json{{"released", rows.size()}};
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /cases/{case_id}/outcome (the submitting organisation's partners, administrators)
  http::awaitable<response> outcome(request& req) const {
    const auto case_id = http::uuid_param(req, "case_id");
    const auto& me = identity::caller(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      auto c = tx.exec_params("SELECT reference, organisation_id FROM review.cases WHERE case_id = $1", case_id);
      if (c.empty()) http::not_found();
      if (!me.is_admin() && (c[0][1].is_null() || !me.belongs_to(c[0][1].as<std::string>()))) http::not_found();
      json rounds = json::array();
      for (const auto& row : tx.exec_params(
               std::string("SELECT d.round_id, r.kind, d.decision, d.reason, to_char(d.released_at AT TIME ZONE 'UTC', ") +
                   iso_time + "), "
                   "coalesce((SELECT jsonb_agg(v.comment_to_submitter ORDER BY v.submitted_at, v.user_id) "
                   "FROM review.reviews v WHERE v.round_id = d.round_id AND v.case_id = d.case_id AND v.status = 'submitted' "
                   "AND v.comment_to_submitter <> ''), '[]')::text "
                   "FROM review.decisions d JOIN review.rounds r ON r.id = d.round_id "
                   "WHERE d.case_id = $1 AND ($2 OR d.released_at IS NOT NULL) "
                   "ORDER BY array_position(ARRAY['screening', 'scoring', 'final'], r.kind)",
               case_id, me.is_admin())) {
        rounds.push_back({{"round_id", row[0].as<std::string>()},
                          {"kind", row[1].as<std::string>()},
                          {"decision", row[2].as<std::string>()},
                          {"reason", row[3].as<std::string>()},
                          {"released_at", row[4].is_null() ? json(nullptr) : json(row[4].as<std::string>())},
                          {"feedback", json::parse(row[5].c_str())}});
      }
      return json{{"case_id", case_id},
                  {"reference", c[0][0].is_null() ? json(nullptr) : json(c[0][0].as<std::string>())},
                  {"rounds", rounds}};
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /internal/v1/calls/{id}/decisions (services): the accepted cases of the call's last
  // closed round, as its record ranks them.
  http::awaitable<response> accepted(request& req) const {
    const auto call_id = http::uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) {
      json items = json::array();
      for (const auto& round : tx.exec_params(
               "SELECT r.id, r.kind, x.record FROM review.rounds r JOIN review.records x ON x.round_id = r.id "
               "WHERE r.call_id = $1 AND r.status = 'closed' "
               "ORDER BY array_position(ARRAY['screening', 'scoring', 'final'], r.kind) DESC LIMIT 1",
               call_id)) {
        const auto rec = json::parse(round[2].c_str());
        std::map<std::string, json> ranked;
        for (const auto& entry : rec.at("ranking")) ranked[entry.at("case_id").get<std::string>()] = entry;
        json round_items = json::array();
        for (const auto& d : rec.at("decisions")) {
          if (d.at("decision") != "accept") continue;
          const auto case_id = d.at("case_id").get<std::string>();
          auto c = tx.exec_params1("SELECT reference, number, sha256 FROM review.cases WHERE case_id = $1", case_id);
          auto it = ranked.find(case_id);
          auto from_rank = [&](const char* key) { return it == ranked.end() ? json(nullptr) : it->second.at(key); };
          round_items.push_back({{"case_id", case_id},
                           {"reference", c[0].is_null() ? json(nullptr) : json(c[0].as<std::string>())},
                           {"number", c[1].as<int>()},
                           {"sha256", c[2].is_null() ? "" : c[2].as<std::string>()},
                           {"round_id", round[0].as<std::string>()},
                           {"round_kind", round[1].as<std::string>()},
                           {"rank", from_rank("rank")},
                           {"raw_mean", from_rank("raw_mean")},
                           {"calibrated", from_rank("calibrated")},
                           {"decision", "accept"},
                           {"reason", d.at("reason")}});
        }
        // Best first, as ranked; unranked ones (rounds without scores) by case id after.
        std::stable_sort(round_items.begin(), round_items.end(), [](const json& a, const json& b) {
          if (a["rank"].is_null() != b["rank"].is_null()) return b["rank"].is_null();
          return !a["rank"].is_null() && a["rank"].get<int>() < b["rank"].get<int>();
        });
        for (auto& item : round_items) items.push_back(std::move(item));
      }
      return items;
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }
};

}  // namespace

void add_result_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = http::route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/review/v1/rounds/{id}";
  add(method::get, p + "/results", "review.results.get", access::admin, &api::results, 0);
  add(method::get, p + "/results.csv", "review.results.csv", access::admin, &api::csv, 0);
  add(method::get, p + "/results.xlsx", "review.results.xlsx", access::admin, &api::xlsx, 0);
  add(method::put, p + "/decisions/{case_id}", "review.decisions.put", access::admin, &api::decide, 16 * 1024);
  add(method::post, p + "/close", "review.rounds.close", access::admin, &api::close, 16 * 1024);
  add(method::get, p + "/record", "review.record.get", access::admin, &api::record, 0);
  add(method::get, p + "/record/verification", "review.record.verify", access::admin, &api::verify, 0);
  add(method::post, p + "/decisions/release", "review.decisions.release", access::admin, &api::release, 0);
  add(method::get, "/api/review/v1/cases/{case_id}/outcome", "review.case_outcome.get", access::partner | access::admin,
      &api::outcome, 0);
  add(method::get, "/internal/v1/calls/{id}/decisions", "review.internal.decisions.list", access::service, &api::accepted, 0);
}

}  // namespace casecall::review
