// Cases under /api/intake/v1: a partner organisation's drafts in a call, shared by its
// members and saved as often as they like. Another organisation's case answers 404.
#include "intake/cases_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/json_rows.hpp"
#include "http/problem.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "intake/domain/content.hpp"
#include "intake/request_util.hpp"
#include "mail/outbox.hpp"

#include <charconv>
#include <map>
#include <cstdio>
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

void require_open(const call_facts& call) { require_call_open(call.status); }

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

// The case's finished attachments as a submission covers them, in order of upload. Adds to
// `problems` an upload still arriving, and a kind over its count or total under the call's
// rules (which may have tightened since the files came).
json submitted_attachments(pqxx::work& tx, const std::string& case_id, const json& rules,
                           std::vector<http::field_error>& problems) {
  auto rows = tx.exec_params(
      "SELECT id, kind, filename, status, coalesce(media_type, ''), length, \"offset\", coalesce(sha256, '') "
      "FROM intake.uploads WHERE case_id = $1 AND (status = 'complete' OR (status = 'receiving' AND expires_at > now())) "
      "ORDER BY created_at, id",
      case_id);
  json out = json::array();
  std::map<std::string, std::pair<std::int64_t, std::uint64_t>> used;  // kind: count, bytes
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const auto kind = r[1].as<std::string>();
    const auto name = r[2].as<std::string>();
    const auto size = r[5].as<std::uint64_t>();
    if (r[3].as<std::string>() != "complete") {
      problems.push_back({"/attachments/" + std::to_string(i), "incomplete",
                          name + " is still uploading (" + std::to_string(r[6].as<std::uint64_t>()) + " of " +
                              std::to_string(size) + " bytes); finish or remove it."});
      continue;
    }
    auto& [count, bytes] = used[kind];
    ++count;
    bytes += size;
    out.push_back({{"id", r[0].as<std::string>()}, {"kind", kind}, {"filename", name}, {"media_type", r[4].as<std::string>()},
                   {"size", size}, {"sha256", r[7].as<std::string>()}});
  }
  for (const auto& [kind, totals] : used) {
    const auto rule = rules.value(kind, json::object());
    const auto max_count = rule.value("max_count", std::int64_t{0});
    const auto max_total = rule.value("max_total_bytes", std::uint64_t{0});
    if (totals.first > max_count) {
      problems.push_back({"/attachments/" + kind, "too_many",
                          std::to_string(totals.first) + " " + kind + " files, for at most " + std::to_string(max_count) + "."});
    }
    if (totals.second > max_total) {
      problems.push_back({"/attachments/" + kind, "too_large",
                          std::to_string(totals.second) + " bytes of " + kind + " files, for at most " +
                              std::to_string(max_total) + "."});
    }
  }
  return out;
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
      return db::json_items(rows);
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

  // POST /cases/{id}/submit (partners of its organisation): If-Match required. Checks
  // everything and answers 422 listing every problem, or a receipt: the reference, the
  // server's time and the SHA-256 of the canonical JSON of what was submitted.
  http::awaitable<response> submit(request& req) const {
    const auto id = uuid_param(req, "id");
    const auto& me = identity::caller(req);
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto found = visible_case(c, tx, req, id, true);
      if (!found) return std::nullopt;
      auto& current = found->first;
      check_version(if_match_version(req), current["version"].get<int>(), "case");
      auto call_row = tx.exec_params1(
          "SELECT form::text, declarations::text, intake.call_status(c), english_abstract_required, reference_prefix, "
          "coalesce(titles->>$2, titles->>'en'), attachment_rules::text FROM intake.calls c WHERE id = $1 FOR UPDATE",
          found->second, me.language);
      call_facts call{json::parse(call_row[0].c_str()), json::parse(call_row[1].c_str()), call_row[2].as<std::string>()};
      require_open(call);
      if (current["status"] == "withdrawn") fail(409, "case_withdrawn", "Case withdrawn", "A withdrawn case is not submitted again.");
      // Everything that stops a submission, all at once.
      const auto& answers = current["answers"];
      auto problems = domain::blocking(domain::field_states(call.form, answers), "/answers");
      const bool english = answers.value("case_language", std::string("en")) == "en";
      if (call_row[3].as<bool>() && !english && answers.value("english_abstract", std::string()).empty() &&
          std::none_of(problems.begin(), problems.end(), [](const auto& e) { return e.field == "/answers/english_abstract"; })) {
        problems.push_back({"/answers/english_abstract", "missing", "A case not written in English needs an English abstract."});
      }
      for (const auto& d : call.declarations) {
        const auto& accepted = current["declarations"];
        if (std::find(accepted.begin(), accepted.end(), d["id"]) == accepted.end()) {
          problems.push_back({"/declarations", "missing", "The declaration " + d["id"].get<std::string>() + " must be accepted."});
        }
      }
      const auto attachments = submitted_attachments(tx, id, json::parse(call_row[6].c_str()), problems);
      if (!problems.empty()) throw http::problem_error(http::problems::validation_failed(std::move(problems)));

      std::string reference = current["reference"].is_string() ? current["reference"].get<std::string>() : std::string();
      if (reference.empty()) {
        auto n = tx.exec_params1("UPDATE intake.calls SET next_case_number = next_case_number + 1 WHERE id = $1 "
                                 "RETURNING next_case_number - 1",
                                 found->second)[0]
                     .as<int>();
        char number[16];
        std::snprintf(number, sizeof number, "%04d", n);
        reference = call_row[4].as<std::string>() + "-" + number;
      }
      const int number = tx.exec_params1("SELECT coalesce(max(number), 0) + 1 FROM intake.case_versions WHERE case_id = $1", id)[0]
                             .as<int>();
      // What the receipt covers, as canonical JSON: compact, object keys in byte order, UTF-8.
      const json content = {{"case_id", id},
                            {"call_id", found->second},
                            {"reference", reference},
                            {"number", number},
                            {"answers", answers},
                            {"co_authors", current["co_authors"]},
                            {"contacts", current["contacts"]},
                            {"declarations", current["declarations"]},
                            {"attachments", attachments}};
      const auto canonical = content.dump();
      const auto hash = identity::sha256_hex(canonical);
      auto version = tx.exec_params1(
          "INSERT INTO intake.case_versions (case_id, number, submitted_by, canonical, sha256) VALUES ($1, $2, $3, $4, $5) "
          "RETURNING intake.ts(submitted_at), to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
          id, number, me.user_id, canonical, hash);
      tx.exec_params(
          "UPDATE intake.cases SET status = 'submitted', reference = $2, submitted_number = $3, "
          "submitted_case_version = version + 1, submitted_attachments_version = attachments_version WHERE id = $1",
          id, reference, number);
      tx.exec_params("INSERT INTO intake.review_outbox (case_id, event, case_number, payload) VALUES ($1, 'submitted', $2, $3::jsonb)",
                     id, number, json{{"content", content}, {"sha256", hash}, {"organisation_id", current["organisation_id"]}}.dump());
      const json receipt = {{"case_id", id},   {"reference", reference}, {"number", number},
                            {"submitted_at", version[1].as<std::string>()}, {"sha256", hash}};
      auto e = identity::audit_event(req, stream, "case.submitted", "case", id);
      e.detail = {{"reference", reference}, {"number", number}, {"sha256", hash}};
      audit::record(c, tx, e);
      mail::enqueue_template(c, tx, "case_receipt", me.language, me.email, me.name,
                             {{"name", me.name},
                              {"reference", reference},
                              {"call", call_row[5].as<std::string>()},
                              {"submitted_at", version[1].as<std::string>()},
                              {"hash", hash},
                              {"link", ctx.config.auth.public_url + "/app/cases/" + id}},
                             req.request_id);
      return receipt;
    };
    auto receipt = co_await db::transact(ctx.db, std::move(work));
    if (!receipt) not_found();
    auto res = response::json(*receipt, 201);
    res.set_header("Location", "/api/intake/v1/cases/" + id + "/versions/" + std::to_string((*receipt)["number"].get<int>()));
    co_return res;
  }

  // POST /cases/{id}/withdraw (partners of its organisation): If-Match required; until the
  // call closes.
  http::awaitable<response> withdraw(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto found = visible_case(c, tx, req, id, true);
      if (!found) return std::nullopt;
      check_version(if_match_version(req), found->first["version"].get<int>(), "case");
      auto call = load_call(tx, found->second, true);
      require_open(*call);
      if (found->first["status"] != "submitted") {
        fail(409, "not_submitted", "Not submitted", "Only a submitted case is withdrawn; a draft is simply left.");
      }
      auto row = tx.exec_params1("UPDATE intake.cases SET status = 'withdrawn' WHERE id = $1 RETURNING intake.case_json(cases)::text", id);
      tx.exec_params("INSERT INTO intake.review_outbox (case_id, event, case_number, payload) VALUES ($1, 'withdrawn', $2, $3::jsonb)",
                     id, found->first["last_submission"]["number"].get<int>(), json{{"case_id", id}}.dump());
      audit::record(c, tx, identity::audit_event(req, stream, "case.withdrawn", "case", id));
      return with_states(json::parse(row[0].c_str()), *call);
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return case_response(*out);
  }

  // GET /cases/{id}/versions: every submission, with its receipt.
  http::awaitable<response> versions(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      if (!visible_case(c, tx, req, id, false)) return std::nullopt;
      auto rows = tx.exec_params(
          "SELECT json_build_object('number', v.number, 'reference', c.reference, 'sha256', v.sha256, "
          "'submitted_at', to_char(v.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))::text "
          "FROM intake.case_versions v JOIN intake.cases c ON c.id = v.case_id WHERE v.case_id = $1 ORDER BY v.number",
          id);
      return json{{"items", db::json_items(rows)}};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
  }

  // A submission's number from the path; anything but a positive integer names nothing: 404.
  static int number_param(const request& req) {
    int number = 0;
    const auto& text = req.param("number");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || end != text.data() + text.size() || number < 1) not_found();
    return number;
  }

  // A submitted version: what its receipt covers, exactly.
  static std::optional<json> version_json(pqxx::work& tx, const std::string& id, int number) {
    auto rows = tx.exec_params(
        "SELECT v.canonical, v.sha256, to_char(v.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
        "FROM intake.case_versions v WHERE v.case_id = $1 AND v.number = $2",
        id, number);
    if (rows.empty()) return std::nullopt;
    return json{{"number", number},
                {"submitted_at", rows[0][2].as<std::string>()},
                {"sha256", rows[0][1].as<std::string>()},
                {"canonical", rows[0][0].as<std::string>()},
                {"content", json::parse(rows[0][0].c_str())}};
  }

  // GET /cases/{id}/versions/{number}: what was submitted, exactly as its receipt covers it.
  http::awaitable<response> version(request& req) const {
    const auto id = uuid_param(req, "id");
    const int number = number_param(req);
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      if (!visible_case(c, tx, req, id, false)) return std::nullopt;
      return version_json(tx, id, number);
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
  }

  // GET /internal/v1/cases/{id}/versions/{number} (services): a submitted version with the
  // submitting organisation as publish credits it.
  http::awaitable<response> internal_version(request& req) const {
    const auto id = uuid_param(req, "id");
    const int number = number_param(req);
    auto work = [&](db::connection&, pqxx::work& tx) -> std::optional<json> {
      auto out = version_json(tx, id, number);
      if (!out) return std::nullopt;
      auto org = tx.exec_params(
          "SELECT jsonb_build_object('id', o.id, 'names', o.names, 'country', o.country, 'kind', o.kind, "
          "'website', o.website)::text FROM intake.cases k JOIN identity.organisations o ON o.id = k.organisation_id "
          "WHERE k.id = $1",
          id);
      (*out)["case_id"] = id;
      (*out)["organisation"] = org.empty() ? json(nullptr) : json::parse(org[0][0].c_str());
      return out;
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) not_found();
    co_return response::json(*out);
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
  // Submitting and withdrawing read no body; a small one (e.g. {}) is let through and ignored.
  add(method::post, p + "/cases/{id}/submit", "intake.cases.submit", access::partner, &api::submit, 1024);
  add(method::post, p + "/cases/{id}/withdraw", "intake.cases.withdraw", access::partner, &api::withdraw, 1024);
  add(method::get, p + "/cases/{id}/versions", "intake.cases.versions", access::partner | access::admin, &api::versions, 0);
  add(method::get, p + "/cases/{id}/versions/{number}", "intake.cases.version", access::partner | access::admin,
      &api::version, 0);
  add(method::get, "/internal/v1/cases/{id}/versions/{number}", "intake.internal.cases.version", access::service,
      &api::internal_version, 0);
}

}  // namespace casecall::intake
