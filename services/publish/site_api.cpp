#include "publish/site_api.hpp"

#include "db/await.hpp"
#include "http/blocking.hpp"
#include "http/handler_util.hpp"
#include "http/percent.hpp"
#include "http/problem.hpp"
#include "identity/crypto.hpp"
#include "log/log.hpp"
#include "publish/domain/collection.hpp"
#include "publish/domain/xml.hpp"
#include "publish/edition_names.hpp"
#include "publish/response_cache.hpp"
#include "publish/search_index.hpp"
#include "publish/site/labels.hpp"
#include "publish/site/render.hpp"
#include "publish/tools.hpp"
#include "service/peer.hpp"
#include "text/names.hpp"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <charconv>

namespace casecall::publish {

const std::vector<std::pair<std::string_view, std::string_view>>& site_files();

namespace {

using json = nlohmann::json;
using http::access;
using http::method;
using http::request;
using http::response;

const char* const csp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

std::string_view stylesheet() {
  for (const auto& [name, text] : site_files()) {
    if (name == "site.css") return text;
  }
  return {};
}

const std::string& stylesheet_hash() {
  static const std::string hash = identity::sha256_hex(std::string(stylesheet())).substr(0, 16);
  return hash;
}

// The reader's language: ?lang= when it is one the site speaks, else the first of
// Accept-Language that it speaks, else English.
std::string reader_language(const request& req) {
  const auto asked = req.query_param("lang");
  return std::string(site::reader_language(asked ? std::optional<std::string_view>(*asked) : std::nullopt,
                                           req.header("Accept-Language")));
}

using collection::in_language;
using collection::paragraphs;

std::string humanise(std::string id) {
  for (auto& c : id) {
    if (c == '_') c = ' ';
  }
  if (!id.empty() && id[0] >= 'a' && id[0] <= 'z') id[0] = static_cast<char>(id[0] - 'a' + 'A');
  return id;
}

// How the site names what the records hold as codes, in the reader's language: countries
// (ICU's names), themes and regions (as the editions' calls named them, else the id made
// readable), editions (their titles), languages (their own names).
struct naming {
  explicit naming(std::string language = "en") : lang(std::move(language)) {}
  std::string lang;
  edition_names known;  // the editions' titles and their calls' vocabularies

  std::string country(const json& code) const {
    return code.is_string() ? text::country_name(code.get<std::string>(), site::ui_language(lang)) : std::string();
  }
  // A theme or region: the call's name in the reader's language, else the site's own name for
  // it (regions), else the call's name in English or any, else the id made readable.
  std::string term(const std::string& kind, const std::string& id) const {
    const auto& labels = known.vocabulary[kind].value(id, json::object());
    if (labels.contains(lang)) return labels[lang].get<std::string>();
    if (auto own = site::find_label(kind + "_" + id, lang)) return std::string(*own);
    return labels.empty() ? humanise(id) : in_language(labels, lang);
  }
  std::string edition(const std::string& slug) const {
    auto it = known.titles.find(slug);
    return it == known.titles.end() ? slug : in_language(it->second, lang);
  }
  // A search facet's value.
  std::string facet_value(const std::string& facet, const std::string& value) const {
    if (facet == "country") return country(value);
    if (facet == "theme" || facet == "region") return term(facet, value);
    if (facet == "edition") return edition(value);
    if (facet == "language") return std::string(site::language_name(value));
    if (auto kind = site::find_label("kind_" + value, lang)) return std::string(*kind);
    return humanise(value);
  }
};

naming load_naming(pqxx::work& tx, const std::string& lang) {
  naming out{lang};
  out.known = load_edition_names(tx);
  return out;
}

// Whether the bytes are well-formed UTF-8 without NUL (what Postgres will take as text).
bool valid_utf8(std::string_view s) { return s.find('\0') == std::string_view::npos && xml::is_utf8(s); }

response html(std::string body, unsigned status = 200) {
  auto res = response::text(std::move(body), "text/html; charset=utf-8", status);
  res.set_header("Content-Security-Policy", csp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "strict-origin-when-cross-origin");
  return res;
}

std::string human_size(std::int64_t bytes) {
  char text[32];
  if (bytes >= 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  } else {
    std::snprintf(text, sizeof text, "%lld kB", static_cast<long long>((bytes + 1023) / 1024));
  }
  return text;
}

struct pages {
  service::context& ctx;
  std::shared_ptr<response_cache> cache = std::make_shared<response_cache>(4096);
  std::shared_ptr<http::blocking_pool> blocking = std::make_shared<http::blocking_pool>(2);

