#include "publish/domain/collection.hpp"

#include "text/count.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

namespace casecall::publish::collection {

using json = nlohmann::json;

namespace {

// One code point and its bytes; malformed bytes come one at a time as U+FFFD.
struct glyph {
  char32_t cp;
  std::string_view bytes;
};

std::vector<glyph> decode(std::string_view s) {
  std::vector<glyph> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back({U'\uFFFD', s.substr(i, 1)});
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = true;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) ok = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      out.push_back({U'\uFFFD', s.substr(i, 1)});
      ++i;
      continue;
    }
    out.push_back({cp, s.substr(i, n)});
    i += n;
  }
  return out;
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2EBEF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x3040 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF);
}

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0; }

// The runs of CJK characters of a text, each as its characters' bytes.
std::vector<std::vector<std::string>> cjk_runs(std::string_view text) {
  std::vector<std::vector<std::string>> runs;
  std::vector<std::string> run;
  for (const auto& g : decode(text)) {
    if (is_cjk(g.cp)) {
      run.emplace_back(g.bytes);
    } else if (!run.empty()) {
      runs.push_back(std::move(run));
      run.clear();
    }
  }
  if (!run.empty()) runs.push_back(std::move(run));
  return runs;
}

std::vector<std::string> bigrams_of(const std::vector<std::string>& run) {
  std::vector<std::string> out;
  if (run.size() == 1) out.push_back(run[0]);
  for (std::size_t i = 0; i + 1 < run.size(); ++i) out.push_back(run[i] + run[i + 1]);
  return out;
}

