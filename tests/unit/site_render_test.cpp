#include "publish/site/labels.hpp"
#include "publish/site/render.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifndef CASECALL_SITE_TEMPLATES
#error "CASECALL_SITE_TEMPLATES must name services/publish/site/templates"
#endif

namespace site = casecall::publish::site;
using nlohmann::json;

namespace {

const std::string templates_dir = CASECALL_SITE_TEMPLATES;
const std::string base = "https://cases.example.org";
const std::vector<std::string> pages{"home", "editions", "edition", "case", "search", "not_found"};

// The fields every page has, as the service builds them for `lang`.
json common(const std::string& lang, const std::string& path, const std::string& title) {
  json alternates = json::array();
  json languages = json::array();
  for (const auto ui : site::ui_languages()) {
    const std::string code(ui);
    const auto href = base + "/" + code + path;
    alternates.push_back({{"hreflang", code}, {"href", href}});
    languages.push_back(
        {{"lang", code}, {"name", std::string(site::language_name(code))}, {"href", href}, {"current", code == lang}});
  }
  alternates.push_back({{"hreflang", "x-default"}, {"href", base + "/en" + path}});
  const auto url = base + "/" + lang + path;
  return {{"lang", lang},
          {"dir", std::string(site::direction(lang))},
          {"title", title},
          {"description", "Practices that reduced rural poverty, documented by the people who ran them."},
          {"canonical_url", url},
          {"alternates", alternates},
          {"og",
           {{"title", title}, {"description", "Selected cases of poverty reduction"}, {"type", "website"}, {"url", url}}},
          {"labels", site::labels(lang)},
          {"languages", languages},
          {"stylesheet_url", "/static/site.css?v=3f9a1c2e"},
          {"site_name", "Global Poverty Reduction Cases"},
          {"home_url", "/" + lang + "/"},
          {"editions_url", "/" + lang + "/editions"},
          {"search_url", "/" + lang + "/search"}};
}

json editions_list() {
  return json::array({{{"title", "7th Global Solicitation (2026)"}, {"url", "/en/editions/gs7"}, {"year", 2026},
                       {"cases", 112}, {"published_at", "2026-11-15"}},
                      {{"title", "6th Global Solicitation (2025)"}, {"url", "/en/editions/gs6"}, {"year", 2025},
                       {"cases", 98}, {"published_at", "2025-11-20"}}});
}

json home_view(const std::string& lang = "en") {
  auto view = common(lang, "/", "Global Poverty Reduction Cases");
  view["editions"] = editions_list();
  view["latest"] = json::array({{{"title", "Village savings groups run by women in Kasungu"},
                                 {"url", "/en/cases/GS7-0042"}, {"country", "Malawi"},
                                 {"edition_title", "7th Global Solicitation (2026)"}},
                                {{"title", "Solar irrigation for smallholder cooperatives"},
                                 {"url", "/en/cases/GS7-0007"}, {"country", "Kenya"},
                                 {"edition_title", "7th Global Solicitation (2026)"}}});
  return view;
}

json editions_view() {
  auto view = common("en", "/editions", "Editions");
  view["editions"] = editions_list();
  return view;
}

json edition_view() {
  auto view = common("en", "/editions/gs7", "7th Global Solicitation (2026)");
  view["og"]["type"] = "website";
  view["edition"] = {{"title", "7th Global Solicitation (2026)"},
                     {"description", {"The seventh call received 1,204 cases from 87 countries.",
                                      "An international jury selected 112 of them for this collection."}},
                     {"published_at", "2026-11-15"},
                     {"cases_count", 112}};
  view["cases"] = json::array(
      {{{"reference", "GS7-0042"}, {"title", "Village savings groups run by women in Kasungu"}, {"url", "/en/cases/GS7-0042"},
        {"country", "Malawi"}, {"themes", {"Financial inclusion", "Gender"}}, {"organisation", "Kasungu Women’s Network"},
        {"summary", "Twenty-three groups lend to their members at rates set by the members."}},
       {{"reference", "GS7-0007"}, {"title", "Solar irrigation for smallholder cooperatives"}, {"url", "/en/cases/GS7-0007"},
        {"country", "Kenya"}, {"themes", {"Agriculture", "Energy"}}, {"organisation", "Turkana Growers"},
        {"summary", "Shared solar pumps let four cooperatives grow a second crop in the dry season."}}});
  view["downloads"] = json::array({{{"label", "All cases (PDF)"}, {"url", "/downloads/gs7.pdf"}, {"format", "PDF, 38 MB"}},
                                   {{"label", "Metadata (CSV)"}, {"url", "/downloads/gs7.csv"}, {"format", "CSV, 120 kB"}}});
  view["feed_url"] = "/en/editions/gs7/feed.atom";
  return view;
}

json case_fields() {
  return {{"reference", "GS7-0042"},
          {"title", "Village savings groups run by women in Kasungu"},
          {"edition_title", "7th Global Solicitation (2026)"},
          {"edition_url", "/en/editions/gs7"},
          {"version", 2},
          {"published_at", "2026-11-15"},
          {"is_current", true},
          {"current_url", "/en/cases/GS7-0042"},
          {"organisation", "Kasungu Women’s Network"},
          {"country", "Malawi"},
          {"themes", {"Financial inclusion", "Gender"}},
          {"authors", {"Chisomo Banda", "Grace Phiri"}},
          {"credit", "Written by Chisomo Banda and Grace Phiri, Kasungu Women’s Network."},
          {"sections", json::array({{{"heading", "The problem"},
                                     {"paragraphs", {"Banks are 60 km away.", "Moneylenders charge 20% a month."}}},
                                    {{"heading", "What was done"},
                                     {"paragraphs", {"Groups of 15 to 25 women save weekly and lend to each other."}}}})},
          {"cover", {{"url", "/media/gs7-0042/ledger.jpg"}, {"src", "/media/gs7-0042/ledger.jpg?width=960"},
                     {"srcset", "/media/gs7-0042/ledger.jpg?width=480 480w, /media/gs7-0042/ledger.jpg?width=960 960w"},
                     {"caption", "The group ledger"}, {"credit", ""}, {"alt", "A hand-written ledger"}}},
          {"photos", json::array({{{"url", "/media/gs7-0042/meeting.jpg"}, {"src", "/media/gs7-0042/meeting.jpg?width=960"},
                                   {"srcset", "/media/gs7-0042/meeting.jpg?width=480 480w, /media/gs7-0042/meeting.jpg?width=960 960w"},
                                   {"caption", "A weekly meeting in Chamama"},
                                   {"credit", "Photo: Grace Phiri"}, {"alt", "Women sitting in a circle counting money"}}})},
          {"downloads", json::array({{{"label", "Case (PDF)"}, {"url", "/downloads/GS7-0042.pdf"}, {"size", "1.2 MB"}}})},
          {"translations", json::array({{{"lang", "fr"}, {"label", "Français"}, {"url", "/fr/cases/GS7-0042"},
                                         {"provenance", "Translated by the organisers"}}})},
          {"citation", "Banda, C. and Phiri, G. (2026). Village savings groups run by women in Kasungu. GS7-0042, version 2."},
          {"original_notice", "This text was edited for length; the submitted original is kept."}};
}

json case_view(const json& fields = case_fields()) {
  auto view = common("en", "/cases/GS7-0042", fields.at("title").get<std::string>());
  view["og"]["type"] = "article";
  view["og"]["image"] = base + "/media/gs7-0042/meeting.jpg";
  view["case"] = fields;
  view["json_ld"] = site::json_ld({{"@context", "https://schema.org"}, {"@type", "Article"},
                                   {"headline", fields.at("title")}, {"url", base + "/en/cases/GS7-0042"}});
  return view;
}

json search_view() {
  auto view = common("en", "/search?q=savings", "Search: savings");
  view["query"] = "savings";
  view["total"] = 14;
  view["no_results"] = false;
  view["results"] = json::array(
      {{{"title", "Village savings groups run by women in Kasungu"}, {"url", "/en/cases/GS7-0042"},
        {"edition_title", "7th Global Solicitation (2026)"}, {"country", "Malawi"},
        {"snippet", json::array({{{"text", "Village "}, {"hit", false}}, {{"text", "savings"}, {"hit", true}},
                                 {{"text", " groups lend to their members"}, {"hit", false}}})}}});
  view["facets"] = json::array(
      {{{"name", "country"}, {"label", "Country"},
        {"values", json::array({{{"label", "Malawi"}, {"count", 3}, {"url", "/en/search?q=savings"}, {"selected", true}},
                                {{"label", "Kenya"}, {"count", 2}, {"url", "/en/search?q=savings&country=KE"},
                                 {"selected", false}}})}},
       {{"name", "theme"}, {"label", "Theme"},
        {"values", json::array({{{"label", "Gender"}, {"count", 5}, {"url", "/en/search?q=savings&theme=gender"},
                                 {"selected", false}}})}}});
  view["pages"] = json::array({{{"number", 1}, {"url", "/en/search?q=savings&page=1"}, {"current", true}},
                               {{"number", 2}, {"url", "/en/search?q=savings&page=2"}, {"current", false}}});
  return view;
}

json empty_search_view() {
  auto view = common("en", "/search?q=zzzz", "Search: zzzz");
  view["query"] = "zzzz";
  view["total"] = 0;
  view["no_results"] = true;
  view["results"] = json::array();
  view["facets"] = json::array();
  view["pages"] = json::array();
  return view;
}

json not_found_view() { return common("en", "/nowhere", "Page not found"); }

json view_of(const std::string& page) {
  if (page == "home") return home_view();
  if (page == "editions") return editions_view();
  if (page == "edition") return edition_view();
  if (page == "case") return case_view();
  if (page == "search") return search_view();
  return not_found_view();
}

class site_render : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { site::load_templates(templates_dir); }
};

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Every tag in the page, from "<" to ">", lower-cased, with its quoted attribute values taken out:
// what the browser reads as element and attribute names. Escaped text holds no "<" and an escaped
// attribute value no '"', and the one script's JSON has its "<" escaped, so these are all the tags.
std::vector<std::string> tags_of(const std::string& html) {
  std::vector<std::string> tags;
  for (auto open = html.find('<'); open != std::string::npos; open = html.find('<', open + 1)) {
    std::string tag;
    bool quoted = false;
    auto at = open;
    for (; at < html.size() && (quoted || html[at] != '>'); ++at) {
      if (html[at] == '"') quoted = !quoted;
      else if (!quoted) tag += static_cast<char>(std::tolower(static_cast<unsigned char>(html[at])));
    }
    tags.push_back(tag + ">");
    open = at;
  }
  return tags;
}