  // GET /cases/{slug}/{reference}/files/{id}[?width=480|960|1600]: a photo or file that a
  // published version of the case makes public, fetched from intake; with `width`, a photo no
  // wider than that (made once by vipsthumbnail and kept). Its content never changes (it is
  // addressed by its SHA-256), so it is cached for a year.
  http::awaitable<response> file(request& req) const {
    const auto slug = req.param("slug");
    const auto reference = req.param("reference");
    const auto id = http::uuid_param(req, "id");
    int width = 0;
    if (const auto asked = req.query_param("width")) {
      width = *asked == "480" ? 480 : *asked == "960" ? 960 : *asked == "1600" ? 1600 : -1;
      if (width < 0) http::invalid({{"width", "not_allowed", "width is 480, 960 or 1600."}});
    }
    auto work = [&](db::connection&, pqxx::work& tx) -> std::optional<json> {
      auto rows = tx.exec_params(
          "SELECT f, (SELECT r.bytes FROM publish.renditions r WHERE r.attachment_id = (f->>'id')::uuid AND r.width = $4) "
          "FROM publish.versions v JOIN publish.editions e ON e.id = v.edition_id, "
          "LATERAL jsonb_array_elements(CASE WHEN $4 > 0 THEN v.record->'photos' ELSE (v.record->'photos') || (v.record->'files') END) f "
          "WHERE e.slug = $1 AND v.reference = $2 AND f->>'id' = $3 ORDER BY v.number DESC LIMIT 1",
          slug, reference, id, width);
      if (rows.empty()) return std::nullopt;
      auto out = json::parse(rows[0][0].c_str());
      if (!rows[0][1].is_null()) out["kept"] = pqxx::binarystring(rows[0][1]).str();
      return out;
    };
    auto found = co_await db::transact(ctx.db, std::move(work));
    if (!found) http::not_found();
    const auto type = found->value("media_type", std::string("application/octet-stream"));
    if (width > 0 && !rendition_extension(type)) http::not_found();
    const auto etag = "\"" + found->value("sha256", std::string()) + (width > 0 ? "-" + std::to_string(width) : "") + "\"";
    auto headers = [&](response& res) {
      res.set_header("Content-Type", type);
      if (type.rfind("image/", 0) != 0) res.set_header("Content-Disposition", "attachment");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
      res.set_header("Cache-Control", "public, max-age=31536000, immutable");
      res.set_header("ETag", etag);
    };
    if (req.header("If-None-Match") == etag) {
      response not_modified;
      not_modified.status = 304;
      headers(not_modified);
      co_return not_modified;
    }
    if (found->contains("kept")) {
      auto res = response::text((*found)["kept"].get<std::string>(), type);
      headers(res);
      co_return res;
    }
    const scratch_dir scratch("casecall-publish-file");
    const auto original = scratch.path() / "original";
    service::peer_response got;
    auto fetch = [&got, url = ctx.config.auth.intake_url + "/internal/v1/attachments/" + id, token = ctx.config.auth.service_token,
                  path = original.string()] { got = service::get_to_file(url, token, path); };
    co_await blocking->run(fetch);
    if (got.status != 200) {
      http::fail(502, "upstream_unavailable", "Another service did not answer", "The file could not be read from intake just now.");
    }
    if (width > 0) {
      std::string smaller;
      auto shrink = [&smaller, &original, width, type, extension = *rendition_extension(type)] {
        // Only a file that begins as its type does goes to the decoder, and the decoder may use
        // none of libvips's loaders that are not meant for untrusted input.
        if (!collection::begins_as(read_head(original, 12), type)) return;
        const auto out = original.parent_path() / ("smaller" + extension);
        if (run_tool({"env", "VIPS_BLOCK_UNTRUSTED=1", "vipsthumbnail", original.string(), "--size", std::to_string(width) + "x>",
                      "-o", out.string() + (extension == ".png" ? "[strip]" : "[Q=80,strip]")},
                     60)) {
          smaller = read_file(out);
        }
      };
      co_await blocking->run(shrink);
      if (smaller.empty()) {
        // A photo vipsthumbnail cannot read is served whole: the browser may still show it.
        log::warn("photo not made smaller", {{"attachment", id}, {"width", width}});
      } else {
        auto keep = [&](db::connection&, pqxx::work& tx) {
          tx.exec_params("INSERT INTO publish.renditions (attachment_id, width, media_type, bytes) VALUES ($1, $2, $3, $4) "
                         "ON CONFLICT DO NOTHING",
                         id, width, type, pqxx::binarystring(smaller.data(), smaller.size()));
          return true;
        };
        co_await db::transact(ctx.db, std::move(keep));
        auto res = response::text(std::move(smaller), type);
        headers(res);
        co_return res;
      }
    }
    // The original, streamed from the scratch file (moved out of the directory that is about
    // to go, and removed once sent).
    const auto path = (std::filesystem::temp_directory_path() / ("casecall-publish-file-" + identity::random_token())).string();
    std::filesystem::rename(original, path);
    response res;
    res.file_path = path;
    res.remove_file = true;
    headers(res);
    co_return res;
  }