// The ICU words of two characters or more in a run, each with the index of its first
// character in the run, marked as cjk_words() says.
std::vector<std::pair<std::size_t, std::string>> words_of(const std::vector<std::string>& run) {
  std::string text;
  for (const auto& c : run) text += c;
  std::vector<std::pair<std::size_t, std::string>> out;
  for (const auto& span : text::word_spans(text)) {
    if (span.length < 2 || span.start + span.length > run.size()) continue;
    std::string word = "~";
    for (std::size_t i = span.start; i < span.start + span.length; ++i) word += run[i];
    out.emplace_back(span.start, std::move(word));
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// A tsquery lexeme, quoted: '…' with quotes and backslashes doubled.
std::string lexeme(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

// Words, spaces and single CJK characters, in order.
std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  int kind = -1;  // 0 word, 1 space
  for (const auto& g : decode(text)) {
    if (is_cjk(g.cp)) {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
      kind = -1;
      out.emplace_back(g.bytes);
      continue;
    }
    const int k = is_space(g.cp) ? 1 : 0;
    if (k != kind && !word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
    kind = k;
    word += g.bytes;
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// The Global Solicitation's prose sections and their headings, for an edition that does not
// keep its call's.
const json& built_in_sections() {
  static const json sections = json::parse(R"json([
    {"field": "english_abstract", "heading": {"en": "Summary", "fr": "Résumé (en anglais)", "es": "Resumen (en inglés)", "zh": "英文摘要", "ar": "ملخص بالإنجليزية", "ru": "Резюме (на английском языке)"}},
    {"field": "background", "heading": {"en": "Background", "fr": "Contexte", "es": "Contexto", "zh": "背景", "ar": "الخلفية", "ru": "Предыстория"}},
    {"field": "approach", "heading": {"en": "Approach", "fr": "Démarche", "es": "Enfoque", "zh": "做法", "ar": "النهج", "ru": "Подход"}},
    {"field": "results", "heading": {"en": "Results", "fr": "Résultats", "es": "Resultados", "zh": "成效", "ar": "النتائج", "ru": "Результаты"}},
    {"field": "lessons", "heading": {"en": "Lessons", "fr": "Enseignements", "es": "Lecciones", "zh": "经验", "ar": "الدروس المستفادة", "ru": "Извлечённые уроки"}},
    {"field": "innovation", "heading": {"en": "Innovation", "fr": "Innovation", "es": "Innovación", "zh": "创新", "ar": "الابتكار", "ru": "Новизна"}},
    {"field": "sustainability", "heading": {"en": "Sustainability", "fr": "Durabilité", "es": "Sostenibilidad", "zh": "可持续性", "ar": "الاستدامة", "ru": "Устойчивость"}},
    {"field": "replicability", "heading": {"en": "Replicability", "fr": "Reproductibilité", "es": "Replicabilidad", "zh": "可复制性", "ar": "قابلية التكرار", "ru": "Воспроизводимость"}}
  ])json");
  return sections;
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

// The submitted attachment with this id: its kind, type, size, SHA-256 and file name.
json attachment(const json& original, const std::string& id) {
  for (const auto& a : original.value("attachments", json::array())) {
    if (a.value("id", "") == id) {
      return {{"id", id},
              {"kind", a.value("kind", "")},
              {"media_type", a.value("media_type", "")},
              {"size", a.value("size", 0)},
              {"sha256", a.value("sha256", "")},
              {"filename", a.value("filename", id)}};
    }
  }
  return nullptr;
}

json public_files(const json& original, const json& ids) {
  json out = json::array();
  for (const auto& id : ids) {
    if (auto a = attachment(original, id.get<std::string>()); !a.is_null()) out.push_back(std::move(a));
  }
  return out;
}

json public_photos(const json& original, const json& photos) {
  json out = json::array();
  for (const auto& p : photos) {
    auto a = attachment(original, p.value("attachment_id", ""));
    if (a.is_null()) continue;
    a["caption"] = p.value("caption", json::object());
    a["credit"] = p.value("credit", "");
    a["cover"] = p.value("cover", false);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

json form_sections(const json& form) {
  json out = json::array();
  if (!form.is_object()) return out;
  for (const auto& section : form.value("sections", json::array())) {
    const auto fields = section.value("fields", json::array());
    const auto long_texts = std::count_if(fields.begin(), fields.end(),
                                          [](const json& f) { return f.value("type", "") == "long_text"; });
    for (const auto& f : fields) {
      if (f.value("type", "") != "long_text" || !f.contains("id")) continue;
      auto heading = long_texts == 1 ? section.value("titles", json::object()) : f.value("labels", json::object());
      if (!heading.is_object() || heading.empty()) heading = {{"en", f["id"]}};
      out.push_back({{"field", f["id"]}, {"heading", heading}});
    }
  }
  return out;
}

json call_vocabulary(const json& call) {
  json out = {{"theme", json::object()}, {"region", json::object()}};
  for (const auto& [kind, key] : {std::pair{"theme", "themes"}, std::pair{"region", "regions"}}) {
    if (!call.is_object() || !call.contains(key) || !call[key].is_array()) continue;
    for (const auto& term : call[key]) {
      const auto labels = term.is_object() ? term.value("labels", json::object()) : json::object();
      if (term.is_object() && term.contains("id") && term["id"].is_string() && labels.is_object() && !labels.empty()) {
        out[kind][term["id"].get<std::string>()] = labels;
      }
    }
  }
  return out;
}

json edition_sections(const json& edition) {
  const auto kept = edition.value("sections", json::array());
  return kept.is_array() && !kept.empty() ? kept : built_in_sections();
}

bool editable_field(const json& edition, const std::string& field) {
  if (field == "title") return true;
  const auto sections = edition_sections(edition);
  return std::any_of(sections.begin(), sections.end(), [&](const json& s) { return s["field"] == field; });
}

std::string in_language(const json& texts, const std::string& lang) {
  if (!texts.is_object() || texts.empty()) return texts.is_string() ? texts.get<std::string>() : std::string();
  if (texts.contains(lang)) return texts[lang].get<std::string>();
  if (texts.contains("en")) return texts["en"].get<std::string>();
  return texts.begin()->get<std::string>();
}

bool begins_as(std::string_view head, std::string_view type) {
  using namespace std::string_view_literals;
  if (type == "image/jpeg") return head.substr(0, 3) == "\xff\xd8\xff"sv;
  if (type == "image/png") return head.substr(0, 8) == "\x89PNG\r\n\x1a\n"sv;
  if (type == "image/webp") return head.size() >= 12 && head.substr(0, 4) == "RIFF"sv && head.substr(8, 4) == "WEBP"sv;
  return false;
}

std::string excerpt(std::string_view text, std::size_t characters) {
  const auto glyphs = decode(text);
  if (glyphs.size() <= characters) return std::string(text);
  std::size_t cut = characters;  // glyphs kept
  for (std::size_t i = characters; i > characters * 2 / 3; --i) {
    if (is_space(glyphs[i].cp)) {
      cut = i;
      break;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < cut; ++i) out += glyphs[i].bytes;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + " …";
}

std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto end = text.find('\n', at);
    auto line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      if (!current.empty()) current += ' ';
      current += line;
    }
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

json curated_answers(const json& original_answers, const json& curated) {
  json out = original_answers.is_object() ? original_answers : json::object();
  for (const auto& [field, value] : curated.items()) {
    if (!value.is_null()) out[field] = value;
  }
  return out;
}

json public_record(const json& edition, const std::string& reference, int number, const std::string& published_at,
                   const std::string& note, const json& entry) {
  const auto& original = entry.value("original", json::object());
  const auto& original_answers = original.value("answers", json::object());
  const auto curated = entry.value("curated", json::object());
  const auto answers = curated_answers(original_answers, curated);
  const auto language = answers.value("case_language", std::string("en"));
  const auto& org = entry.value("organisation", json::object());
  const auto& names = org.is_object() ? org.value("names", json::object()) : json::object();
  std::string org_name;
  for (const auto& lang : {language, std::string("en")}) {
    if (org_name.empty() && names.contains(lang)) org_name = names[lang].get<std::string>();
  }
  if (org_name.empty() && !names.empty()) org_name = names.begin()->get<std::string>();

  json co_authors = json::array();
  for (const auto& p : original.value("co_authors", json::array())) {
    if (p.is_object() && p.contains("name")) {
      co_authors.push_back({{"name", p["name"]}, {"organisation", p.value("organisation", json(nullptr))}});
    }
  }
  json authors = json::array();
  if (!org_name.empty()) authors.push_back(org_name);
  for (const auto& p : co_authors) authors.push_back(p["name"]);

  json sections = json::array();
  json edited = json::array();
  for (const auto& section : edition_sections(edition)) {
    const auto text = text_of(answers.value(section["field"].get<std::string>(), json()));
    if (text.empty()) continue;
    sections.push_back({{"field", section["field"]}, {"heading", section["heading"]}, {"text", text}});
  }
  for (const auto& [field, value] : curated.items()) {
    if (!value.is_null() && value != original_answers.value(field, json())) edited.push_back(field);
  }
  json partners = json::array();
  for (const auto& p : answers.value("partners", json::array())) {
    if (p.is_object() && p.contains("name")) partners.push_back({{"name", p["name"]}, {"country", p.value("country", json(nullptr))}});
  }
  json themes = answers.contains("theme") && answers["theme"].is_array() ? answers["theme"] : json::array();
  const auto country = answers.value("country", std::string());
  const auto region = region_of(country);
  const auto slug = edition.value("slug", std::string());
  return {{"format", "casecall-published-case/1"},
          {"edition", {{"slug", slug}, {"title", edition.value("title", json::object())}}},
          {"reference", reference},
          {"number", number},
          {"published_at", published_at},
          {"note", note.empty() ? json(nullptr) : json(note)},
          {"path", "/cases/" + slug + "/" + reference},
          {"version_path", "/cases/" + slug + "/" + reference + "/versions/" + std::to_string(number)},
          {"language", language},
          {"title", text_of(answers.value("title", json()))},
          {"country", country.empty() ? json(nullptr) : json(country)},
          {"region", region ? json(*region) : json(nullptr)},
          {"themes", themes},
          {"start_date", answers.value("start_date", json(nullptr))},
          {"beneficiaries", answers.value("beneficiaries", json(nullptr))},
          {"website", answers.value("website", json(nullptr))},
          {"partners", partners},
          {"organisation",
           {{"name", org_name},
            {"names", names},
            {"country", org.is_object() ? org.value("country", json(nullptr)) : json(nullptr)},
            {"kind", org.is_object() ? org.value("kind", json(nullptr)) : json(nullptr)}}},
          {"authors", authors},
          {"credit", {{"organisation", org_name}, {"co_authors", co_authors}}},
          {"sections", sections},
          {"edited_fields", edited},
          {"translations", entry.value("translations", json::object())},
          {"photos", public_photos(original, entry.value("photos", json::array()))},
          {"files", public_files(original, entry.value("public_files", json::array()))},
          {"rank", entry.value("rank", json(nullptr))},
          {"source", {{"case_id", entry.value("case_id", json(nullptr))},
                      {"submission", entry.value("source_number", json(nullptr))},
                      {"sha256", entry.value("source_sha256", json(nullptr))}}}};
}

std::optional<std::string> region_of(std::string_view country) {
  static const std::map<std::string, std::string, std::less<>> table = [] {
    std::map<std::string, std::string, std::less<>> t;
    auto add = [&t](const char* region, std::initializer_list<const char*> codes) {
      for (const auto* c : codes) t.emplace(c, region);
    };
    add("asia_pacific", {"AF", "AU", "BD", "BT", "BN", "KH", "CN", "FJ", "IN", "ID", "IR", "JP", "KI", "KP", "KR", "LA",
                         "MY", "MV", "MH", "FM", "MN", "MM", "NR", "NP", "NZ", "PK", "PW", "PG", "PH", "WS", "SG", "SB",
                         "LK", "TH", "TL", "TO", "TV", "VU", "VN", "HK", "MO", "TW"});
    add("africa", {"AO", "BJ", "BW", "BF", "BI", "CV", "CM", "CF", "TD", "KM", "CG", "CD", "CI", "GQ", "ER", "SZ", "ET",
                   "GA", "GM", "GH", "GN", "GW", "KE", "LS", "LR", "MG", "MW", "ML", "MU", "MZ", "NA", "NE", "NG", "RW",
                   "ST", "SN", "SC", "SL", "ZA", "SS", "TZ", "TG", "UG", "ZM", "ZW"});
    add("arab_states", {"DZ", "BH", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MR", "MA", "OM", "PS", "QA", "SA", "SO",
                        "SD", "SY", "TN", "AE", "YE"});
    add("latin_america", {"AG", "AR", "BS", "BB", "BZ", "BO", "BR", "CL", "CO", "CR", "CU", "DM", "DO", "EC", "SV", "GD",
                          "GT", "GY", "HT", "HN", "JM", "MX", "NI", "PA", "PY", "PE", "KN", "LC", "VC", "SR", "TT", "UY",
                          "VE"});
    add("europe_central_asia", {"AL", "AM", "AZ", "BY", "BA", "GE", "KZ", "KG", "MD", "ME", "MK", "RS", "TJ", "TR", "TM",
                                "UA", "UZ", "XK", "RU", "BG", "RO", "PL", "HU", "CZ", "SK", "FR", "DE", "IT", "ES", "PT",
                                "GB", "IE", "NL", "BE", "LU", "CH", "AT", "DK", "SE", "NO", "FI", "IS", "GR", "CY", "MT",
                                "SI", "HR", "EE", "LV", "LT"});
    return t;
  }();
  auto it = table.find(country);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

json text_diff(std::string_view before, std::string_view after) {
  const auto a = tokens(before);
  const auto b = tokens(after);
  json out = json::array();
  auto push = [&out](const char* op, const std::string& text) {
    if (!out.empty() && out.back()["op"] == op) {
      out.back()["text"] = out.back()["text"].get<std::string>() + text;
    } else {
      out.push_back({{"op", op}, {"text", text}});
    }
  };
  // Longest common subsequence of tokens; past 4 million cells, the whole text is replaced.
  if (a.size() * b.size() > 4'000'000) {
    if (!before.empty()) push("-", std::string(before));
    if (!after.empty()) push("+", std::string(after));
    return out;
  }
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [m](std::size_t i, std::size_t j) { return i * (m + 1) + j; };
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[at(i, j)] = a[i] == b[j] ? lcs[at(i + 1, j + 1)] + 1 : std::max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
    }
  }
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n && j < m) {
    if (a[i] == b[j]) {
      push("=", a[i]);
      ++i;
      ++j;
    } else if (lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
      push("-", a[i++]);
    } else {
      push("+", b[j++]);
    }
  }
  while (i < n) push("-", a[i++]);
  while (j < m) push("+", b[j++]);
  return out;
}

std::string cjk_bigrams(std::string_view text) {
  std::vector<std::string> all;
  for (const auto& run : cjk_runs(text)) {
    for (auto& g : bigrams_of(run)) all.push_back(std::move(g));
  }
  return joined(all, " ");
}

std::string cjk_characters(std::string_view text) {
  std::vector<std::string> all;
  std::set<std::string> seen;
  for (const auto& run : cjk_runs(text)) {
    for (const auto& c : run) {
      if (seen.insert(c).second) all.push_back(c);
    }
  }
  return joined(all, " ");
}

std::vector<std::string> cjk_words(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& run : cjk_runs(text)) {
    for (const auto& [start, word] : words_of(run)) out.push_back(word);
  }
  return out;
}

std::string cjk_tsvector(std::string_view text) {
  std::vector<std::string> parts;
  std::set<std::string> characters;
  int position = 1;
  for (const auto& run : cjk_runs(text)) {
    const int first = position;
    for (const auto& g : bigrams_of(run)) parts.push_back(lexeme(g) + ":" + std::to_string(std::min(position++, 16383)));
    for (const auto& [start, word] : words_of(run)) {
      parts.push_back(lexeme(word) + ":" + std::to_string(std::min(first + static_cast<int>(start), 16383)));
    }
    ++position;
    characters.insert(run.begin(), run.end());
  }
  for (const auto& c : characters) parts.push_back(lexeme(c));
  return joined(parts, " ");
}

query_plan plan_query(std::string_view q) {
  query_plan plan;
  std::vector<std::string> parts;
  std::vector<std::string> words;
  for (const auto& run : cjk_runs(q)) {
    std::vector<std::string> quoted;
    for (const auto& g : bigrams_of(run)) quoted.push_back(lexeme(g));
    parts.push_back(quoted.size() == 1 ? quoted[0] : "(" + joined(quoted, " <-> ") + ")");
    for (const auto& [start, word] : words_of(run)) words.push_back(lexeme(word));
  }
  plan.cjk = joined(parts, " & ");
  plan.cjk_ranking = joined(words, " | ");
  for (const auto& g : decode(q)) plan.words += is_cjk(g.cp) ? std::string(" ") : std::string(g.bytes);
  const auto first = plan.words.find_first_not_of(' ');
  plan.words = first == std::string::npos ? std::string() : plan.words.substr(first, plan.words.find_last_not_of(' ') - first + 1);
  return plan;
}

}  // namespace casecall::publish::collection