// An event-handler attribute (onload=, onerror=…) in a tag from tags_of.
bool has_event_handler(const std::string& tag) {
  static const std::regex handler(R"(\son[a-z]+\s*=)");
  return std::regex_search(tag, handler);
}

// The text of the one <script type="application/ld+json"> element.
std::string json_ld_block(const std::string& html) {
  const std::string open = "<script type=\"application/ld+json\">";
  const auto start = html.find(open);
  if (start == std::string::npos) return {};
  const auto end = html.find("</script>", start);
  return html.substr(start + open.size(), end - start - open.size());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_F(site_render, every_page_is_a_complete_document_with_one_h1) {
  for (const auto& page : pages) {
    SCOPED_TRACE(page);
    const auto html = site::render_page(page, view_of(page));
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<html lang=\"en\" dir=\"ltr\">"), std::string::npos);
    EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), std::string::npos);
    EXPECT_NE(html.find("<link rel=\"stylesheet\" href=\"/static/site.css?v=3f9a1c2e\">"), std::string::npos);
    EXPECT_EQ(count_of(html, "<h1>"), 1u);
    EXPECT_EQ(count_of(html, "<main id=\"main\""), 1u);
    EXPECT_EQ(count_of(html, "<nav aria-label=\"Main navigation\">"), 1u);
    EXPECT_EQ(count_of(html, "<footer"), 1u);
    EXPECT_NE(html.find("</html>"), std::string::npos);
  }
}