  static std::string read_head(const std::filesystem::path& file, std::size_t n) {
    std::ifstream in(file, std::ios::binary);
    std::string head(n, '\0');
    in.read(head.data(), static_cast<std::streamsize>(n));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
  }

  // The file name extension vipsthumbnail writes for a photo's type; none for what it does
  // not make smaller copies of.
  static std::optional<std::string> rendition_extension(const std::string& type) {
    if (type == "image/jpeg") return ".jpg";
    if (type == "image/png") return ".png";
    if (type == "image/webp") return ".webp";
    return std::nullopt;
  }

  // What a page is kept under: its target and the reader's languages, which choose its labels.
  static std::string page_key(const request& req) {
    return std::string(req.target) + "|" + std::string(req.header("Accept-Language"));
  }

  // The kept answer for this request's page, as a 304 when the client has it already.
  std::optional<response> cached(const request& req) const {
    auto hit = cache->get(page_key(req));
    if (!hit) return std::nullopt;
    const auto etag = hit->header("ETag");
    if (!etag.empty() && req.header("If-None-Match") == etag) {
      response not_modified;
      not_modified.status = 304;
      for (const auto& [name, value] : hit->headers) {
        if (name != "Content-Type" && name != "Content-Length") not_modified.set_header(name, value);
      }
      return not_modified;
    }
    return hit;
  }

  std::string absolute(const std::string& path) const { return ctx.config.auth.public_url + path; }

  // What every page has: language, labels, the language switcher, canonical URL, Open Graph.
  json page(const request& req, const std::string& lang, const std::string& path, const std::string& title,
            const std::string& description) const {
    json languages = json::array();
    for (const auto& l : site::ui_languages()) {
      languages.push_back({{"lang", std::string(l)},
                           {"name", std::string(site::language_name(l))},
                           {"href", path + "?lang=" + std::string(l)},
                           {"current", l == lang}});
    }
    (void)req;
    return {{"lang", lang},
            {"dir", std::string(site::direction(lang))},
            {"title", title + " — " + std::string(site::label("site_name", lang))},
            {"description", description},
            {"canonical_url", absolute(path)},
            {"alternates", json::array()},
            {"og", {{"title", title}, {"description", description}, {"type", "website"}, {"url", absolute(path)}}},
            {"labels", site::labels(site::ui_language(lang))},
            {"languages", languages},
            {"stylesheet_url", "/static/site.css?v=" + stylesheet_hash()},
            {"site_name", std::string(site::label("site_name", lang))}};
  }

  response not_found_page(const request& req) const {
    const auto lang = reader_language(req);
    auto view = page(req, lang, std::string(req.path), std::string(site::label("page_not_found", lang)),
                     std::string(site::label("page_not_found_text", lang)));
    auto res = html(site::render_page("not_found", view), 404);
    res.set_header("Cache-Control", "no-cache");
    return res;
  }

  // A page handler: a 404 of the site is an HTML page, not problem+json.
  template <class F>
  http::awaitable<response> guarded(request& req, F make) const {
    try {
      co_return co_await make();
    } catch (const http::problem_error& e) {
      if (e.details().status != 404) throw;
    }
    co_return not_found_page(req);
  }

  // Published editions, newest first, with how many cases each has.
  static json editions(pqxx::work& tx) {
    json out = json::array();
    for (const auto& row : tx.exec(
             "SELECT e.slug, e.title::text, e.description::text, count(s.reference), "
             "to_char(min(s.published_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') "
             "FROM publish.editions e JOIN publish.search s ON s.edition_id = e.id "
             "GROUP BY e.id ORDER BY min(s.published_at) DESC, e.slug")) {
      out.push_back({{"slug", row[0].as<std::string>()},
                     {"title", json::parse(row[1].c_str())},
                     {"description", json::parse(row[2].c_str())},
                     {"cases", row[3].as<int>()},
                     {"published_at", row[4].as<std::string>()},
                     {"path", "/editions/" + row[0].as<std::string>()}});
    }
    return out;
  }

