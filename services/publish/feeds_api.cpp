#include "publish/feeds_api.hpp"

#include "db/await.hpp"
#include "http/blocking.hpp"
#include "http/handler_util.hpp"
#include "identity/crypto.hpp"
#include "log/log.hpp"
#include "publish/domain/atom.hpp"
#include "publish/domain/collection.hpp"
#include "publish/domain/oai.hpp"
#include "publish/domain/xml.hpp"
#include "publish/domain/zip.hpp"
#include "publish/edition_names.hpp"
#include "publish/site/labels.hpp"
#include "publish/site/render.hpp"
#include "publish/tools.hpp"
#include "service/peer.hpp"
#include "text/names.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

namespace casecall::publish {

const std::vector<std::pair<std::string_view, std::string_view>>& site_files();

namespace {

using json = nlohmann::json;
using http::access;
using http::method;
using http::request;
using http::response;

constexpr const char* iso_seconds = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

std::string in_english(const json& texts) { return collection::in_language(texts, "en"); }

std::string summary_of(const json& record) {
  std::string text = record["sections"].empty() ? std::string() : record["sections"][0]["text"].get<std::string>();
  if (text.size() > 600) {
    auto cut = text.rfind(' ', 600);
    text = text.substr(0, cut == std::string::npos ? 600 : cut) + " …";
  }
  return text;
}

// The host of the public URL, for OAI identifiers (oai:<host>:<edition>/<reference>).
std::string host_of(const std::string& url) {
  auto start = url.find("://");
  auto host = start == std::string::npos ? url : url.substr(start + 3);
  host = host.substr(0, host.find('/'));
  return host.substr(0, host.find(':'));
}

// The current versions, as OAI-PMH sees the collection.
class oai_store : public oai::store {
 public:
  oai_store(pqxx::work& tx, std::string public_url)
      : tx_(tx), url_(std::move(public_url)), host_(host_of(url_)), names_(load_edition_names(tx)) {}

  std::vector<oai::set_info> sets() override {
    std::vector<oai::set_info> out{{"edition", "Editions"}, {"theme", "Themes"}};
    for (const auto& row : tx_.exec("SELECT e.slug, e.title::text FROM publish.editions e "
                                    "WHERE EXISTS (SELECT 1 FROM publish.search s WHERE s.edition_id = e.id) ORDER BY e.slug")) {
      out.push_back({"edition:" + row[0].as<std::string>(), in_english(json::parse(row[1].c_str()))});
    }
    for (const auto& row : tx_.exec("SELECT DISTINCT t FROM publish.search, unnest(themes) t ORDER BY t")) {
      const auto id = row[0].as<std::string>();
      out.push_back({"theme:" + id, names_.theme(id, "en").value_or(id)});
    }
    return out;
  }

  std::optional<oai::record> get(const std::string& identifier) override {
    const std::string prefix = "oai:" + host_ + ":";
    if (identifier.rfind(prefix, 0) != 0) return std::nullopt;
    const auto local = identifier.substr(prefix.size());
    const auto slash = local.find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto rows = tx_.exec_params(select() + " WHERE s.edition_slug = $1 AND s.reference = $2", local.substr(0, slash), local.substr(slash + 1));
    if (rows.empty()) return std::nullopt;
    return to_record(rows[0]);
  }

  oai::page list(const oai::list_query& q, std::size_t offset, std::size_t limit) override {
    const std::string where =
        " WHERE ($1::text IS NULL OR date_trunc('second', s.published_at) >= $1::timestamptz) "
        "AND ($2::text IS NULL OR date_trunc('second', s.published_at) <= $2::timestamptz) "
        "AND ($3::text IS NULL OR $3 = 'edition' OR $3 = 'theme' OR ('edition:' || s.edition_slug) = $3 "
        "OR $3 = ANY(SELECT 'theme:' || t FROM unnest(s.themes) t))";
    oai::page out;
    out.complete_size = tx_.exec_params("SELECT count(*) FROM publish.search s" + where, q.from, q.until, q.set)[0][0].as<std::size_t>();
    for (const auto& row : tx_.exec_params(select() + where +
                                               " ORDER BY date_trunc('second', s.published_at), s.edition_slug, s.reference "
                                               "LIMIT $4 OFFSET $5",
                                           q.from, q.until, q.set, static_cast<long>(limit), static_cast<long>(offset))) {
      out.records.push_back(to_record(row));
    }
    return out;
  }