TEST_F(site_render, every_page_names_its_canonical_address_its_languages_and_open_graph) {
  for (const auto& page : pages) {
    SCOPED_TRACE(page);
    const auto view = view_of(page);
    const auto html = site::render_page(page, view);
    const auto canonical = view["canonical_url"].get<std::string>();
    EXPECT_NE(html.find("<link rel=\"canonical\" href=\"" + canonical + "\">"), std::string::npos);
    for (const auto& alternate : view["alternates"]) {
      EXPECT_NE(html.find("<link rel=\"alternate\" hreflang=\"" + alternate["hreflang"].get<std::string>() + "\" href=\"" +
                          alternate["href"].get<std::string>() + "\">"),
                std::string::npos);
    }
    EXPECT_NE(html.find("<meta property=\"og:title\" content=\"" + view["og"]["title"].get<std::string>() + "\">"), std::string::npos);
    EXPECT_NE(html.find("<meta property=\"og:url\" content=\"" + canonical + "\">"), std::string::npos);
    EXPECT_NE(html.find("<meta property=\"og:type\""), std::string::npos);
    EXPECT_NE(html.find("<meta name=\"description\""), std::string::npos);
    // The language switcher: each language by its own name, the current one marked.
    EXPECT_NE(html.find(">Français</a>"), std::string::npos);
    EXPECT_NE(html.find(">العربية</a>"), std::string::npos);
    EXPECT_EQ(count_of(html, "aria-current=\"page\">English</a>"), 1u);
  }
}

