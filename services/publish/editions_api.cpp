#include "publish/editions_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "http/blocking.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "log/log.hpp"
#include "publish/domain/collection.hpp"
#include "publish/response_cache.hpp"
#include "publish/search_index.hpp"
#include "service/peer.hpp"

#include <set>

namespace casecall::publish {

namespace {

using json = nlohmann::json;
using http::access;
using http::invalid;
using http::method;
using http::request;
using http::response;

const std::string stream = "publish";

// A JSON answer from another service's /internal/v1/, or 502 naming what failed.
json fetch(const service::peer_response& got, const std::string& what) {
  if (got.status == 200) {
    auto out = json::parse(got.body, nullptr, false);
    if (!out.is_discarded()) return out;
  }
  log::error("internal call failed", {{"what", what}, {"status", got.status}, {"error", got.error}, {"body", got.body.substr(0, 300)}});
  http::fail(502, "upstream_unavailable", "Another service did not answer",
             "Publish could not read " + what + " just now; nothing was changed. Try again.");
}

struct edition_row {
  std::string id;
  std::string slug;
  json title;
  json sections;
  // As collection::public_record() and editable_field() read an edition.
  json as_json() const { return {{"slug", slug}, {"title", title}, {"sections", sections}}; }
};

edition_row require_edition(pqxx::work& tx, const std::string& slug, bool lock = false) {
  auto rows = tx.exec_params(
      std::string("SELECT id, slug, title::text, sections::text FROM publish.editions WHERE slug = $1") + (lock ? " FOR UPDATE" : ""),
      slug);
  if (rows.empty()) http::not_found();
  return {rows[0][0].as<std::string>(), rows[0][1].as<std::string>(), json::parse(rows[0][2].c_str()),
          json::parse(rows[0][3].c_str())};
}

// An entry's working copy as stored.
json load_entry(pqxx::work& tx, const edition_row& e, const std::string& reference) {
  auto rows = tx.exec_params(
      "SELECT jsonb_build_object('reference', reference, 'case_id', case_id, 'source_number', source_number, "
      "'source_sha256', source_sha256, 'original', original, 'organisation', organisation, 'rank', rank, 'curated', curated, "
      "'translations', translations, 'photos', photos, 'public_files', public_files, 'version', version, "
      "'published', coalesce((SELECT jsonb_agg(v.number ORDER BY v.number) FROM publish.versions v "
      "WHERE v.edition_id = n.edition_id AND v.reference = n.reference), '[]'))::text "
      "FROM publish.entries n WHERE edition_id = $1 AND reference = $2",
      e.id, reference);
  if (rows.empty()) http::not_found();
  return json::parse(rows[0][0].c_str());
}

// An entry as the organisers work on it: with what changed, field by field, and the case as
// it would be published now.
json entry_json(pqxx::work& tx, const edition_row& e, const std::string& reference) {
  auto out = load_entry(tx, e, reference);
  const auto& original = out["original"].value("answers", json::object());
  json diff = json::object();
  for (const auto& [field, value] : out["curated"].items()) {
    if (!value.is_string()) continue;
    diff[field] = collection::text_diff(original.value(field, std::string()), value.get<std::string>());
  }
  out["diff"] = diff;
  out["preview"] = collection::public_record(e.as_json(), reference, 0, "", "", out);
  return out;
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;
  std::shared_ptr<http::blocking_pool> blocking = std::make_shared<http::blocking_pool>(2);

  // POST /editions (administrators): an edition of the accepted cases of a call's last closed
  // round, their submitted content copied from intake.
  http::awaitable<response> create(request& req) const {
    const auto& me = identity::caller(req);
    auto in = http::parse_json_body(req, schemas.at("edition-create-request.json"));
    const auto call_id = in["call_id"].get<std::string>();
    const auto slug = in["slug"].get<std::string>();
    auto taken = [&](db::connection&, pqxx::work& tx) {
      return !tx.exec_params("SELECT 1 FROM publish.editions WHERE slug = $1", slug).empty();
    };
    if (co_await db::transact(ctx.db, std::move(taken))) {
      http::fail(409, "edition_exists", "Edition exists", "An edition already has this slug.");
    }
    const auto& auth = ctx.config.auth;
    service::peer_response decided;
    auto ask_review = [&decided, url = auth.review_url + "/internal/v1/calls/" + call_id + "/decisions", token = auth.service_token] {
      decided = service::get(url, token);
    };
    co_await blocking->run(ask_review);
    const auto decisions = fetch(decided, "the call's decisions from review")["items"];
    if (decisions.empty()) {
      http::fail(409, "no_accepted_cases", "No accepted cases",
                 "The call has no closed review round with accepted cases; close a round first.");
    }
    // The call: its form's prose sections and their headings, its themes' and regions' names.
    service::peer_response call;
    auto ask_call = [&call, url = auth.intake_url + "/api/intake/v1/calls/" + call_id, token = auth.service_token] {
      call = service::get(url, token);
    };
    co_await blocking->run(ask_call);
    const auto the_call = fetch(call, "the call from intake");
    auto sections = collection::form_sections(the_call.value("form", json::object()));
    if (in.contains("sections")) {
      // The organisers' choice of the form's long texts, in their order.
      json chosen = json::array();
      std::vector<http::field_error> errors;
      std::size_t i = 0;
      for (const auto& id : in["sections"]) {
        const auto found = std::find_if(sections.begin(), sections.end(), [&](const json& s) { return s["field"] == id; });
        if (found == sections.end()) {
          errors.push_back({"/sections/" + std::to_string(i), "not_a_prose_field", "The call's form has no long-text field of this name."});
        } else {
          chosen.push_back(*found);
        }
        ++i;
      }
      if (!errors.empty()) invalid(std::move(errors));
      sections = std::move(chosen);
    }
    const auto vocabulary = collection::call_vocabulary(the_call);
    std::vector<json> versions;
    for (const auto& d : decisions) {
      service::peer_response got;
      auto ask_intake = [&got, url = auth.intake_url + "/internal/v1/cases/" + d["case_id"].get<std::string>() + "/versions/" +
                                         std::to_string(d["number"].get<int>()),
                         token = auth.service_token] { got = service::get(url, token); };
      co_await blocking->run(ask_intake);
      auto v = fetch(got, "case " + d["case_id"].get<std::string>() + " from intake");
      if (v["sha256"] != d["sha256"]) {
        http::fail(409, "source_mismatch", "Reviewed content differs",
                   "Case " + d["case_id"].get<std::string>() + ": intake's submission is not the one review decided on.");
      }
      v["rank"] = d["rank"];
      versions.push_back(std::move(v));
    }
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<json> {
      auto made = tx.exec_params(
          "INSERT INTO publish.editions (slug, call_id, title, description, sections, vocabulary, created_by) "
          "VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, $7) ON CONFLICT (slug) DO NOTHING RETURNING id",
          in["slug"].get<std::string>(), call_id, in["title"].dump(), in.value("description", json::object()).dump(), sections.dump(),
          vocabulary.dump(), me.user_id);
      if (made.empty()) return std::nullopt;
      const auto id = made[0][0].as<std::string>();
      for (const auto& v : versions) {
        const auto& content = v["content"];
        tx.exec_params(
            "INSERT INTO publish.entries (edition_id, reference, case_id, source_number, source_sha256, original, organisation, rank) "
            "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)",
            id, content.value("reference", v["case_id"].get<std::string>()), v["case_id"].get<std::string>(), v["number"].get<int>(),
            v["sha256"].get<std::string>(), content.dump(), v["organisation"].dump(),
            v["rank"].is_number() ? std::optional(v["rank"].get<int>()) : std::nullopt);
      }
      auto e = identity::audit_event(req, stream, "edition.created", "edition", id);
      e.detail = {{"slug", in["slug"]}, {"call_id", call_id}, {"cases", versions.size()}};
      audit::record(c, tx, std::move(e));
      return edition_admin_json(tx, in["slug"].get<std::string>());
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) http::fail(409, "edition_exists", "Edition exists", "An edition already has this slug.");
    auto res = response::json(*out, 201);
    res.set_header("Location", "/api/publish/v1/editions/" + (*out)["slug"].get<std::string>() + "/entries");
    co_return res;
  }

  // An edition as administrators see it (edition-admin.json), for `e`, a row of publish.editions.
  static constexpr const char* edition_admin_sql =
      "jsonb_build_object('id', e.id, 'slug', e.slug, 'call_id', e.call_id, 'title', e.title, 'description', e.description, "
      "'sections', e.sections, "
      "'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "'entries', (SELECT count(*) FROM publish.entries n WHERE n.edition_id = e.id), "
      "'published', (SELECT count(DISTINCT v.reference) FROM publish.versions v WHERE v.edition_id = e.id), "
      "'unpublished_changes', (SELECT count(*) FROM publish.entries n WHERE n.edition_id = e.id "
      "AND n.published_version IS DISTINCT FROM n.version))::text";

  // The row as administrators see it: the sections it publishes (the Global Solicitation's for
  // an edition that keeps none).
  static json edition_admin_item(const pqxx::field& field) {
    auto out = json::parse(field.c_str());
    out["sections"] = collection::edition_sections(out);
    return out;
  }

  static json edition_admin_json(pqxx::work& tx, const std::string& slug) {
    return edition_admin_item(
        tx.exec_params1(std::string("SELECT ") + edition_admin_sql + " FROM publish.editions e WHERE e.slug = $1", slug)[0]);
  }

  // GET /admin/editions (administrators): every edition, the newest first.
  http::awaitable<response> admin_list(request&) const {
    auto work = [](db::connection&, pqxx::work& tx) {
      json items = json::array();
      for (const auto& row : tx.exec(std::string("SELECT ") + edition_admin_sql + " FROM publish.editions e ORDER BY e.created_at DESC, e.slug")) {
        items.push_back(edition_admin_item(row[0]));
      }
      return items;
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // GET /editions/{slug}/entries (administrators): the working copies, with what is published.
  http::awaitable<response> entries(request& req) const {
    const auto slug = req.param("slug");
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto e = require_edition(tx, slug);
      json items = json::array();
      for (const auto& row : tx.exec_params(
               "SELECT n.reference, n.case_id, n.rank, coalesce(n.curated->>'title', n.original->'answers'->>'title'), n.version, "
               "(SELECT max(v.number) FROM publish.versions v WHERE v.edition_id = n.edition_id AND v.reference = n.reference), "
               "n.published_version IS DISTINCT FROM n.version "
               "FROM publish.entries n WHERE n.edition_id = $1 ORDER BY n.rank NULLS LAST, n.reference",
               e.id)) {
        items.push_back({{"reference", row[0].as<std::string>()},
                         {"case_id", row[1].as<std::string>()},
                         {"rank", row[2].is_null() ? json(nullptr) : json(row[2].as<int>())},
                         {"title", row[3].is_null() ? json(nullptr) : json(row[3].as<std::string>())},
                         {"version", row[4].as<int>()},
                         {"published_number", row[5].is_null() ? json(nullptr) : json(row[5].as<int>())},
                         {"unpublished_changes", row[6].as<bool>()}});
      }
      auto out = edition_admin_json(tx, slug);
      out["items"] = items;
      return out;
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /editions/{slug}/entries/{reference} (administrators)
  http::awaitable<response> entry(request& req) const {
    const auto slug = req.param("slug");
    const auto reference = req.param("reference");
    auto work = [&](db::connection&, pqxx::work& tx) { return entry_json(tx, require_edition(tx, slug), reference); };
    auto out = co_await db::transact(ctx.db, std::move(work));
    auto res = response::json(out);
    res.set_header("ETag", http::etag(out["version"].get<int>()));
    co_return res;
  }

  // PATCH /editions/{slug}/entries/{reference} (administrators, If-Match): curation.
  http::awaitable<response> curate(request& req) const {
    const auto slug = req.param("slug");
    const auto reference = req.param("reference");
    const auto expected = http::if_match_version(req);
    auto in = http::parse_json_body(req, schemas.at("entry-update-request.json"));
    const auto answers = in.value("answers", json::object());
    const auto translated = in.value("translations", json::object());
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto e = require_edition(tx, slug);
      std::vector<http::field_error> errors;
      for (const auto& [field, value] : answers.items()) {
        if (!collection::editable_field(e.as_json(), field)) {
          errors.push_back({"/answers/" + field, "not_editable", "Only the title and the prose sections are edited."});
        }
      }
      for (const auto& [lang, fields] : translated.items()) {
        if (!fields.is_object()) continue;
        for (const auto& [field, value] : fields.items()) {
          if (!collection::editable_field(e.as_json(), field)) {
            errors.push_back({"/translations/" + lang + "/" + field, "not_editable", "Only the title and the prose sections are translated."});
          }
        }
      }
      if (!errors.empty()) invalid(std::move(errors));
      auto rows = tx.exec_params(
          "SELECT version, curated::text, translations::text, original::text FROM publish.entries "
          "WHERE edition_id = $1 AND reference = $2 FOR UPDATE",
          e.id, reference);
      if (rows.empty()) http::not_found();
      http::check_version(expected, rows[0][0].as<int>(), "entry");
      auto curated = json::parse(rows[0][1].c_str());
      auto translations = json::parse(rows[0][2].c_str());
      const auto original = json::parse(rows[0][3].c_str());
      std::vector<http::field_error> photo_errors;
      std::set<std::string> files;
      for (const auto& a : original.value("attachments", json::array())) files.insert(a.value("id", ""));
      auto known = [&](const json& list, const std::string& at, const char* key) {
        for (std::size_t i = 0; i < list.size(); ++i) {
          const auto id = key ? list[i].value(key, "") : list[i].get<std::string>();
          if (!files.count(id)) photo_errors.push_back({at + "/" + std::to_string(i), "unknown_attachment", "The case has no such attachment."});
        }
      };
      if (in.contains("photos")) known(in["photos"], "/photos", "attachment_id");
      if (in.contains("public_files")) known(in["public_files"], "/public_files", nullptr);
      if (!photo_errors.empty()) invalid(std::move(photo_errors));
      for (const auto& [field, value] : answers.items()) {
        if (value.is_null()) {
          curated.erase(field);
        } else {
          curated[field] = value;
        }
      }
      for (const auto& [lang, fields] : translated.items()) {
        if (fields.is_null()) {
          translations.erase(lang);
          continue;
        }
        if (!translations.contains(lang) || !translations[lang].is_object()) translations[lang] = json::object();
        for (const auto& [field, value] : fields.items()) {
          if (value.is_null()) {
            translations[lang].erase(field);
          } else {
            translations[lang][field] = value;
          }
        }
        if (translations[lang].empty()) translations.erase(lang);
      }
      tx.exec_params(
          "UPDATE publish.entries SET curated = $3::jsonb, translations = $4::jsonb, photos = coalesce($5::jsonb, photos), "
          "public_files = coalesce($6::jsonb, public_files), version = version + 1, updated_at = now() "
          "WHERE edition_id = $1 AND reference = $2",
          e.id, reference, curated.dump(), translations.dump(),
          in.contains("photos") ? std::optional(in["photos"].dump()) : std::nullopt,
          in.contains("public_files") ? std::optional(in["public_files"].dump()) : std::nullopt);
      auto ev = identity::audit_event(req, stream, "entry.curated", "entry", slug + "/" + reference);
      ev.after = in;
      audit::record(c, tx, std::move(ev));
      return entry_json(tx, e, reference);
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    auto res = response::json(out);
    res.set_header("ETag", http::etag(out["version"].get<int>()));
    co_return res;
  }

  // POST /editions/{slug}/publish (administrators): every entry (or those named) whose working
  // copy differs from its latest version gets a new, immutable version.
  http::awaitable<response> publish(request& req) const {
    const auto slug = req.param("slug");
    const auto& me = identity::caller(req);
    json in = req.body.empty() ? json::object() : http::parse_json_body(req, schemas.at("edition-publish-request.json"));
    const auto note = in.value("note", std::string());
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto e = require_edition(tx, slug, true);
      std::set<std::string> wanted;
      for (const auto& r : in.value("references", json::array())) wanted.insert(r.get<std::string>());
      std::set<std::string> present;
      json published = json::array();
      const auto now = tx.exec1("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")[0].as<std::string>();
      for (const auto& row : tx.exec_params("SELECT reference FROM publish.entries WHERE edition_id = $1 ORDER BY rank NULLS LAST, reference",
                                            e.id)) {
        const auto reference = row[0].as<std::string>();
        present.insert(reference);
        if (!wanted.empty() && !wanted.count(reference)) continue;
        const auto entry = load_entry(tx, e, reference);
        // Whatever follows, this working copy is now what the public has.
        tx.exec_params("UPDATE publish.entries SET published_version = version WHERE edition_id = $1 AND reference = $2", e.id,
                       reference);
        auto last = tx.exec_params(
            "SELECT number, record::text FROM publish.versions WHERE edition_id = $1 AND reference = $2 ORDER BY number DESC LIMIT 1",
            e.id, reference);
        const int number = last.empty() ? 1 : last[0][0].as<int>() + 1;
        auto record = collection::public_record(e.as_json(), reference, number, now, number > 1 ? note : "", entry);
        if (!last.empty()) {
          // Nothing to publish when only the number, the date and the note would change.
          auto before = json::parse(last[0][1].c_str());
          auto same = record;
          for (auto* r : {&before, &same}) {
            for (const char* key : {"number", "published_at", "note", "version_path"}) r->erase(key);
          }
          if (before == same) continue;
        }
        const auto sha = identity::sha256_hex(record.dump());
        tx.exec_params(
            "INSERT INTO publish.versions (edition_id, reference, number, record, sha256, note, published_by, published_at) "
            "VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::timestamptz)",
            e.id, reference, number, record.dump(), sha, note.empty() || number == 1 ? std::nullopt : std::optional(note), me.user_id,
            now);
        index_version(tx, e.id, record);
        auto ev = identity::audit_event(req, stream, "version.published", "entry", slug + "/" + reference);
        ev.detail = {{"number", number}, {"sha256", sha}};
        audit::record(c, tx, std::move(ev));
        published.push_back({{"reference", reference}, {"number", number}, {"path", record["path"]}});
      }
      std::vector<http::field_error> errors;
      std::size_t i = 0;
      for (const auto& r : in.value("references", json::array())) {
        if (!present.count(r.get<std::string>())) {
          errors.push_back({"/references/" + std::to_string(i), "not_in_edition", "The edition has no such case."});
        }
        ++i;
      }
      if (!errors.empty()) invalid(std::move(errors));
      return json{{"published", published}};
    };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out["published"].empty()) response_cache::published();
    co_return response::json(out);
  }

  // PATCH /editions/{slug}/cases/{reference}/versions/{number} (administrators): a published
  // version never changes.
  http::awaitable<response> patch_version(request& req) const {
    const auto slug = req.param("slug");
    const auto reference = req.param("reference");
    const auto number = req.param("number");
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto e = require_edition(tx, slug);
      return !tx.exec_params("SELECT 1 FROM publish.versions WHERE edition_id = $1 AND reference = $2 AND number::text = $3", e.id,
                             reference, number)
                  .empty();
    };
    const bool exists = co_await db::transact(ctx.db, std::move(work));
    if (!exists) http::not_found();
    http::fail(409, "version_published", "Version published",
               "A published version never changes: edit the case (PATCH …/entries/{reference}) and publish a correction, "
               "which becomes the next version.");
  }
};

}  // namespace

void add_edition_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = http::route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/publish/v1/editions";
  add(method::post, p, "publish.editions.create", access::admin, &api::create, 64 * 1024);
  add(method::get, "/api/publish/v1/admin/editions", "publish.editions.admin_list", access::admin, &api::admin_list, 0);
  add(method::get, p + "/{slug}/entries", "publish.entries.list", access::admin, &api::entries, 0);
  add(method::get, p + "/{slug}/entries/{reference}", "publish.entries.get", access::admin, &api::entry, 0);
  add(method::patch, p + "/{slug}/entries/{reference}", "publish.entries.update", access::admin, &api::curate, 1024 * 1024);
  add(method::post, p + "/{slug}/publish", "publish.editions.publish", access::admin, &api::publish, 64 * 1024);
  add(method::patch, p + "/{slug}/cases/{reference}/versions/{number}", "publish.versions.update", access::admin,
      &api::patch_version, 1024 * 1024);
}

}  // namespace casecall::publish
