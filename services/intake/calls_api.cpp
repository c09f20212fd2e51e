#include "intake/calls_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/json_rows.hpp"
#include "http/problem.hpp"
#include "identity/identity.hpp"
#include "intake/domain/form.hpp"
#include "intake/request_util.hpp"

#include <optional>

namespace casecall::intake {

namespace {

using json = nlohmann::json;
using http::access;
using http::method;
using http::request;
using http::response;

const std::string stream = "intake";

constexpr db::query call_by_id{
    "intake.call_by_id", "SELECT intake.call_json(c, true)::text, c.version FROM intake.calls c WHERE c.id = $1"};
constexpr db::query time_zone_exists{"intake.time_zone_exists",
                                     "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"};

response call_response(const json& call, unsigned status = 200) {
  auto res = response::json(call, status);
  res.set_header("ETag", etag(call["version"].get<int>()));
  return res;
}

// What the schema cannot say about a call: the form's own rules, the dates' order and the
// time zone. `merged` is the call as it will be (for a change, the stored call with the
// change applied).
void check_call(db::connection& c, pqxx::work& tx, const json& merged, const json& change) {
  std::vector<http::field_error> errors;
  if (change.contains("form")) {
    auto form_errors = domain::check_form(change["form"], "/form");
    errors.insert(errors.end(), form_errors.begin(), form_errors.end());
  }
  auto order = tx.exec_params1("SELECT $1::timestamptz < $2::timestamptz", merged["opens_at"].get<std::string>(),
                               merged["closes_at"].get<std::string>());
  if (!order[0].as<bool>()) errors.push_back({"/closes_at", "out_of_range", "A call closes after it opens."});
  if (change.contains("time_zone") && !c.exec(tx, time_zone_exists, change["time_zone"].get<std::string>())[0][0].as<bool>()) {
    errors.push_back({"/time_zone", "unknown", "Not an IANA time zone name (e.g. Asia/Shanghai, Africa/Nairobi)."});
  }
  if (!errors.empty()) invalid(std::move(errors));
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;

  // GET /calls: every call, newest first, without their forms.
  http::awaitable<response> list(request&) const {
    auto work = [](db::connection&, pqxx::work& tx) {
      auto rows = tx.exec("SELECT intake.call_json(c, false)::text FROM intake.calls c ORDER BY opens_at DESC, id LIMIT 500");
      return db::json_items(rows);
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // GET /calls/{id}
  http::awaitable<response> get(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto rows = c.exec(tx, call_by_id, id);
      if (rows.empty()) return std::nullopt;
      return json::parse(rows[0][0].c_str());
    };
    auto call = co_await db::transact(ctx.db, std::move(work));
    if (!call) not_found();
    co_return call_response(*call);
  }

  // POST /calls (administrators)
  http::awaitable<response> create(request& req) const {
    auto in = http::parse_json_body(req, schemas.at("call-create-request.json"));
    auto work = [&](db::connection& c, pqxx::work& tx) -> json {
      check_call(c, tx, in, in);
      if (!tx.exec_params("SELECT 1 FROM intake.calls WHERE reference_prefix = $1", in["reference_prefix"].get<std::string>())
               .empty()) {
        auto p = http::problems::make(409, "reference_taken", "Reference prefix taken",
                                      "Another call starts its case references with this prefix.");
        p.errors.push_back({"/reference_prefix", "reference_taken", "Another call has this prefix."});
        throw http::problem_error(std::move(p));
      }
      auto row = tx.exec_params1(
          "INSERT INTO intake.calls (reference_prefix, titles, descriptions, opens_at, closes_at, time_zone, "
          "grace_minutes, case_languages, english_abstract_required, themes, regions, attachment_rules, declarations, form) "
          "VALUES ($1, $2::jsonb, $3::jsonb, $4::timestamptz, $5::timestamptz, $6, $7, "
          "ARRAY(SELECT jsonb_array_elements_text($8::jsonb)), $9, $10::jsonb, $11::jsonb, $12::jsonb, $13::jsonb, $14::jsonb) "
          "RETURNING id, intake.call_json(calls, true)::text",
          in["reference_prefix"].get<std::string>(), in["titles"].dump(), in.value("descriptions", json::object()).dump(),
          in["opens_at"].get<std::string>(), in["closes_at"].get<std::string>(), in["time_zone"].get<std::string>(),
          in.value("grace_minutes", 0), in["case_languages"].dump(), in.value("english_abstract_required", true),
          in.value("themes", json::array()).dump(), in.value("regions", json::array()).dump(),
          in["attachment_rules"].dump(), in.value("declarations", json::array()).dump(), in["form"].dump());
      auto call = json::parse(row[1].c_str());
      auto e = identity::audit_event(req, stream, "call.created", "call", row[0].as<std::string>());
      e.after = call;
      audit::record(c, tx, e);
      return call;
    };
    auto call = co_await db::transact(ctx.db, std::move(work));
    auto res = call_response(call, 201);
    res.set_header("Location", "/api/intake/v1/calls/" + call["id"].get<std::string>());
    co_return res;
  }

  // PATCH /calls/{id} (administrators): If-Match required.
  http::awaitable<response> update(request& req) const {
    const auto id = uuid_param(req, "id");
    auto in = http::parse_json_body(req, schemas.at("call-update-request.json"));
    const auto expected = if_match_version(req);
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto rows = tx.exec_params("SELECT intake.call_json(c, true)::text, c.version FROM intake.calls c WHERE id = $1 FOR UPDATE",
                                 id);
      if (rows.empty()) return std::nullopt;
      auto before = json::parse(rows[0][0].c_str());
      check_version(expected, rows[0][1].as<int>(), "call");
      auto merged = before;
      for (const auto& [key, value] : in.items()) merged[key] = value;
      check_call(c, tx, merged, in);
      // Once a case has been submitted, the form may only gain optional fields.
      if (in.contains("form")) {
        auto submitted = tx.exec_params1(
            "SELECT EXISTS (SELECT 1 FROM intake.case_versions v JOIN intake.cases k ON k.id = v.case_id "
            "WHERE k.call_id = $1)",
            id);
        if (submitted[0].as<bool>()) {
          if (auto change = domain::check_form_change_after_submission(before["form"], in["form"], "/form")) {
            throw http::problem_error(http::problems::validation_failed({*change}));
          }
        }
      }
      auto text = [&](const char* key) { return in.contains(key) ? std::optional(in[key].dump()) : std::nullopt; };
      auto plain = [&](const char* key) {
        return in.contains(key) ? std::optional(in[key].get<std::string>()) : std::nullopt;
      };
      auto row = tx.exec_params1(
          "UPDATE intake.calls SET titles = coalesce($2::jsonb, titles), descriptions = coalesce($3::jsonb, descriptions), "
          "opens_at = coalesce($4::timestamptz, opens_at), closes_at = coalesce($5::timestamptz, closes_at), "
          "time_zone = coalesce($6, time_zone), grace_minutes = coalesce($7::int, grace_minutes), "
          "case_languages = CASE WHEN $8::jsonb IS NULL THEN case_languages "
          "ELSE ARRAY(SELECT jsonb_array_elements_text($8::jsonb)) END, "
          "english_abstract_required = coalesce($9::boolean, english_abstract_required), "
          "themes = coalesce($10::jsonb, themes), regions = coalesce($11::jsonb, regions), "
          "attachment_rules = coalesce($12::jsonb, attachment_rules), declarations = coalesce($13::jsonb, declarations), "
          "form = coalesce($14::jsonb, form) WHERE id = $1 RETURNING intake.call_json(calls, true)::text",
          id, text("titles"), text("descriptions"), plain("opens_at"), plain("closes_at"), plain("time_zone"),
          in.contains("grace_minutes") ? std::optional(in["grace_minutes"].get<int>()) : std::nullopt, text("case_languages"),
          in.contains("english_abstract_required") ? std::optional(in["english_abstract_required"].get<bool>()) : std::nullopt,
          text("themes"), text("regions"), text("attachment_rules"), text("declarations"), text("form"));
      auto after = json::parse(row[0].c_str());
      auto e = identity::audit_event(req, stream, "call.updated", "call", id);
      e.before = before;
      e.after = after;
      audit::record(c, tx, e);
      return after;
    };
    auto call = co_await db::transact(ctx.db, std::move(work));
    if (!call) not_found();
    co_return call_response(*call);
  }
};

}  // namespace

void add_call_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/intake/v1/calls";
  // A call with its form and texts in five languages is larger than most bodies.
  constexpr std::uint64_t call_body_limit = 1024 * 1024;
  add(method::get, p, "intake.calls.list", access::anyone, &api::list, 0);
  add(method::post, p, "intake.calls.create", access::admin, &api::create, call_body_limit);
  add(method::get, p + "/{id}", "intake.calls.get", access::anyone, &api::get, 0);
  add(method::patch, p + "/{id}", "intake.calls.update", access::admin, &api::update, call_body_limit);
}

}  // namespace casecall::intake