TEST_F(site_render, no_page_has_an_inline_style_or_a_script_other_than_json_ld) {
  std::vector<std::pair<std::string, json>> views;
  for (const auto& page : pages) views.emplace_back(page, view_of(page));
  views.emplace_back("search", empty_search_view());
  views.emplace_back("home", home_view("ar"));
  for (const auto& [page, view] : views) {
    SCOPED_TRACE(page);
    const auto html = site::render_page(page, view);
    EXPECT_EQ(lower(html).find("style="), std::string::npos);
    EXPECT_EQ(lower(html).find("<style"), std::string::npos);
    EXPECT_EQ(count_of(lower(html), "<script"), count_of(html, "<script type=\"application/ld+json\">"));
    for (const auto& tag : tags_of(html)) EXPECT_FALSE(has_event_handler(tag)) << tag;
  }
}

TEST_F(site_render, home_lists_editions_and_latest_cases_and_searches_by_get) {
  const auto html = site::render_page("home", home_view());
  EXPECT_NE(html.find("<form class=\"search\" role=\"search\" method=\"get\" action=\"/en/search\">"), std::string::npos);
  EXPECT_NE(html.find("<label for=\"q\">Search the cases</label>"), std::string::npos);
  EXPECT_NE(html.find("<input id=\"q\" type=\"search\" name=\"q\">"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/editions/gs7\">7th Global Solicitation (2026)</a>"), std::string::npos);
  EXPECT_NE(html.find("Cases: 112"), std::string::npos);
  EXPECT_NE(html.find("<time datetime=\"2026-11-15\">2026-11-15</time>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/cases/GS7-0007\">Solar irrigation for smallholder cooperatives</a>"), std::string::npos);
  EXPECT_NE(html.find("<body class=\"page-home\">"), std::string::npos);
}

TEST_F(site_render, editions_lists_each_edition_with_its_year) {
  const auto html = site::render_page("editions", editions_view());
  EXPECT_NE(html.find("<h1>Editions</h1>"), std::string::npos);
  EXPECT_NE(html.find("Year: 2025"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/editions/gs6\">6th Global Solicitation (2025)</a>"), std::string::npos);
}

TEST_F(site_render, edition_shows_its_description_downloads_feed_and_cases) {
  const auto html = site::render_page("edition", edition_view());
  EXPECT_NE(html.find("<h1>7th Global Solicitation (2026)</h1>"), std::string::npos);
  EXPECT_NE(html.find("<p>The seventh call received 1,204 cases from 87 countries.</p>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/downloads/gs7.pdf\">All cases (PDF)</a>"), std::string::npos);
  EXPECT_NE(html.find("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/en/editions/gs7/feed.atom\""),
            std::string::npos);
  EXPECT_NE(html.find("<h3><a href=\"/en/cases/GS7-0042\">Village savings groups run by women in Kasungu</a></h3>"),
            std::string::npos);
  EXPECT_NE(html.find("<li>Financial inclusion</li>"), std::string::npos);
  EXPECT_NE(html.find("Kasungu Women’s Network"), std::string::npos);
}