  // The published cases of an edition, in ranking order; 404 when it has none.
  static json edition(pqxx::work& tx, const std::string& slug) {
    auto e = tx.exec_params(
        "SELECT e.id, e.slug, e.title::text, e.description::text, e.vocabulary::text, (SELECT to_char(min(v.published_at) AT TIME ZONE "
        "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM publish.versions v WHERE v.edition_id = e.id) FROM publish.editions e WHERE e.slug = $1",
        slug);
    if (e.empty()) http::not_found();
    json cases = json::array();
    for (const auto& row : tx.exec_params(
             "SELECT v.record::text FROM publish.search s JOIN publish.versions v ON (v.edition_id, v.reference, v.number) = "
             "(s.edition_id, s.reference, s.number) WHERE s.edition_id = $1 "
             "ORDER BY (v.record->>'rank')::int NULLS LAST, s.reference",
             e[0][0].as<std::string>())) {
      auto r = json::parse(row[0].c_str());
      cases.push_back({{"reference", r["reference"]}, {"title", r["title"]}, {"country", r["country"]}, {"region", r["region"]},
                       {"themes", r["themes"]}, {"language", r["language"]}, {"organisation", r["organisation"]["name"]},
                       {"number", r["number"]}, {"published_at", r["published_at"]}, {"path", r["path"]},
                       {"summary", r["sections"].empty() ? json("") : r["sections"][0]["text"]}});
    }
    if (cases.empty()) http::not_found();
    return {{"slug", e[0][1].as<std::string>()},
            {"title", json::parse(e[0][2].c_str())},
            {"description", json::parse(e[0][3].c_str())},
            {"vocabulary", json::parse(e[0][4].c_str())},
            {"published_at", e[0][5].as<std::string>()},  // its first publication
            {"cases", cases}};
  }

  // A case's version (the current one when number is 0), with the list of its versions.
  static json version(pqxx::work& tx, const std::string& slug, const std::string& reference, int number) {
    auto rows = tx.exec_params(
        "SELECT v.record::text, v.sha256, (SELECT max(w.number) FROM publish.versions w WHERE w.edition_id = v.edition_id "
        "AND w.reference = v.reference), to_char(v.published_at AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"GMT\"'), "
        "(SELECT jsonb_agg(jsonb_build_object('number', w.number, 'published_at', "
        "to_char(w.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'note', w.note) ORDER BY w.number) "
        "FROM publish.versions w WHERE w.edition_id = v.edition_id AND w.reference = v.reference)::text, e.vocabulary::text "
        "FROM publish.versions v JOIN publish.editions e ON e.id = v.edition_id "
        "WHERE e.slug = $1 AND v.reference = $2 AND v.number = CASE WHEN $3 = 0 THEN (SELECT max(w.number) FROM "
        "publish.versions w WHERE w.edition_id = v.edition_id AND w.reference = v.reference) ELSE $3 END",
        slug, reference, number);
    if (rows.empty()) http::not_found();
    auto record = json::parse(rows[0][0].c_str());
    const int current = rows[0][2].as<int>();
    return {{"record", record},
            {"sha256", rows[0][1].as<std::string>()},
            {"current_number", current},
            {"is_current", record["number"].get<int>() == current},
            {"current_path", record["path"]},
            {"last_modified", rows[0][3].as<std::string>()},
            {"versions", json::parse(rows[0][4].c_str())},
            {"vocabulary", json::parse(rows[0][5].c_str())}};
  }

  // The version a case route names: …/versions/{number}, or 0 for the current one; anything
  // but a positive number names nothing (404).
  static int version_number(const request& req) {
    int number = 0;
    if (req.path.find("/versions/") == std::string_view::npos) return 0;
    const auto& text = req.param("number");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || end != text.data() + text.size() || number < 1) http::not_found();
    return number;
  }

  // The version a case route (/cases/{slug}/{reference}[/versions/{number}]) names.
  http::awaitable<json> requested_version(request& req) const {
    const auto slug = req.param("slug");
    const auto reference = req.param("reference");
    const int number = version_number(req);
    auto work = [&](db::connection&, pqxx::work& tx) { return version(tx, slug, reference, number); };
    co_return co_await db::transact(ctx.db, std::move(work));
  }

