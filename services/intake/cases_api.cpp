// Cases under /api/intake/v1: a partner organisation's drafts in a call, shared by its
// members and saved as often as they like. Another organisation's case answers 404.
#include "intake/cases_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "http/problem.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "intake/domain/content.hpp"
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

// What a case needs of its call: its form, its declarations and where it stands.
struct call_facts {
  json form;
  json declarations;
  std::string status;
};

std::optional<call_facts> load_call(pqxx::work& tx, const std::string& call_id, bool for_share) {
  auto rows = tx.exec_params(
      std::string("SELECT form::text, declarations::text, intake.call_status(c) FROM intake.calls c WHERE id = $1") +
          (for_share ? " FOR SHARE" : ""),
      call_id);
  if (rows.empty()) return std::nullopt;
  return call_facts{json::parse(rows[0][0].c_str()), json::parse(rows[0][1].c_str()), rows[0][2].as<std::string>()};
}

// Partners write only while the call takes cases: from opens_at until closes_at plus grace,
// by the server's clock.
void require_open(const call_facts& call) {
  if (call.status == "upcoming") fail(409, "call_not_open", "Call not open yet", "This call does not take cases yet.");
  if (call.status == "closed") {
    fail(409, "call_closed", "Call closed", "This call has closed: its cases can no longer be changed.");
  }
}

// Answers, co-authors, contacts and declarations as the call allows them; 422 otherwise.
void check_parts(const call_facts& call, const json& answers, const json& in) {
  auto errors = domain::check_answers(call.form, answers, "/answers");
  if (in.contains("declarations")) {
    for (std::size_t i = 0; i < in["declarations"].size(); ++i) {
      const auto& id = in["declarations"][i];
      bool known = std::any_of(call.declarations.begin(), call.declarations.end(), [&](const json& d) { return d["id"] == id; });
      if (!known) errors.push_back({"/declarations/" + std::to_string(i), "unknown", "The call has no such declaration."});
    }
  }
  if (!errors.empty()) throw http::problem_error(http::problems::validation_failed(std::move(errors)));
}

json with_states(json c, const call_facts& call) {
  c["fields"] = domain::field_states(call.form, c["answers"]);
  return c;
}

response case_response(const json& c, unsigned status = 200) {
  auto res = response::json(c, status);
  res.set_header("ETag", etag(c["version"].get<int>()));
  return res;
}

// The Idempotency-Key of a write, with a digest of what it asks.
struct idempotency {
  std::string key;
  std::string request_hash;
};