TEST_F(site_render, case_shows_its_facts_text_photos_downloads_translations_and_citation) {
  const auto html = site::render_page("case", case_view());
  EXPECT_NE(html.find("<h1>Village savings groups run by women in Kasungu</h1>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"credit\">Written by Chisomo Banda and Grace Phiri, Kasungu Women’s Network.</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<li>Grace Phiri</li>"), std::string::npos);
  EXPECT_NE(html.find("<dt>Version</dt>\n<dd>2</dd>"), std::string::npos);
  EXPECT_NE(html.find("<h2>The problem</h2>\n<p>Banks are 60 km away.</p>\n<p>Moneylenders charge 20% a month.</p>"),
            std::string::npos);
  // Photos are shown at the width the reader needs, each a link to the photo itself; the cover
  // first, eagerly, the others lazily.
  EXPECT_NE(html.find("<a href=\"/media/gs7-0042/meeting.jpg\"><img src=\"/media/gs7-0042/meeting.jpg?width=960\" "
                      "srcset=\"/media/gs7-0042/meeting.jpg?width=480 480w, /media/gs7-0042/meeting.jpg?width=960 960w\" "
                      "sizes=\"(max-width: 52rem) 100vw, 52rem\" alt=\"Women sitting in a circle counting money\" loading=\"lazy\""),
            std::string::npos);
  EXPECT_NE(html.find("<figure class=\"cover\">\n<a href=\"/media/gs7-0042/ledger.jpg\"><img src=\"/media/gs7-0042/ledger.jpg?width=960\""),
            std::string::npos);
  EXPECT_NE(html.find("<figcaption>The group ledger</figcaption>"), std::string::npos) << "no credit, no empty span";
  EXPECT_LT(html.find("<a href=\"/media/gs7-0042/ledger.jpg\">"), html.find("<h2>The problem</h2>"));
  EXPECT_GT(html.find("<a href=\"/media/gs7-0042/meeting.jpg\">"), html.find("<h2>The problem</h2>"));
  EXPECT_NE(html.find("<figcaption>A weekly meeting in Chamama <span class=\"meta\">Photo: Grace Phiri</span></figcaption>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"/downloads/GS7-0042.pdf\">Case (PDF)</a> <span class=\"meta\">1.2 MB</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"/fr/cases/GS7-0042\" hreflang=\"fr\" lang=\"fr\">Français</a> "
                      "<span class=\"meta\">Translated by the organisers</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"cite-heading\">Cite this case</h2>"), std::string::npos);
  EXPECT_NE(html.find("GS7-0042, version 2.</p>"), std::string::npos);
  EXPECT_NE(html.find("the submitted original is kept."), std::string::npos);
  EXPECT_NE(html.find("<meta property=\"og:image\" content=\"https://cases.example.org/media/gs7-0042/meeting.jpg\">"),
            std::string::npos);
}

TEST_F(site_render, the_earlier_version_notice_shows_only_on_an_earlier_version) {
  const auto current = site::render_page("case", case_view());
  EXPECT_EQ(current.find("This is an earlier version"), std::string::npos);
  EXPECT_EQ(current.find("class=\"notice\""), std::string::npos);

  auto fields = case_fields();
  fields["is_current"] = false;
  fields["version"] = 1;
  const auto earlier = site::render_page("case", case_view(fields));
  EXPECT_NE(earlier.find("<p class=\"notice\" role=\"note\"><a href=\"/en/cases/GS7-0042\">"
                         "This is an earlier version; the current version is here</a></p>"),
            std::string::npos);
}