  // The case page's view model from a version.
  json case_view(const request& req, const std::string& lang, const json& v, const std::string& path) const {
    const auto& r = v["record"];
    const auto& translation = r["translations"].value(lang, json::object());
    auto translated = [&](const std::string& field, const std::string& fallback) {
      const auto& t = translation.value(field, json());
      return t.is_object() && t.contains("text") ? t["text"].get<std::string>() : fallback;
    };
    const auto title = translated("title", r["title"].get<std::string>());
    std::string provenance;
    if (!translation.empty()) {
      const auto from = translation.begin()->is_object() ? translation.begin()->value("provenance", "organiser") : "organiser";
      provenance = std::string(site::label(from == "author" ? "translated_by_author" : from == "machine" ? "translated_by_machine"
                                                                                                           : "translated_by_organisers",
                                           lang));
    }
    json sections = json::array();
    for (const auto& s : r["sections"]) {
      const auto text = translated(s["field"].get<std::string>(), s["text"].get<std::string>());
      sections.push_back({{"heading", in_language(s["heading"], lang)}, {"paragraphs", paragraphs(text)}});
    }
    naming names{lang};
    names.known.add_vocabulary(v["vocabulary"]);
    json themes = json::array();
    for (const auto& t : r["themes"]) themes.push_back(names.term("theme", t.get<std::string>()));
    json translations = json::array();
    json alternates = json::array();
    const auto current_path = v["current_path"].get<std::string>();
    alternates.push_back({{"hreflang", r["language"]}, {"href", absolute(path)}});
    for (const auto& [l, fields] : r["translations"].items()) {
      const auto from = fields.empty() || !fields.begin()->is_object() ? std::string("organiser") : fields.begin()->value("provenance", "organiser");
      translations.push_back({{"lang", l},
                              {"label", std::string(site::language_name(l))},
                              {"url", path + "?lang=" + l},
                              {"provenance", std::string(site::label(from == "author" ? "translated_by_author"
                                                                     : from == "machine" ? "translated_by_machine"
                                                                                         : "translated_by_organisers",
                                                                     lang))}});
      alternates.push_back({{"hreflang", l}, {"href", absolute(path + "?lang=" + l)}});
    }
    const auto files_path = "/cases/" + r["edition"]["slug"].get<std::string>() + "/" + r["reference"].get<std::string>() + "/files/";
    // The cover photo (the one chosen as cover, else the first) heads the page and stands for
    // it where the page is shared; the others follow the text.
    json photos = json::array();
    json cover = nullptr;
    const auto chosen = r.value("photos", json::array());
    const auto cover_at = std::find_if(chosen.begin(), chosen.end(), [](const json& p) { return p.value("cover", false); });
    for (auto it = chosen.begin(); it != chosen.end(); ++it) {
      const auto& p = *it;
      const auto caption = in_language(p.value("caption", json::object()), lang);
      // Shown no wider than the reader needs (smaller copies made for 480, 960 and 1600 pixels);
      // the photo itself is a link away.
      const auto url = files_path + p["id"].get<std::string>();
      json photo = {{"url", url},
                    {"src", url + "?width=960"},
                    {"srcset", url + "?width=480 480w, " + url + "?width=960 960w, " + url + "?width=1600 1600w"},
                    {"caption", caption},
                    {"credit", p.value("credit", std::string())},
                    {"alt", caption.empty() ? title : caption}};
      if (it == (cover_at == chosen.end() ? chosen.begin() : cover_at)) {
        cover = std::move(photo);
      } else {
        photos.push_back(std::move(photo));
      }
    }
    json downloads = json::array();
    for (const auto& f : r.value("files", json::array())) {
      downloads.push_back({{"label", f.value("filename", std::string("file"))}, {"url", files_path + f["id"].get<std::string>()},
                           {"size", human_size(f.value("size", std::int64_t{0}))}});
    }
    std::string credit = r["organisation"]["name"].get<std::string>();
    for (const auto& a : r["credit"]["co_authors"]) credit += ", " + a["name"].get<std::string>();
    const auto edition_title = in_language(r["edition"]["title"], lang);
    const auto published = r["published_at"].get<std::string>();
    const auto citation = r["organisation"]["name"].get<std::string>() + " (" + published.substr(0, 4) + "). " + title + ". " +
                          edition_title + ", " + r["reference"].get<std::string>() + ", version " + std::to_string(r["number"].get<int>()) +
                          ". " + absolute(r["version_path"].get<std::string>());
    const auto summary = sections.empty() || sections[0]["paragraphs"].empty() ? std::string() : sections[0]["paragraphs"][0].get<std::string>();
    auto view = page(req, lang, path, title, summary.substr(0, 300));
    view["alternates"] = alternates;
    view["og"]["type"] = "article";
    if (cover.is_object()) view["og"]["image"] = absolute(cover["url"].get<std::string>() + "?width=1600");
    json ld = {{"@context", "https://schema.org"},
               {"@type", "Article"},
               {"headline", title},
               {"inLanguage", translation.empty() ? r["language"] : json(lang)},
               {"datePublished", published},
               {"version", r["number"]},
               {"identifier", r["reference"]},
               {"url", absolute(r["version_path"].get<std::string>())},
               {"isPartOf", {{"@type", "Collection"}, {"name", edition_title}, {"url", absolute("/editions/" + r["edition"]["slug"].get<std::string>())}}},
               {"author", json::array()}};
    if (cover.is_object()) ld["image"] = absolute(cover["url"].get<std::string>() + "?width=1600");
    ld["author"].push_back({{"@type", "Organization"}, {"name", r["organisation"]["name"]}});
    for (const auto& a : r["credit"]["co_authors"]) ld["author"].push_back({{"@type", "Person"}, {"name", a["name"]}});
    view["json_ld"] = site::json_ld(ld);
    view["case"] = {{"reference", r["reference"]},
                    {"title", title},
                    {"edition_title", edition_title},
                    {"edition_url", "/editions/" + r["edition"]["slug"].get<std::string>()},
                    {"version", r["number"]},
                    {"published_at", published},
                    {"is_current", v["is_current"]},
                    {"current_url", current_path},
                    {"organisation", r["organisation"]["name"]},
                    {"country", names.country(r["country"])},
                    {"themes", themes},
                    {"authors", r["authors"]},
                    {"credit", credit},
                    {"provenance", provenance},
                    {"sections", sections},
                    {"cover", cover},
                    {"photos", photos},
                    {"downloads", downloads},
                    {"translations", translations},
                    {"citation", citation}};
    return view;
  }