 private:
  static std::string select() {
    return std::string("SELECT v.record::text, to_char(s.published_at AT TIME ZONE 'UTC', ") + iso_seconds +
           ") FROM publish.search s JOIN publish.versions v ON (v.edition_id, v.reference, v.number) = "
           "(s.edition_id, s.reference, s.number)";
  }

  oai::record to_record(const pqxx::row& row) const {
    const auto r = json::parse(row[0].c_str());
    const auto slug = r["edition"]["slug"].get<std::string>();
    const auto language = r["language"].get<std::string>();
    oai::record out;
    out.identifier = "oai:" + host_ + ":" + slug + "/" + r["reference"].get<std::string>();
    out.datestamp = row[1].as<std::string>();
    out.sets.push_back("edition:" + slug);
    for (const auto& t : r["themes"]) out.sets.push_back("theme:" + t.get<std::string>());
    out.title.push_back({r["title"].get<std::string>(), language});
    for (const auto& [lang, fields] : r["translations"].items()) {
      if (fields.contains("title") && fields["title"].is_object()) out.title.push_back({fields["title"]["text"].get<std::string>(), lang});
    }
    for (const auto& a : r["authors"]) out.creator.push_back({a.get<std::string>(), ""});
    // Each theme by the names its call gave it, in each of their languages; else by its id.
    for (const auto& t : r["themes"]) {
      const auto& names = names_.vocabulary["theme"].value(t.get<std::string>(), json::object());
      if (names.empty()) out.subject.push_back({t.get<std::string>(), ""});
      for (const auto& [lang, name] : names.items()) out.subject.push_back({name.get<std::string>(), lang});
    }
    if (const auto text = summary_of(r); !text.empty()) out.description.push_back({text, language});
    out.publisher.push_back({std::string(site::label("site_name", "en")), "en"});
    out.date.push_back({r["published_at"].get<std::string>().substr(0, 10), ""});
    out.type.push_back({"Text", ""});
    out.format.push_back({"text/html", ""});
    out.identifier_dc.push_back({url_ + r["path"].get<std::string>(), ""});
    out.identifier_dc.push_back({r["reference"].get<std::string>(), ""});
    out.language.push_back({language, ""});
    out.relation.push_back({url_ + "/editions/" + slug, ""});
    if (r["country"].is_string()) {
      out.coverage.push_back({r["country"].get<std::string>(), ""});  // ISO 3166-1
      out.coverage.push_back({text::country_name(r["country"].get<std::string>(), "en"), "en"});
    }
    return out;
  }