std::optional<idempotency> idempotency_of(const request& req) {
  auto key = req.header("Idempotency-Key");
  if (key.empty()) return std::nullopt;
  bool plain = key.size() <= 200 && std::all_of(key.begin(), key.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == ':';
               });
  if (!plain) {
    throw http::problem_error(http::problems::validation_failed(
        {{"Idempotency-Key", "bad_format", "1 to 200 of A-Z a-z 0-9 - _ . : (a UUID will do)."}}));
  }
  return idempotency{std::string(key), identity::sha256_hex(std::string(req.path) + "\n" + req.body)};
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;

  // POST /calls/{call_id}/cases (partners): a new draft of the caller's organisation.
  http::awaitable<response> create(request& req) const {
    const auto call_id = uuid_param(req, "call_id");
    const auto& me = identity::caller(req);
    const auto idem = idempotency_of(req);
    auto in = http::parse_json_body(req, schemas.at("case-create-request.json"));
    struct outcome {
      unsigned status = 201;
      std::string body;
      json headers = json::object();
    };
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<outcome> {
      if (idem) {
        // One request per key at a time; a retry waiting on a running first attempt is told so.
        auto locked = tx.exec_params1("SELECT pg_try_advisory_xact_lock(hashtext($1 || '|' || $2 || '|' || $3))",
                                      me.user_id, std::string(req.route_name), idem->key)[0]
                          .as<bool>();
        if (!locked) {
          fail(409, "idempotency_in_progress", "Request in progress",
               "A request with this Idempotency-Key is still being handled; retry in a moment.");
        }
        auto seen = tx.exec_params(
            "SELECT request_hash, status, body, headers::text FROM intake.idempotency "
            "WHERE principal = $1 AND route = $2 AND key = $3",
            me.user_id, std::string(req.route_name), idem->key);
        if (!seen.empty()) {
          if (seen[0][0].as<std::string>() != idem->request_hash) {
            auto p = http::problems::make(422, "idempotency_key_reused", "Idempotency-Key reused",
                                          "This Idempotency-Key came with another request; use a new key.");
            p.errors.push_back({"Idempotency-Key", "idempotency_key_reused", "Already used for another request."});
            throw http::problem_error(std::move(p));
          }
          return outcome{seen[0][1].as<unsigned>(), seen[0][2].as<std::string>(), json::parse(seen[0][3].c_str())};
        }
      }
      auto call = load_call(tx, call_id, true);
      if (!call) return std::nullopt;
      require_open(*call);
      const auto answers = in.value("answers", json::object());
      check_parts(*call, answers, in);
      auto row = tx.exec_params1(
          "INSERT INTO intake.cases (call_id, organisation_id, answers, co_authors, contacts, declarations, created_by) "
          "VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7) "
          "RETURNING id, intake.case_json(cases)::text",
          call_id, me.organisation_id, answers.dump(), in.value("co_authors", json::array()).dump(),
          in.value("contacts", json::array()).dump(), in.value("declarations", json::array()).dump(), me.user_id);
      const auto id = row[0].as<std::string>();
      auto created = with_states(json::parse(row[1].c_str()), *call);
      audit::record(c, tx, identity::audit_event(req, stream, "case.created", "case", id));
      outcome out{201, created.dump(),
                  {{"Location", "/api/intake/v1/cases/" + id}, {"ETag", etag(created["version"].get<int>())}}};
      if (idem) {
        tx.exec_params(
            "INSERT INTO intake.idempotency (principal, route, key, request_hash, status, body, headers) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
            me.user_id, std::string(req.route_name), idem->key, idem->request_hash, static_cast<int>(out.status), out.body,
            out.headers.dump());
      }
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    auto res = response::text(out->body, "application/json", out->status);
    for (const auto& [name, value] : out->headers.items()) res.set_header(name, value.get<std::string>());
    co_return res;
  }

  // GET /cases: the caller's organisation's cases; every case for administrators.
  http::awaitable<response> list(request& req) const {
    const auto& me = identity::caller(req);
    auto call_filter = req.query_param("call_id");
    if (call_filter && !is_uuid(*call_filter)) {
      throw http::problem_error(
          http::problems::validation_failed({{"call_id", "bad_format", "call_id must be a call's id."}}));
    }
    auto work = [&](db::connection&, pqxx::work& tx) {
      auto rows = tx.exec_params(
          "SELECT (intake.case_json(c) - 'answers' - 'co_authors' - 'contacts' "
          "|| jsonb_build_object('title', c.answers->>'title'))::text FROM intake.cases c "
          "WHERE ($1 OR c.organisation_id = $2::uuid) AND ($3::uuid IS NULL OR c.call_id = $3::uuid) "
          "ORDER BY c.created_at DESC, c.id LIMIT 500",
          me.is_admin(), me.organisation_id.empty() ? std::optional<std::string>() : std::optional(me.organisation_id),
          call_filter);
      json items = json::array();
      for (const auto& r : rows) items.push_back(json::parse(r[0].c_str()));
      return items;
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // The case, if the caller may see it (its organisation's members, administrators); a
  // refusal is audited and answers as a case that does not exist.
  static std::optional<std::pair<json, std::string>> visible_case(db::connection& c, pqxx::work& tx, const request& req,
                                                                   const std::string& id, bool for_update) {
    const auto& me = identity::caller(req);
    auto rows = tx.exec_params(std::string("SELECT intake.case_json(c)::text, organisation_id::text, call_id::text "
                                           "FROM intake.cases c WHERE id = $1") +
                                   (for_update ? " FOR UPDATE" : ""),
                               id);
    if (rows.empty()) return std::nullopt;
    if (!me.is_admin() && !me.belongs_to(rows[0][1].as<std::string>())) {
      auto e = identity::audit_event(req, stream, "access.denied", "case", id);
      e.detail["reason"] = "not_own_organisation";
      e.detail["route"] = std::string(req.route_name);
      audit::record(c, tx, std::move(e));
      return std::nullopt;
    }
    return std::pair{json::parse(rows[0][0].c_str()), rows[0][2].as<std::string>()};
  }

  // GET /cases/{id}
  http::awaitable<response> get(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto found = visible_case(c, tx, req, id, false);
      if (!found) return std::nullopt;
      auto call = load_call(tx, found->second, false);
      return with_states(std::move(found->first), *call);
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return case_response(*out);
  }

  // PATCH /cases/{id} (partners of its organisation): If-Match required. A draft may be
  // saved incomplete or over a limit: the answer says where each field stands.
  http::awaitable<response> update(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto found = visible_case(c, tx, req, id, true);
      if (!found) return std::nullopt;
      auto in = http::parse_json_body(req, schemas.at("case-update-request.json"));
      check_version(if_match_version(req), found->first["version"].get<int>(), "case");
      auto call = load_call(tx, found->second, true);
      require_open(*call);
      if (found->first["status"] == "withdrawn") {
        fail(409, "case_withdrawn", "Case withdrawn", "A withdrawn case is no longer changed.");
      }
      auto answers = found->first["answers"];
      const auto changes = in.value("answers", json::object());
      for (const auto& [key, value] : changes.items()) {
        if (value.is_null()) {
          answers.erase(key);
        } else {
          answers[key] = value;
        }
      }
      check_parts(*call, changes, in);
      auto row = tx.exec_params1(
          "UPDATE intake.cases SET answers = $2::jsonb, co_authors = coalesce($3::jsonb, co_authors), "
          "contacts = coalesce($4::jsonb, contacts), declarations = CASE WHEN $5::jsonb IS NULL THEN declarations "
          "ELSE ARRAY(SELECT jsonb_array_elements_text($5::jsonb)) END WHERE id = $1 "
          "RETURNING intake.case_json(cases)::text",
          id, answers.dump(), in.contains("co_authors") ? std::optional(in["co_authors"].dump()) : std::nullopt,
          in.contains("contacts") ? std::optional(in["contacts"].dump()) : std::nullopt,
          in.contains("declarations") ? std::optional(in["declarations"].dump()) : std::nullopt);
      // Saves of a draft are not audited one by one; its creation and submission are.
      return with_states(json::parse(row[0].c_str()), *call);
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return case_response(*out);
  }
};

}  // namespace

void add_case_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/intake/v1";
  // A case's answers run to many thousands of words in five languages.
  constexpr std::uint64_t case_body_limit = 2 * 1024 * 1024;
  add(method::post, p + "/calls/{call_id}/cases", "intake.cases.create", access::partner, &api::create, case_body_limit);
  add(method::get, p + "/cases", "intake.cases.list", access::partner | access::admin, &api::list, 0);
  add(method::get, p + "/cases/{id}", "intake.cases.get", access::partner | access::admin, &api::get, 0);
  add(method::patch, p + "/cases/{id}", "intake.cases.update", access::partner, &api::update, case_body_limit);
}

}  // namespace casecall::intake