  // GET /cases/{slug}/{reference} and /cases/{slug}/{reference}/versions/{number}
  http::awaitable<response> case_page(request& req) const {
    return guarded(req, [this, &req]() -> http::awaitable<response> {
      if (auto hit = cached(req)) co_return std::move(*hit);
      const int number = version_number(req);
      auto v = co_await requested_version(req);
      // The content's language: a translation asked for by ?lang=, else the original's; the
      // labels follow it where the site speaks it.
      const auto asked = req.query_param("lang");
      const auto& record = v["record"];
      const auto view_lang = asked && (record["translations"].contains(*asked) || *asked == record["language"]) ? *asked
                             : asked ? reader_language(req)
                                     : record["language"].get<std::string>();
      const auto etag = "\"" + v["sha256"].get<std::string>().substr(0, 32) + "-" + view_lang + "\"";
      auto cache_headers = [&](response& res) {
        res.set_header("ETag", etag);
        res.set_header("Last-Modified", v["last_modified"].get<std::string>());
        // A numbered version never changes; the current one may be corrected.
        res.set_header("Cache-Control", number > 0 ? "public, max-age=31536000, immutable" : "public, max-age=300");
        res.set_header("Vary", "Accept-Language");
      };
      if (req.header("If-None-Match") == etag) {
        response not_modified;
        not_modified.status = 304;
        cache_headers(not_modified);
        co_return not_modified;
      }
      auto res = html(site::render_page("case", case_view(req, view_lang, v, std::string(req.path))));
      cache_headers(res);
      // A numbered version is kept until something is published; the current one two seconds.
      cache->put(page_key(req), res, std::chrono::milliseconds(number > 0 ? 0 : 2000));
      co_return res;
    });
  }

  // GET / : the editions and the latest cases.
  http::awaitable<response> home(request& req) const {
    const auto lang = reader_language(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      json latest = json::array();
      for (const auto& row : tx.exec(
               "SELECT s.title, s.edition_slug, s.reference, s.country, e.title::text FROM publish.search s "
               "JOIN publish.editions e ON e.id = s.edition_id ORDER BY s.published_at DESC, s.reference LIMIT 10")) {
        latest.push_back({{"title", row[0].as<std::string>()},
                          {"url", "/cases/" + row[1].as<std::string>() + "/" + row[2].as<std::string>()},
                          {"country", row[3].is_null() ? "" : text::country_name(row[3].as<std::string>(), lang)},
                          {"edition_title", in_language(json::parse(row[4].c_str()), lang)}});
      }
      return json{{"editions", editions(tx)}, {"latest", latest}};
    };
    auto data = co_await db::transact(ctx.db, std::move(work));
    auto view = page(req, lang, "/", std::string(site::label("site_name", lang)), std::string(site::label("site_description", lang)));
    view["title"] = std::string(site::label("site_name", lang));  // the home page is the site itself
    view["editions"] = edition_items(data["editions"], lang);
    view["latest"] = data["latest"];
    view["feed_url"] = "/feed.atom";
    auto res = html(site::render_page("home", view));
    res.set_header("Cache-Control", "public, max-age=60");
    co_return res;
  }

  static json edition_items(const json& list, const std::string& lang) {
    json items = json::array();
    for (const auto& e : list) {
      items.push_back({{"title", in_language(e["title"], lang)},
                       {"url", e["path"]},
                       {"year", e["published_at"].get<std::string>().substr(0, 4)},
                       {"cases", e["cases"]},
                       {"published_at", e["published_at"]}});
    }
    return items;
  }

  // GET /editions
  http::awaitable<response> editions_page(request& req) const {
    const auto lang = reader_language(req);
    auto work = [&](db::connection&, pqxx::work& tx) { return editions(tx); };
    auto list = co_await db::transact(ctx.db, std::move(work));
    auto view = page(req, lang, "/editions", std::string(site::label("editions", lang)), "");
    view["editions"] = edition_items(list, lang);
    auto res = html(site::render_page("editions", view));
    res.set_header("Cache-Control", "public, max-age=60");
    co_return res;
  }