  pqxx::work& tx_;
  std::string url_;
  std::string host_;
  edition_names names_;
};

// One CSV field (RFC 4180), with a leading apostrophe before what a spreadsheet would take for
// a formula.
std::string csv_field(const json& v) {
  std::string text = v.is_null() ? std::string() : v.is_string() ? v.get<std::string>() : v.dump();
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r')) {
    text = "'" + text;
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// An edition's published cases (current versions), as records, in ranking order.
std::optional<json> edition_export(pqxx::work& tx, const std::string& slug) {
  auto e = tx.exec_params("SELECT id, title::text, description::text FROM publish.editions WHERE slug = $1", slug);
  if (e.empty()) return std::nullopt;
  json cases = json::array();
  for (const auto& row : tx.exec_params(
           "SELECT v.record::text, v.sha256 FROM publish.search s JOIN publish.versions v ON (v.edition_id, v.reference, v.number) = "
           "(s.edition_id, s.reference, s.number) WHERE s.edition_id = $1 ORDER BY (v.record->>'rank')::int NULLS LAST, s.reference",
           e[0][0].as<std::string>())) {
    auto r = json::parse(row[0].c_str());
    r["sha256"] = row[1].as<std::string>();
    cases.push_back(std::move(r));
  }
  if (cases.empty()) return std::nullopt;
  return json{{"format", "casecall-edition-export/1"},
              {"edition", {{"slug", slug}, {"title", json::parse(e[0][1].c_str())}, {"description", json::parse(e[0][2].c_str())}}},
              {"cases", cases}};
}

std::string edition_csv(const json& exported, const std::string& public_url) {
  std::string out = "\xef\xbb\xbfreference,title,language,country,region,themes,organisation,authors,version,published_at,url\r\n";
  for (const auto& r : exported["cases"]) {
    std::string themes;
    for (const auto& t : r["themes"]) themes += (themes.empty() ? "" : ";") + t.get<std::string>();
    std::string authors;
    for (const auto& a : r["authors"]) authors += (authors.empty() ? "" : "; ") + a.get<std::string>();
    for (const auto& field : {r["reference"], r["title"], r["language"], r["country"], r["region"], json(themes),
                              r["organisation"]["name"], json(authors), r["number"], r["published_at"],
                              json(public_url + r["path"].get<std::string>())}) {
      out += csv_field(field) + ",";
    }
    out.back() = '\r';
    out += "\n";
  }
  return out;
}

// Prints `html` (with its stylesheet beside it) to PDF with headless Chromium; throws
// std::runtime_error when Chromium fails or takes over 120 s.
std::string print_pdf(const std::string& html, std::string_view css) {
  const scratch_dir dir("casecall-casebook");
  std::ofstream(dir.path() / "casebook.html") << html;
  std::ofstream(dir.path() / "casebook.css") << css;
  const auto pdf = dir.path() / "casebook.pdf";
  const bool printed = run_tool({"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                 "--user-data-dir=" + (dir.path() / "profile").string(), "--print-to-pdf=" + pdf.string(),
                                 "file://" + (dir.path() / "casebook.html").string()},
                                120);
  auto bytes = read_file(pdf);
  if (!printed || bytes.rfind("%PDF", 0) != 0) throw std::runtime_error("chromium did not print the casebook");
  return bytes;
}

struct feeds {
  service::context& ctx;
  std::shared_ptr<http::blocking_pool> blocking = std::make_shared<http::blocking_pool>(2);

  http::awaitable<json> exported(request& req) const {
    const auto slug = req.param("slug");
    auto work = [&](db::connection&, pqxx::work& tx) { return edition_export(tx, slug); };
    auto out = co_await db::transact(ctx.db, std::move(work));
    if (!out) http::not_found();
    co_return std::move(*out);
  }

  static response download(std::string body, std::string type, const std::string& filename) {
    auto res = response::text(std::move(body), std::move(type));
    res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    res.set_header("Cache-Control", "public, max-age=300");
    res.set_header("X-Content-Type-Options", "nosniff");
    return res;
  }

  // GET /editions/{slug}/casebook.pdf: the edition printed, a title page and each case from a
  // new page, made by headless Chromium once per state of the edition.
  http::awaitable<response> casebook(request& req) const {
    auto out = co_await exported(req);
    const auto slug = out["edition"]["slug"].get<std::string>();
    const auto asked = req.query_param("lang");
    const auto lang = std::string(site::reader_language(asked ? std::optional<std::string_view>(*asked) : std::nullopt,
                                                        req.header("Accept-Language")));
    std::string stamp = lang;
    for (const auto& r : out["cases"]) stamp += r["sha256"].get<std::string>();
    stamp = identity::sha256_hex(stamp);
    static std::mutex cache_mutex;
    static std::map<std::string, std::pair<std::string, std::string>> cache;  // slug|language → stamp, PDF
    const auto key = slug + "|" + lang;
    std::string pdf;
    {
      const std::lock_guard lock(cache_mutex);
      auto it = cache.find(key);
      if (it != cache.end() && it->second.first == stamp) pdf = it->second.second;
    }
    if (pdf.empty()) {
      json cases = json::array();
      for (const auto& r : out["cases"]) {
        json sections = json::array();
        for (const auto& sec : r["sections"]) {
          // Each case is printed in its own language, its headings too.
          sections.push_back({{"heading", collection::in_language(sec["heading"], r["language"].get<std::string>())},
                              {"paragraphs", collection::paragraphs(sec["text"].get<std::string>())}});
        }
        std::string credit = r["organisation"]["name"].get<std::string>();
        for (const auto& a : r["credit"]["co_authors"]) credit += ", " + a["name"].get<std::string>();
        cases.push_back({{"reference", r["reference"]}, {"title", r["title"]}, {"language", r["language"]},
                         {"dir", std::string(site::direction(r["language"].get<std::string>()))},
                         {"country", r["country"].is_string() ? r["country"] : json("")}, {"credit", credit},
                         {"sections", sections}, {"url", absolute(r["path"].get<std::string>())}});
      }
      // The title page in the reader's language.
      const json view = {{"lang", lang},
                         {"dir", std::string(site::direction(lang))},
                         {"title", collection::in_language(out["edition"]["title"], lang)},
                         {"description", collection::paragraphs(collection::in_language(out["edition"]["description"], lang))},
                         {"cases_count", std::string(site::label("cases", lang)) + ": " + std::to_string(cases.size())},
                         {"published_at", out["cases"][0]["published_at"].get<std::string>().substr(0, 10)},
                         {"cases", cases}};
      const auto html = site::render_document("casebook", view);
      std::string_view css;
      for (const auto& [name, text] : site_files()) {
        if (name == "casebook.css") css = text;
      }
      std::string error;
      auto print = [&pdf, &error, &html, css] {
        try {
          pdf = print_pdf(html, css);
        } catch (const std::exception& e) {
          error = e.what();
        }
      };
      co_await blocking->run(print);
      if (!error.empty()) {
        log::error("casebook not printed", {{"edition", slug}, {"error", error}});
        http::fail(503, "casebook_unavailable", "Casebook unavailable", "The casebook could not be printed just now; try again later.");
      }
      const std::lock_guard lock(cache_mutex);
      cache[key] = {stamp, pdf};
    }
    auto res = download(std::move(pdf), "application/pdf", slug + "-casebook" + (lang == "en" ? "" : "-" + lang) + ".pdf");
    res.set_header("ETag", "\"" + stamp.substr(0, 32) + "\"");
    res.set_header("Vary", "Accept-Language");
    co_return res;
  }

  // GET /api/publish/v1/editions/{slug}/export.json
  http::awaitable<response> export_json(request& req) const {
    auto out = co_await exported(req);
    co_return download(out.dump(2), "application/json", out["edition"]["slug"].get<std::string>() + ".json");
  }

  // GET /api/publish/v1/editions/{slug}/export.csv
  http::awaitable<response> export_csv(request& req) const {
    auto out = co_await exported(req);
    co_return download(edition_csv(out, ctx.config.auth.public_url), "text/csv; charset=utf-8",
                       out["edition"]["slug"].get<std::string>() + ".csv");
  }

  // GET /api/publish/v1/editions/{slug}/export.zip: the JSON, the CSV, every public file (from
  // intake, checked against its SHA-256) and manifest.json with each file's size and SHA-256.
  http::awaitable<response> export_zip(request& req) const {
    auto out = co_await exported(req);
    const auto slug = out["edition"]["slug"].get<std::string>();
    std::vector<std::pair<std::string, std::string>> files = {{"cases.json", out.dump(2)},
                                                              {"cases.csv", edition_csv(out, ctx.config.auth.public_url)}};
    for (const auto& r : out["cases"]) {
      json wanted = r["files"];
      for (const auto& p : r["photos"]) wanted.push_back(p);
      std::set<std::string> done;
      for (const auto& f : wanted) {
        const auto id = f["id"].get<std::string>();
        if (!done.insert(id).second) continue;
        const auto temp = (std::filesystem::temp_directory_path() / ("casecall-publish-" + identity::random_token())).string();
        service::peer_response got;
        auto fetch = [&got, url = ctx.config.auth.intake_url + "/internal/v1/attachments/" + id, token = ctx.config.auth.service_token,
                      temp] { got = service::get_to_file(url, token, temp); };
        co_await blocking->run(fetch);
        std::string bytes;
        if (got.status == 200) {
          std::ifstream in(temp, std::ios::binary);
          std::stringstream buffer;
          buffer << in.rdbuf();
          bytes = buffer.str();
        }
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        if (got.status != 200 || identity::sha256_hex(bytes) != f["sha256"].get<std::string>()) {
          log::error("public file not fetched", {{"attachment_id", id}, {"status", got.status}, {"error", got.error}});
          http::fail(502, "upstream_unavailable", "Another service did not answer",
                     "A public file of the edition could not be read from intake just now; try again.");
        }
        auto name = f["filename"].get<std::string>();
        for (auto& c : name) {
          if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
        }
        if (name.find("..") != std::string::npos || name.empty()) name = id;
        files.emplace_back("files/" + r["reference"].get<std::string>() + "/" + name, std::move(bytes));
      }
    }
    json manifest = {{"edition", slug}, {"format", "casecall-edition-bundle/1"}, {"files", json::array()}};
    zip::writer archive;
    for (const auto& [name, bytes] : files) {
      manifest["files"].push_back({{"path", name}, {"size", bytes.size()}, {"sha256", identity::sha256_hex(bytes)}});
      archive.add(slug + "/" + name, bytes);
    }
    archive.add(slug + "/manifest.json", manifest.dump(2));
    co_return download(archive.finish(), "application/zip", slug + ".zip");
  }

  std::string absolute(const std::string& path) const { return ctx.config.auth.public_url + path; }

  // An Atom feed of the current versions, newest first: the whole collection or an edition.
  http::awaitable<response> feed(request& req) const {
    const bool one = req.path != "/feed.atom";
    const auto slug = one ? req.param("slug") : std::string();
    auto work = [&](db::connection&, pqxx::work& tx) -> std::optional<std::string> {
      const std::string site_name(site::label("site_name", "en"));
      std::string title = site_name;
      if (one) {
        auto e = tx.exec_params(
            "SELECT e.title::text FROM publish.editions e WHERE e.slug = $1 "
            "AND EXISTS (SELECT 1 FROM publish.search s WHERE s.edition_id = e.id)",
            slug);
        if (e.empty()) return std::nullopt;
        title = in_english(json::parse(e[0][0].c_str())) + " — " + site_name;
      }
      atom::feed f;
      const auto self = one ? "/editions/" + slug + "/feed.atom" : std::string("/feed.atom");
      f.id = absolute(self);
      f.title = {title, "en"};
      f.authors.push_back({site_name, absolute("/")});
      const auto names = load_edition_names(tx);
      f.links.push_back({absolute(self), "self", "application/atom+xml", "", ""});
      f.links.push_back({absolute(one ? "/editions/" + slug : "/"), "alternate", "text/html", "", ""});
      f.updated = "2020-01-01T00:00:00Z";
      for (const auto& row : tx.exec_params(
               std::string("SELECT v.record::text, to_char(s.published_at AT TIME ZONE 'UTC', ") + iso_seconds +
                   "), to_char(first.published_at AT TIME ZONE 'UTC', " + iso_seconds +
                   ") FROM publish.search s JOIN publish.versions v ON (v.edition_id, v.reference, v.number) = "
                   "(s.edition_id, s.reference, s.number) JOIN publish.versions first ON (first.edition_id, first.reference, "
                   "first.number) = (s.edition_id, s.reference, 1) WHERE $1 = '' OR s.edition_slug = $1 "
                   "ORDER BY s.published_at DESC, s.reference LIMIT 100",
               slug)) {
        const auto r = json::parse(row[0].c_str());
        atom::entry e;
        e.id = absolute(r["path"].get<std::string>());
        e.title = {r["title"].get<std::string>(), r["language"].get<std::string>()};
        e.updated = row[1].as<std::string>();
        e.published = row[2].as<std::string>();
        for (const auto& a : r["authors"]) e.authors.push_back({a.get<std::string>(), ""});
        e.links.push_back({absolute(r["path"].get<std::string>()), "alternate", "text/html", r["language"].get<std::string>(), ""});
        e.summary = {summary_of(r), r["language"].get<std::string>()};
        for (const auto& t : r["themes"]) e.categories.push_back({t.get<std::string>(), names.theme(t.get<std::string>(), "en").value_or(""), ""});
        if (f.updated < e.updated) f.updated = e.updated;
        f.entries.push_back(std::move(e));
      }
      return atom::render(f);
    };
    auto xml = co_await db::transact(ctx.db, std::move(work));
    if (!xml) http::not_found();
    auto res = response::text(std::move(*xml), "application/atom+xml; charset=utf-8");
    res.set_header("Cache-Control", "public, max-age=300");
    co_return res;
  }

  // GET and POST /oai: OAI-PMH 2.0.
  http::awaitable<response> oai_pmh(request& req) const {
    const std::string raw = req.verb == method::post ? req.body : std::string(req.query);
    const auto args = oai::parse_arguments(raw);
    oai::repository repo{std::string(site::label("site_name", "en")), absolute("/oai"), ctx.config.mail.support_address,
                         "2020-01-01T00:00:00Z"};
    const auto public_url = ctx.config.auth.public_url;
    auto work = [&](db::connection&, pqxx::work& tx) {
      oai_store store(tx, public_url);
      const auto now = tx.exec1(std::string("SELECT to_char(now() AT TIME ZONE 'UTC', ") + iso_seconds + ")")[0].as<std::string>();
      return oai::respond(repo, store, args, {100, now});
    };
    auto xml = co_await db::transact(ctx.db, std::move(work));
    co_return response::text(std::move(xml), "text/xml; charset=utf-8");
  }

  // GET /sitemap.xml: the home page, the editions and every case's current page.
  http::awaitable<response> sitemap(request&) const {
    auto work = [&](db::connection&, pqxx::work& tx) {
      std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
      auto url = [&](const std::string& path, const std::string& lastmod) {
        xml += "  <url><loc>" + xml::escaped(absolute(path)) + "</loc>" + (lastmod.empty() ? "" : "<lastmod>" + lastmod + "</lastmod>") + "</url>\n";
      };
      url("/", "");
      url("/editions", "");
      for (const auto& row : tx.exec("SELECT DISTINCT edition_slug FROM publish.search ORDER BY 1")) url("/editions/" + row[0].as<std::string>(), "");
      for (const auto& row : tx.exec(std::string("SELECT edition_slug, reference, to_char(published_at AT TIME ZONE 'UTC', ") + iso_seconds +
                                     ") FROM publish.search ORDER BY edition_slug, reference")) {
        url("/cases/" + row[0].as<std::string>() + "/" + row[1].as<std::string>(), row[2].as<std::string>());
      }
      return xml + "</urlset>\n";
    };
    auto res = response::text(co_await db::transact(ctx.db, std::move(work)), "application/xml; charset=utf-8");
    res.set_header("Cache-Control", "public, max-age=3600");
    co_return res;
  }
};

}  // namespace

void add_feed_routes(http::router& routes, service::context& ctx) {
  // What Identify would say, checked once: a bad public URL or support address stops the start.
  oai::check({"casecall: Best practices in poverty reduction", ctx.config.auth.public_url + "/oai", ctx.config.mail.support_address,
              "2020-01-01T00:00:00Z"});
  auto add = http::route_adder(routes, std::make_shared<feeds>(feeds{ctx}));
  add(method::get, "/feed.atom", "publish.feeds.all", access::anyone, &feeds::feed, 0);
  add(method::get, "/editions/{slug}/feed.atom", "publish.feeds.edition", access::anyone, &feeds::feed, 0);
  add(method::get, "/oai", "publish.oai.get", access::anyone, &feeds::oai_pmh, 0);
  add(method::post, "/oai", "publish.oai.post", access::anyone, &feeds::oai_pmh, 64 * 1024);
  add(method::get, "/sitemap.xml", "publish.sitemap", access::anyone, &feeds::sitemap, 0);
  const std::string p = "/api/publish/v1/editions/{slug}";
  add(method::get, p + "/export.json", "publish.exports.json", access::anyone, &feeds::export_json, 0);
  add(method::get, p + "/export.csv", "publish.exports.csv", access::anyone, &feeds::export_csv, 0);
  add(method::get, p + "/export.zip", "publish.exports.zip", access::anyone, &feeds::export_zip, 0);
  add(method::get, "/editions/{slug}/casebook.pdf", "publish.casebook", access::anyone, &feeds::casebook, 0);
}

}  // namespace casecall::publish
