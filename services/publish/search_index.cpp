#include "publish/search_index.hpp"

#include "publish/domain/collection.hpp"

namespace casecall::publish {

namespace {

using json = nlohmann::json;

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

// The query as a tsquery: the words under every language's stemming (a query does not say its
// language), and the Chinese and Japanese runs as phrases of bigrams; both when both are given.
// The runs' ICU words only rank (collection::query_plan).
constexpr const char* tsquery_sql =
    "(CASE WHEN $1 = '' THEN NULL ELSE websearch_to_tsquery('english', $1) || websearch_to_tsquery('french', $1) || "
    "websearch_to_tsquery('spanish', $1) || websearch_to_tsquery('arabic', $1) || websearch_to_tsquery('russian', $1) || "
    "websearch_to_tsquery('simple', $1) END)";

// A snippet's text split at the highlight markers ts_headline was given.
json snippet_parts(const std::string& text) {
  static const std::string start = "\xee\x80\x80";  // U+E000
  static const std::string stop = "\xee\x80\x81";   // U+E001
  json parts = json::array();
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find(start, at);
    if (open == std::string::npos) {
      parts.push_back({{"text", text.substr(at)}, {"hit", false}});
      break;
    }
    if (open > at) parts.push_back({{"text", text.substr(at, open - at)}, {"hit", false}});
    auto close = text.find(stop, open + start.size());
    if (close == std::string::npos) close = text.size();
    parts.push_back({{"text", text.substr(open + start.size(), close - open - start.size())}, {"hit", true}});
    at = close == text.size() ? close : close + stop.size();
  }
  return parts;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& facet_columns() {
  static const std::vector<std::pair<std::string, std::string>> facets = {
      {"country", "country"},   {"region", "region"},       {"theme", "themes"},
      {"organisation_kind", "organisation_kind"}, {"edition", "edition_slug"}, {"language", "language"}};
  return facets;
}

void index_version(pqxx::work& tx, const std::string& edition_id, const json& record) {
  const auto language = record.value("language", std::string("en"));
  const auto reference = record["reference"].get<std::string>();
  std::string body;
  std::string all_text = text_of(record["title"]);
  const auto sections = record.value("sections", json::array());
  const auto translations = record.value("translations", json::object());
  for (const auto& s : sections) {
    body += text_of(s["text"]) + "\n";
    all_text += "\n" + text_of(s["text"]);
  }
  std::vector<std::pair<std::string, std::string>> translated;  // language, text
  for (const auto& [lang, fields] : translations.items()) {
    std::string text;
    for (const auto& [field, value] : fields.items()) text += text_of(value.is_object() ? value.value("text", json()) : value) + "\n";
    translated.emplace_back(lang, text);
    all_text += "\n" + text;
  }
  const auto& org = record.value("organisation", json::object());
  auto optional_text = [](const json& v) { return v.is_string() ? std::optional(v.get<std::string>()) : std::nullopt; };
  tx.exec_params(
      "INSERT INTO publish.search (edition_id, reference, number, edition_slug, language, country, region, themes, "
      "organisation_kind, title, published_at, document) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, ARRAY(SELECT jsonb_array_elements_text($8::jsonb)), $9, $10, $11::timestamptz, "
      "setweight(to_tsvector(publish.text_config($5), $10), 'A') || setweight(to_tsvector(publish.text_config($5), $12), 'B') || "
      "$13::tsvector) "
      "ON CONFLICT (edition_id, reference) DO UPDATE SET number = EXCLUDED.number, language = EXCLUDED.language, "
      "country = EXCLUDED.country, region = EXCLUDED.region, themes = EXCLUDED.themes, "
      "organisation_kind = EXCLUDED.organisation_kind, title = EXCLUDED.title, published_at = EXCLUDED.published_at, "
      "document = EXCLUDED.document",
      edition_id, reference, record["number"].get<int>(), record["edition"]["slug"].get<std::string>(), language,
      optional_text(record["country"]), optional_text(record["region"]), record.value("themes", json::array()).dump(),
      optional_text(org.value("kind", json())), text_of(record["title"]), record["published_at"].get<std::string>(), body,
      collection::cjk_tsvector(all_text));
  for (const auto& [lang, text] : translated) {
    tx.exec_params(
        "UPDATE publish.search SET document = document || setweight(to_tsvector(publish.text_config($3), $4), 'C') "
        "WHERE edition_id = $1 AND reference = $2",
        edition_id, reference, lang, text);
  }
}

namespace {

// The WHERE clause of a search: the query ($1 words, $2 CJK tsquery literal) and each facet's
// filter ($3.. in facet_columns() order), all but `skip`'s. Only what is asked for becomes a
// condition on the rows (so that the GIN index serves the query); the other parameters are
// still named, as Postgres wants every one given to be used.
std::string where_clause(const std::string& skip, const collection::query_plan& plan,
                         const std::vector<std::optional<std::string>>& filters) {
  std::string sql = "WHERE " + (plan.words.empty() ? std::string("$1 = ''") : "s.document @@ " + std::string(tsquery_sql)) +
                    " AND " + (plan.cjk.empty() ? std::string("$2 = ''") : std::string("s.document @@ $2::tsquery"));
  int n = 3;
  std::size_t i = 0;
  for (const auto& [name, column] : facet_columns()) {
    const auto p = "$" + std::to_string(n++);
    const bool asked = filters[i++].has_value();
    if (name == skip || !asked) {
      sql += " AND (" + p + "::text IS NULL OR " + p + "::text IS NOT NULL)";
    } else if (column == "themes") {
      sql += " AND " + p + " = ANY(s.themes)";
    } else {
      sql += " AND s." + column + " = " + p;
    }
  }
  return sql;
}

}  // namespace

json search(pqxx::work& tx, const search_query& q) {
  const auto plan = collection::plan_query(q.q);
  std::vector<std::optional<std::string>> f;
  for (const auto& [name, column] : facet_columns()) {
    auto it = q.filters.find(name);
    f.push_back(it == q.filters.end() ? std::nullopt : std::optional(it->second));
  }
  auto run = [&](const std::string& sql, auto... extra) {
    return tx.exec_params(sql, plan.words, plan.cjk, f[0], f[1], f[2], f[3], f[4], f[5], extra...);
  };
  auto where = [&](const std::string& skip) { return where_clause(skip, plan, f); };
  const auto total = run("SELECT count(*) FROM publish.search s " + where(""))[0][0].as<int>();
  const int offset = (q.page - 1) * q.per_page;
  std::string rank = "0";
  if (!plan.words.empty()) rank += " + ts_rank(s.document, " + std::string(tsquery_sql) + ")";
  if (!plan.cjk.empty()) rank += " + ts_rank(s.document, $2::tsquery)";
  rank += " + CASE WHEN $11 = '' THEN 0 ELSE ts_rank(s.document, $11::tsquery) END";
  rank = "(" + rank + ")";
  json items = json::array();
  for (const auto& row : run(
           "SELECT s.edition_slug, s.reference, s.number, s.title, s.language, s.country, s.region, to_jsonb(s.themes)::text, "
           "s.organisation_kind, to_char(s.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " +
               rank + ", "
               "(SELECT ts_headline(publish.text_config(s.language), "
               "coalesce((SELECT string_agg(x->>'text', ' ') FROM jsonb_array_elements(v.record->'sections') x), ''), "
               "coalesce(" + std::string(tsquery_sql) + ", ''::tsquery) || CASE WHEN $2 = '' THEN ''::tsquery ELSE $2::tsquery END, "
               "'StartSel=\xee\x80\x80, StopSel=\xee\x80\x81, MaxWords=35, MinWords=15, MaxFragments=2') "
               "FROM publish.versions v WHERE v.edition_id = s.edition_id AND v.reference = s.reference AND v.number = s.number) "
               "FROM publish.search s " + where("") + " ORDER BY 11 DESC, s.published_at DESC, s.reference LIMIT $9 OFFSET $10",
           q.per_page, offset, plan.cjk_ranking)) {
    auto text = [&](int i) { return row[i].is_null() ? json(nullptr) : json(row[i].as<std::string>()); };
    items.push_back({{"edition", row[0].as<std::string>()},
                     {"reference", row[1].as<std::string>()},
                     {"number", row[2].as<int>()},
                     {"title", row[3].as<std::string>()},
                     {"language", row[4].as<std::string>()},
                     {"country", text(5)},
                     {"region", text(6)},
                     {"themes", json::parse(row[7].c_str())},
                     {"organisation_kind", text(8)},
                     {"published_at", row[9].as<std::string>()},
                     {"score", row[10].as<double>()},
                     {"snippet", snippet_parts(row[11].is_null() ? "" : row[11].as<std::string>())},
                     {"path", "/cases/" + row[0].as<std::string>() + "/" + row[1].as<std::string>()}});
  }
  json facets = json::object();
  for (const auto& [name, column] : facet_columns()) {
    const std::string value = column == "themes" ? "t" : "s." + column;
    const std::string from = column == "themes" ? "publish.search s CROSS JOIN LATERAL unnest(s.themes) t" : "publish.search s";
    json values = json::array();
    for (const auto& row : run("SELECT " + value + ", count(*) FROM " + from + " " + where(name) + " AND " + value +
                               " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1")) {
      values.push_back({{"value", row[0].as<std::string>()}, {"count", row[1].as<int>()}});
    }
    facets[name] = values;
  }
  return {{"total", total}, {"page", q.page}, {"per_page", q.per_page}, {"items", items}, {"facets", facets}};
}

}  // namespace casecall::publish