  // GET /editions/{slug}
  http::awaitable<response> edition_page(request& req) const {
    return guarded(req, [this, &req]() -> http::awaitable<response> {
      const auto slug = req.param("slug");
      const auto lang = reader_language(req);
      auto work = [&](db::connection&, pqxx::work& tx) { return edition(tx, slug); };
      auto e = co_await db::transact(ctx.db, std::move(work));
      const auto title = in_language(e["title"], lang);
      auto view = page(req, lang, "/editions/" + slug, title, in_language(e["description"], lang));
      naming names{lang};
      names.known.add_vocabulary(e["vocabulary"]);
      json cases = json::array();
      for (const auto& c : e["cases"]) {
        json themes = json::array();
        for (const auto& t : c["themes"]) themes.push_back(names.term("theme", t.get<std::string>()));
        cases.push_back({{"reference", c["reference"]}, {"title", c["title"]}, {"url", c["path"]},
                         {"country", names.country(c["country"])}, {"themes", themes},
                         {"organisation", c["organisation"]}, {"summary", collection::excerpt(c["summary"].get<std::string>(), 300)}});
      }
      view["edition"] = {{"title", title},
                         {"description", paragraphs(in_language(e["description"], lang))},
                         {"published_at", e["published_at"].get<std::string>().substr(0, 10)},
                         {"cases_count", e["cases"].size()}};
      view["cases"] = cases;
      view["downloads"] = json::array();
      view["feed_url"] = "/editions/" + slug + "/feed.atom";
      auto res = html(site::render_page("edition", view));
      res.set_header("Cache-Control", "public, max-age=60");
      co_return res;
    });
  }

