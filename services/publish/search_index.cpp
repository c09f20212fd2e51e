#include "publish/search_index.hpp"

#include "publish/domain/collection.hpp"

namespace casecall::publish {

namespace {

using json = nlohmann::json;

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

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

// The query's words as one tsquery text: each language's reading of them (a query does not say
// its language), the same reading once, joined by |; then the Chinese and Japanese phrases, with
// &. Null when the query holds no lexeme at all ("!!!").
std::optional<std::string> match_query(pqxx::work& tx, const collection::query_plan& plan) {
  std::optional<std::string> words;
  if (!plan.words.empty()) {
    auto row = tx.exec_params1(
        "SELECT string_agg('(' || q || ')', ' | ' ORDER BY q) FROM (SELECT DISTINCT websearch_to_tsquery(c::regconfig, $1)::text AS q "
        "FROM unnest(ARRAY['english', 'french', 'spanish', 'arabic', 'russian', 'simple']) c) x WHERE q <> ''",
        plan.words);
    if (row[0].is_null()) return std::nullopt;
    words = row[0].as<std::string>();
  }
  if (words && !plan.cjk.empty()) return "(" + *words + ") & (" + plan.cjk + ")";
  return words ? words : std::optional(plan.cjk);
}

// A facet's filter as a column of the matching rows: true where the row passes it (or it is
// not asked for). $3.. in facet_columns() order.
std::string filter_column(const std::string& column, int parameter) {
  const auto p = "$" + std::to_string(parameter);
  return "(" + p + "::text IS NULL OR " + (column == "themes" ? p + " = ANY(s.themes)" : "s." + column + " = " + p) + ")";
}

}  // namespace

// One statement: the rows the text matches, each with its rank and whether it passes each
// filter, are read once (the document, a TOASTed tsvector, is the costly part); the total, the
// page and every facet's counts come from them.
json search(pqxx::work& tx, const search_query& q) {
  const auto plan = collection::plan_query(q.q);
  const auto matched = match_query(tx, plan);
  const bool asked = !plan.words.empty() || !plan.cjk.empty();
  std::vector<std::optional<std::string>> f;
  for (const auto& [name, column] : facet_columns()) {
    auto it = q.filters.find(name);
    f.push_back(it == q.filters.end() ? std::nullopt : std::optional(it->second));
  }
  // Postgres wants every parameter given to be used: $1 and $2 are named even where unneeded.
  const std::string condition = !asked ? "$1::text IS NOT NULL" : !matched ? "$1::text IS NULL" : "s.document @@ $1::tsquery";
  std::string columns;
  std::vector<std::string> passes;  // f0 … f5
  int parameter = 3;
  for (const auto& [name, column] : facet_columns()) {
    passes.push_back("f" + std::to_string(passes.size()));
    columns += ", " + filter_column(column, parameter++) + " AS " + passes.back();
  }
  auto all_but = [&](std::size_t skip) {
    std::string out = "TRUE";
    for (std::size_t i = 0; i < passes.size(); ++i) {
      if (i != skip) out += " AND " + passes[i];
    }
    return out;
  };
  std::string facet_counts;
  for (std::size_t i = 0; i < facet_columns().size(); ++i) {
    const auto& [name, column] = facet_columns()[i];
    if (!facet_counts.empty()) facet_counts += " UNION ALL ";
    facet_counts += column == "themes"
                        ? "SELECT '" + name + "', t, count(*) FROM m CROSS JOIN LATERAL unnest(m.themes) t WHERE " + all_but(i) + " GROUP BY 2"
                        : "SELECT '" + name + "', m." + column + ", count(*) FROM m WHERE m." + column + " IS NOT NULL AND " + all_but(i) +
                              " GROUP BY 2";
  }
  const std::string sql =
      "WITH m AS MATERIALIZED (SELECT s.edition_id, s.edition_slug, s.reference, s.number, s.title, s.language, s.country, s.region, "
      "s.themes, s.organisation_kind, s.published_at, " +
      std::string(asked && matched ? "ts_rank(s.document, $1::tsquery)" : "0::real") +
      " + CASE WHEN $2 = '' THEN 0 ELSE ts_rank(s.document, $2::tsquery) END AS rank" + columns +
      " FROM publish.search s WHERE " + condition + "), "
      "page AS (SELECT * FROM m WHERE " + all_but(passes.size()) +
      " ORDER BY rank DESC, published_at DESC, reference LIMIT $9 OFFSET $10) "
      "SELECT (SELECT count(*) FROM m WHERE " + all_but(passes.size()) + "), "
      "(SELECT coalesce(jsonb_agg(jsonb_build_object('edition', p.edition_slug, 'reference', p.reference, 'number', p.number, "
      "'title', p.title, 'language', p.language, 'country', p.country, 'region', p.region, 'themes', to_jsonb(p.themes), "
      "'organisation_kind', p.organisation_kind, "
      "'published_at', to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'score', p.rank, "
      "'snippet', (SELECT ts_headline(publish.text_config(p.language), "
      "coalesce((SELECT string_agg(x->>'text', ' ') FROM jsonb_array_elements(v.record->'sections') x), ''), " +
      std::string(asked && matched ? "$1::tsquery" : "''::tsquery") +
      ", 'StartSel=\xee\x80\x80, StopSel=\xee\x80\x81, MaxWords=35, MinWords=15, MaxFragments=2') "
      "FROM publish.versions v WHERE v.edition_id = p.edition_id AND v.reference = p.reference AND v.number = p.number)) "
      "ORDER BY p.rank DESC, p.published_at DESC, p.reference), '[]')::text FROM page p), "
      "(SELECT coalesce(jsonb_object_agg(name, counts), '{}')::text FROM (SELECT name, jsonb_agg(jsonb_build_object('value', value, "
      "'count', n) ORDER BY n DESC, value) AS counts FROM (" + facet_counts + ") c (name, value, n) GROUP BY name) x)";
  const auto row = tx.exec_params1(sql, matched.value_or(""), plan.cjk_ranking, f[0], f[1], f[2], f[3], f[4], f[5], q.per_page,
                                   (q.page - 1) * q.per_page);
  json items = json::parse(row[1].c_str());
  for (auto& item : items) {
    item["snippet"] = snippet_parts(item["snippet"].is_string() ? item["snippet"].get<std::string>() : std::string());
    item["path"] = "/cases/" + item["edition"].get<std::string>() + "/" + item["reference"].get<std::string>();
  }
  const auto counted = json::parse(row[2].c_str());
  json facets = json::object();
  for (const auto& [name, column] : facet_columns()) facets[name] = counted.contains(name) ? counted[name] : json::array();
  return {{"total", row[0].as<int>()}, {"page", q.page}, {"per_page", q.per_page}, {"items", items}, {"facets", facets}};
}

}  // namespace casecall::publish