TEST_F(site_render, optional_case_parts_are_left_out_when_absent) {
  auto fields = case_fields();
  fields.erase("original_notice");
  fields["photos"] = json::array();
  fields.erase("cover");
  fields["translations"] = json::array();
  auto view = case_view(fields);
  view.erase("json_ld");
  view["og"].erase("image");
  const auto html = site::render_page("case", view);
  EXPECT_EQ(html.find("class=\"note\""), std::string::npos);
  EXPECT_EQ(html.find("<figure"), std::string::npos);
  EXPECT_EQ(html.find("Translations"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("og:image"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"credit\">"), std::string::npos);  // the credit is always there
}

TEST_F(site_render, search_marks_hits_and_lists_facets_and_pages) {
  const auto html = site::render_page("search", search_view());
  EXPECT_NE(html.find("<input id=\"q\" type=\"search\" name=\"q\" value=\"savings\">"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"snippet\">Village <mark>savings</mark> groups lend to their members</p>"), std::string::npos);
  EXPECT_NE(html.find("Results <span class=\"count\">(14)</span>"), std::string::npos);
  EXPECT_NE(html.find("<h3>Country</h3>"), std::string::npos);
  EXPECT_NE(html.find("<li class=\"selected\"><a href=\"/en/search?q=savings\" aria-current=\"true\">Malawi"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/search?q=savings&amp;country=KE\">Kenya <span class=\"count\">2</span></a>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/search?q=savings&amp;page=1\" aria-current=\"page\">1</a>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/search?q=savings&amp;page=2\">2</a>"), std::string::npos);
  EXPECT_EQ(html.find("No results"), std::string::npos);
}

TEST_F(site_render, search_without_results_says_so) {
  const auto html = site::render_page("search", empty_search_view());
  EXPECT_NE(html.find("<p>No results</p>"), std::string::npos);
  EXPECT_EQ(html.find("<ol"), std::string::npos);
  EXPECT_EQ(html.find("class=\"facets\""), std::string::npos);
  EXPECT_EQ(html.find("class=\"pages\""), std::string::npos);
}

TEST_F(site_render, not_found_offers_the_way_back) {
  const auto html = site::render_page("not_found", not_found_view());
  EXPECT_NE(html.find("<h1>Page not found</h1>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/en/\">Home</a>"), std::string::npos);
}

TEST_F(site_render, arabic_pages_are_right_to_left_and_in_arabic) {
  auto view = home_view("ar");
  const auto html = site::render_page("home", view);
  EXPECT_NE(html.find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos);
  EXPECT_NE(html.find("<label for=\"q\">ابحث في الحالات</label>"), std::string::npos);
  EXPECT_NE(html.find("aria-current=\"page\">العربية</a>"), std::string::npos);
  EXPECT_NE(html.find("<link rel=\"alternate\" hreflang=\"ar\" href=\"https://cases.example.org/ar/\">"), std::string::npos);
}

TEST_F(site_render, hostile_case_text_and_urls_stay_inert) {
  const std::string script = "<script>alert(1)</script>";
  const std::string breakout = "\"><img src=x onerror=alert(1)>";
  auto fields = case_fields();
  fields["title"] = script + breakout;
  fields["credit"] = breakout;
  fields["authors"] = {script, breakout};
  fields["themes"] = {breakout};
  fields["sections"] = json::array({{{"heading", breakout}, {"paragraphs", {script, breakout}}}});
  fields["photos"] = json::array({{{"url", "javascript:alert(1)"}, {"src", "javascript:alert(1)"},
                                   {"srcset", "\" onload=\"alert(1)"}, {"caption", script + breakout}, {"credit", breakout},
                                   {"alt", breakout}}});
  fields["cover"] = fields["photos"][0];
  fields["downloads"] = json::array({{{"label", script}, {"url", "javascript:alert(1)"}, {"size", breakout}}});
  fields["translations"] = json::array(
      {{{"lang", breakout}, {"label", breakout}, {"url", "JaVaScRiPt:alert(1)"}, {"provenance", script}},
       {{"lang", "fr"}, {"label", "Français"}, {"url", " javascript:alert(1)"}, {"provenance", breakout}}});
  fields["current_url"] = "javascript:alert(1)";
  fields["edition_url"] = "data:text/html,<script>alert(1)</script>";
  fields["is_current"] = false;
  fields["citation"] = script;
  auto view = case_view(fields);
  view["og"]["image"] = "javascript:alert(1)";
  view["description"] = breakout;

  const auto html = site::render_page("case", view);
  const auto low = lower(html);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(low.find("href=\"javascript:"), std::string::npos);
  EXPECT_EQ(low.find("href=\" javascript:"), std::string::npos);
  EXPECT_EQ(low.find("src=\"javascript:"), std::string::npos);
  EXPECT_EQ(low.find("href=\"data:"), std::string::npos);
  EXPECT_EQ(low.find("content=\"javascript:"), std::string::npos);
  EXPECT_EQ(count_of(low, "<script"), 1u);  // the JSON-LD block only
  for (const auto& tag : tags_of(html)) {
    EXPECT_FALSE(has_event_handler(tag)) << tag;
    EXPECT_EQ(tag.rfind("<img", 0) == 0 && tag.find("src=x") != std::string::npos, false) << tag;
  }
  // The text is still there, as text.
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST_F(site_render, json_ld_that_holds_a_closing_script_tag_stays_one_script_block) {
  const json data = {{"@context", "https://schema.org"},
                     {"@type", "Article"},
                     {"headline", "</script><script>alert(1)</script>"},
                     {"description", "<!-- & -->  \u2028"}};
  auto view = case_view();
  view["json_ld"] = site::json_ld(data);
  const auto html = site::render_page("case", view);
  EXPECT_EQ(count_of(html, "<script"), 1u);
  EXPECT_EQ(count_of(html, "</script>"), 1u);
  const auto block = json_ld_block(html);
  EXPECT_EQ(block, site::json_ld(data));
  EXPECT_EQ(block.find('<'), std::string::npos);
  EXPECT_EQ(json::parse(block), data);

  // Even a caller that passes raw JSON text cannot end the element.
  view["json_ld"] = data.dump();
  const auto raw = site::render_page("case", view);
  EXPECT_EQ(count_of(raw, "</script>"), 1u);
  EXPECT_EQ(json::parse(json_ld_block(raw)), data);
}

TEST_F(site_render, pages_render_the_same_from_several_threads) {
  const auto view = case_view();
  const auto search = search_view();
  const auto expected = site::render_page("case", view);
  std::vector<std::string> outputs(4);
  {
    std::vector<std::jthread> threads;
    for (auto& output : outputs) {
      threads.emplace_back([&view, &search, &output] {
        for (int i = 0; i < 25; ++i) output = i % 2 == 0 ? site::render_page("case", view) : site::render_page("search", search);
        output = site::render_page("case", view);
      });
    }
  }
  for (const auto& output : outputs) EXPECT_EQ(output, expected);
}

TEST(site_json_ld, escapes_markup_characters_and_keeps_the_same_json) {
  const json data = {{"name", "A & B <c> \u2028 \u2029 中文 العربية"}, {"n", 3}};
  const auto text = site::json_ld(data);
  EXPECT_EQ(text, R"({"n":3,"name":"A \u0026 B \u003cc\u003e \u2028 \u2029 中文 العربية"})");
  EXPECT_EQ(json::parse(text), data);
}

TEST_F(site_render, unknown_pages_and_non_object_views_are_refused) {
  EXPECT_THROW(site::render_page("admin", not_found_view()), std::runtime_error);
  EXPECT_THROW(site::render_page("layout", not_found_view()), std::runtime_error);
  EXPECT_THROW(site::render_page("../layout", not_found_view()), std::runtime_error);
  EXPECT_THROW(site::render_page("home", json::array()), std::runtime_error);
}

TEST(site_templates, a_folder_without_a_layout_or_another_folder_is_refused) {
  // site/ holds render.cpp and site.css but no layout.tpl. Refused whether or not the
  // templates are loaded already: a second folder is refused too.
  const auto site_dir = std::filesystem::path(templates_dir).parent_path().string();
  EXPECT_THROW(site::load_templates(site_dir), std::runtime_error);
  site::load_templates(templates_dir);
  EXPECT_NO_THROW(site::load_templates(templates_dir));  // the same folder again: nothing to do
  EXPECT_THROW(site::load_templates(site_dir), std::runtime_error);
}

TEST(site_templates, every_template_starts_with_the_html_autoescape_pragma) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(templates_dir)) {
    if (entry.path().extension() != ".tpl") continue;
    ++count;
    SCOPED_TRACE(entry.path().filename().string());
    const auto text = read_file(entry.path());
    EXPECT_EQ(text.rfind("{{%AUTOESCAPE context=\"HTML\"}}\n", 0), 0u);
    // The only value not escaped is the JSON-LD, escaped by json_ld().
    const std::regex modifier(R"(\{\{([A-Z0-9_]+):none\}\})");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), modifier); it != std::sregex_iterator(); ++it) {
      EXPECT_EQ((*it)[1].str(), "JSON_LD");
    }
  }
  EXPECT_EQ(count, pages.size() + 2);  // the pages, the layout and the printable casebook
}