  // The search request from the query string: q, each facet, page.
  static search_query search_request(const request& req) {
    search_query q;
    std::vector<http::field_error> errors;
    q.q = req.query_param("q").value_or("");
    if (!valid_utf8(q.q)) errors.push_back({"q", "bad_format", "q must be UTF-8 text."});
    if (q.q.size() > 500) {
      std::size_t cut = 500;
      while (cut > 0 && (static_cast<unsigned char>(q.q[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
      q.q.resize(cut);
    }
    for (const auto& [name, column] : facet_columns()) {
      if (auto v = req.query_param(name); v && !v->empty()) {
        if (!valid_utf8(*v) || v->size() > 200) errors.push_back({name, "bad_format", name + " must be UTF-8 text of up to 200 bytes."});
        q.filters[name] = *v;
      }
    }
    if (!errors.empty()) http::invalid(std::move(errors));
    if (auto p = req.query_param("page")) {
      int n = 0;
      auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), n);
      if (ec != std::errc{} || end != p->data() + p->size() || n < 1 || n > 1000) {
        http::invalid({{"page", "out_of_range", "page is a whole number from 1 to 1000."}});
      }
      q.page = n;
    }
    return q;
  }

  // GET /search
  http::awaitable<response> search_page(request& req) const {
    const auto key = page_key(req);
    if (auto hit = cache->get(key)) co_return std::move(*hit);
    const auto lang = reader_language(req);
    const auto q = search_request(req);
    naming names;
    auto work = [&](db::connection&, pqxx::work& tx) {
      names = load_naming(tx, lang);
      return search(tx, q);
    };
    auto found = co_await db::transact(ctx.db, std::move(work));
    auto query_string = [&](const std::map<std::string, std::string>& filters, int page_number) {
      std::string s = "/search?q=" + http::percent_encode(q.q);
      for (const auto& [k, v] : filters) s += "&" + k + "=" + http::percent_encode(v);
      if (page_number > 1) s += "&page=" + std::to_string(page_number);
      return s;
    };
    auto view = page(req, lang, "/search", std::string(site::label("search", lang)), "");
    view["query"] = q.q;
    view["total"] = found["total"];
    view["no_results"] = found["total"] == 0;
    json results = json::array();
    for (const auto& item : found["items"]) {
      results.push_back({{"title", item["title"]}, {"url", item["path"]}, {"edition_title", names.edition(item["edition"].get<std::string>())},
                         {"country", names.country(item["country"])}, {"snippet", item["snippet"]}});
    }
    view["results"] = results;
    json facets = json::array();
    const std::map<std::string, std::string> facet_labels = {{"country", "country"}, {"region", "region"}, {"theme", "theme"},
                                                             {"organisation_kind", "organisation_type"}, {"edition", "edition"},
                                                             {"language", "language"}};
    for (const auto& [name, column] : facet_columns()) {
      json values = json::array();
      for (const auto& v : found["facets"][name]) {
        auto filters = q.filters;
        const auto value = v["value"].get<std::string>();
        const bool selected = filters.count(name) && filters[name] == value;
        if (selected) {
          filters.erase(name);
        } else {
          filters[name] = value;
        }
        values.push_back({{"label", names.facet_value(name, value)},
                          {"count", v["count"]}, {"url", query_string(filters, 1)}, {"selected", selected}});
      }
      if (!values.empty()) facets.push_back({{"name", name}, {"label", std::string(site::label(facet_labels.at(name), lang))}, {"values", values}});
    }
    view["facets"] = facets;
    json numbered = json::array();
    const int last = (found["total"].get<int>() + q.per_page - 1) / q.per_page;
    for (int n = 1; n <= last && n <= 50; ++n) {
      numbered.push_back({{"number", n}, {"url", query_string(q.filters, n)}, {"current", n == q.page}});
    }
    view["pages"] = numbered.size() > 1 ? numbered : json::array();
    auto res = html(site::render_page("search", view));
    res.set_header("Cache-Control", "public, max-age=60");
    cache->put(key, res, std::chrono::milliseconds(5000));
    co_return res;
  }

  // GET /static/site.css
  http::awaitable<response> css(request& req) const {
    const auto etag = "\"" + stylesheet_hash() + "\"";
    if (req.header("If-None-Match") == etag) {
      response not_modified;
      not_modified.status = 304;
      not_modified.set_header("ETag", etag);
      not_modified.set_header("Cache-Control", "public, max-age=31536000, immutable");
      co_return not_modified;
    }
    auto res = response::text(std::string(stylesheet()), "text/css; charset=utf-8");
    res.set_header("Cache-Control", "public, max-age=31536000, immutable");
    res.set_header("ETag", etag);
    co_return res;
  }

  // JSON API ---------------------------------------------------------------------------------

  // GET /api/publish/v1/editions
  http::awaitable<response> api_editions(request&) const {
    auto work = [&](db::connection&, pqxx::work& tx) { return editions(tx); };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // GET /api/publish/v1/editions/{slug}
  http::awaitable<response> api_edition(request& req) const {
    const auto slug = req.param("slug");
    auto work = [&](db::connection&, pqxx::work& tx) { return edition(tx, slug); };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /api/publish/v1/cases/{slug}/{reference}[/versions/{number}]
  http::awaitable<response> api_case(request& req) const {
    const int number = version_number(req);
    auto v = co_await requested_version(req);
    json out = v["record"];
    out["is_current"] = v["is_current"];
    out["current_path"] = v["current_path"];
    out["versions"] = v["versions"];
    out["sha256"] = v["sha256"];
    auto res = response::json(out);
    res.set_header("ETag", "\"" + v["sha256"].get<std::string>() + "\"");
    res.set_header("Cache-Control", number > 0 ? "public, max-age=31536000, immutable" : "public, max-age=300");
    co_return res;
  }

  // GET /api/publish/v1/search: the same query within five seconds gets the same answer.
  http::awaitable<response> api_search(request& req) const {
    if (auto hit = cache->get(std::string(req.target))) co_return std::move(*hit);
    const auto q = search_request(req);
    auto work = [&](db::connection&, pqxx::work& tx) { return search(tx, q); };
    auto res = response::json(co_await db::transact(ctx.db, std::move(work)));
    res.set_header("Cache-Control", "public, max-age=5");
    cache->put(std::string(req.target), res, std::chrono::milliseconds(5000));
    co_return res;
  }
};

}  // namespace

void add_site_routes(http::router& routes, service::context& ctx) {
  site::load_templates(site_files());
  auto add = http::route_adder(routes, std::make_shared<pages>(pages{ctx}));
  add(method::get, "/", "publish.site.home", access::anyone, &pages::home, 0);
  add(method::get, "/editions", "publish.site.editions", access::anyone, &pages::editions_page, 0);
  add(method::get, "/editions/{slug}", "publish.site.edition", access::anyone, &pages::edition_page, 0);
  add(method::get, "/cases/{slug}/{reference}", "publish.site.case", access::anyone, &pages::case_page, 0);
  add(method::get, "/cases/{slug}/{reference}/versions/{number}", "publish.site.case_version", access::anyone, &pages::case_page, 0);
  add(method::get, "/cases/{slug}/{reference}/files/{id}", "publish.site.file", access::anyone, &pages::file, 0);
  add(method::get, "/search", "publish.site.search", access::anyone, &pages::search_page, 0);
  add(method::get, "/static/site.css", "publish.site.stylesheet", access::anyone, &pages::css, 0);
  const std::string p = "/api/publish/v1";
  add(method::get, p + "/editions", "publish.editions.list", access::anyone, &pages::api_editions, 0);
  add(method::get, p + "/editions/{slug}", "publish.editions.get", access::anyone, &pages::api_edition, 0);
  add(method::get, p + "/cases/{slug}/{reference}", "publish.cases.get", access::anyone, &pages::api_case, 0);
  add(method::get, p + "/cases/{slug}/{reference}/versions/{number}", "publish.cases.version", access::anyone, &pages::api_case, 0);
  add(method::get, p + "/search", "publish.search", access::anyone, &pages::api_search, 0);
}

}  // namespace casecall::publish