TEST(site_labels, every_label_the_templates_use_exists) {
  const auto keys = site::label_keys();
  std::set<std::string> known;
  for (const auto key : keys) {
    std::string name;
    for (const char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    known.insert(name);
  }
  const std::regex use(R"(\{\{LABELS_([A-Z0-9_]+)\}\})");
  for (const auto& entry : std::filesystem::directory_iterator(templates_dir)) {
    const auto text = read_file(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), use); it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(known.contains((*it)[1].str())) << entry.path().filename() << ": " << (*it)[0].str();
    }
  }
}

TEST(site_labels, every_label_is_translated_into_every_interface_language) {
  std::set<std::string> english_texts;
  for (const auto lang : site::ui_languages()) {
    SCOPED_TRACE(std::string(lang));
    const auto labels = site::labels(lang);
    EXPECT_EQ(labels.size(), site::label_keys().size());
    for (const auto key : site::label_keys()) {
      ASSERT_TRUE(labels.contains(std::string(key))) << key;
      EXPECT_FALSE(labels[std::string(key)].get<std::string>().empty()) << key;
      EXPECT_EQ(labels[std::string(key)].get<std::string>(), site::label(key, lang));
    }
  }
  EXPECT_EQ(site::label("search", "fr"), "Rechercher");
  EXPECT_EQ(site::label("search", "zh"), "搜索");
  EXPECT_EQ(site::label("search", "ar"), "بحث");
  EXPECT_EQ(site::label("search", "es"), "Buscar");
  EXPECT_EQ(site::label("search", "ru"), "Поиск");
  EXPECT_EQ(site::ui_languages().size(), 6u);  // the six languages of the United Nations
  EXPECT_EQ(site::label("translated_by_machine", "en"), "Machine translation");
  EXPECT_THROW(static_cast<void>(site::label("no_such_label", "en")), std::out_of_range);
  EXPECT_EQ(site::find_label("region_africa", "fr"), "Afrique");
  EXPECT_EQ(site::find_label("kind_ngo", "zh"), "非政府组织");
  EXPECT_EQ(site::find_label("kind_pirate", "en"), std::nullopt);
}

TEST(site_labels, tags_map_to_interface_languages_and_directions) {
  EXPECT_EQ(site::ui_language("fr-CA"), "fr");
  EXPECT_EQ(site::ui_language("zh-Hans-CN"), "zh");
  EXPECT_EQ(site::ui_language("AR"), "ar");
  EXPECT_EQ(site::ui_language("ru-RU"), "ru");
  EXPECT_EQ(site::ui_language("pt-BR"), "en");
  EXPECT_EQ(site::ui_language(""), "en");
  EXPECT_EQ(site::direction("ar"), "rtl");
  EXPECT_EQ(site::direction("fa-IR"), "rtl");
  EXPECT_EQ(site::direction("en"), "ltr");
  EXPECT_EQ(site::direction("zh"), "ltr");
  EXPECT_EQ(site::language_name("es"), "Español");
  EXPECT_EQ(site::language_name("pt"), "pt");
  EXPECT_EQ(site::labels("de")["search"], "Search");
}
