// Publish over HTTP: an edition made from a call's accepted cases (decisions from review,
// content from intake), curated beside the kept original, published as immutable versions; a
// correction makes a new version and the old URL still answers, pointing to it; the case page
// escapes hostile text under a strict CSP; search finds Chinese by bigrams and English by
// stem, with facet counts that match the fixture.
#include "review_world.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
using namespace review_support;

std::string fixture_file(const std::string& name) {
  std::ifstream in(source_dir() + "/tests/fixtures/publish/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json fixture() { return json::parse(fixture_file("cases.json")); }

// The fixture's cases submitted by two partners, reviewed and all accepted in a closed round.
struct published_world {
  world w;
  json cases = fixture()["cases"];
  std::map<std::string, std::string> reference;  // fixture key → case reference
  session a, b;
  const std::string photo = fixture_file("field-school.jpg");  // 1,200 × 800 pixels
  std::string photo_id;
  const std::string document = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
  std::string document_id;

  published_world() {
    const auto fao = w.organisation("FAO");
    const auto bank = w.organisation("World Bank");
    w.judge("j1@fao.example", "Judge One", fao);
    w.judge("j2@bank.example", "Judge Two", bank);
    a = w.stack.register_partner("a@example.org", password, "Yunnan Tea Union");
    b = w.stack.register_partner("b@example.org", password, "Sahel Partners");
    std::map<std::string, std::string> ids;
    for (const auto& c : cases) {
      const auto& partner = c["partner"] == "a" ? a : b;
      ids[c["key"]] = w.submit(partner, case_body("x", json{{"answers", c["answers"]}}), [&](const std::string& case_id) {
        if (c["key"] != "en-farmer") return;
        // A photo of the field school, sent whole with its creation.
        auto sent = w.stack.call_raw(
            "POST", "/api/intake/v1/uploads", photo,
            {{"Cookie", partner.cookie}, {"X-CSRF-Token", partner.csrf}, {"Tus-Resumable", "1.0.0"},
             {"Upload-Length", std::to_string(photo.size())}, {"Content-Type", "application/offset+octet-stream"},
             {"Upload-Metadata", "case_id " + base64(case_id) + ",kind " + base64("photo") + ",filename " + base64("plot.jpg")}});
        ASSERT_EQ(sent.status, 201) << sent.raw.body;
        photo_id = sent.raw.header("Location").substr(sent.raw.header("Location").rfind('/') + 1);
        // And a report, a document.
        auto report = w.stack.call_raw(
            "POST", "/api/intake/v1/uploads", document,
            {{"Cookie", partner.cookie}, {"X-CSRF-Token", partner.csrf}, {"Tus-Resumable", "1.0.0"},
             {"Upload-Length", std::to_string(document.size())}, {"Content-Type", "application/offset+octet-stream"},
             {"Upload-Metadata", "case_id " + base64(case_id) + ",kind " + base64("document") + ",filename " + base64("report.pdf")}});
        ASSERT_EQ(report.status, 201) << report.raw.body;
        document_id = report.raw.header("Location").substr(report.raw.header("Location").rfind('/') + 1);
      });
    }
    w.handed_over();
    const auto round = w.round(json{{"kind", "scoring"}, {"rubric", rubric()}});
    w.seat(round, 10);
    EXPECT_EQ(w.stack.call_review("POST", round + "/assignment", json{{"k", 2}, {"m", 2}}, &w.admin).status, 200);
    for (const auto& [judge, s] : w.judges) {
      for (const auto& [key, id] : ids) {
        const auto path = round + "/cases/" + id + "/review";
        EXPECT_EQ(w.stack.call_review("PUT", path, json{{"scores", {{"results", 7}, {"innovation", 6}}}}, &s).status, 200);
        EXPECT_EQ(w.stack.call_review("POST", path + "/submit", std::nullopt, &s).status, 200);
      }
    }
    for (const auto& [key, id] : ids) {
      EXPECT_EQ(w.stack.call_review("PUT", round + "/decisions/" + id, json{{"decision", "accept"}, {"reason", "Selected."}}, &w.admin).status,
                200);
      reference[key] = w.stack.query_row("SELECT reference FROM review.cases WHERE case_id = '" + id + "'")[0];
    }
    EXPECT_EQ(w.stack.call_review("POST", round + "/close", std::nullopt, &w.admin).status, 200);
  }

  api_response make_edition() {
    return w.stack.call_publish("POST", "/api/publish/v1/editions",
                                json{{"slug", "gs7-2026"}, {"call_id", w.call_id},
                                     {"title", {{"en", "Best Poverty Reduction Practices 2026"}, {"zh", "2026年最佳减贫案例"}}}},
                                &w.admin);
  }
};

TEST(publish, an_edition_is_curated_and_published_and_a_correction_keeps_the_old_version_reachable) {
  published_world pw;
  auto& stack = pw.w.stack;
  const auto& admin = pw.w.admin;
  // Nothing to publish before the edition exists; partners may not make one.
  EXPECT_EQ(stack.call_publish("POST", "/api/publish/v1/editions", json{{"slug", "x1"}, {"call_id", pw.w.call_id}, {"title", {{"en", "X"}}}},
                               &pw.a)
                .status,
            403);
  // A slug that could not be a URL segment; a call with no closed round's acceptances.
  EXPECT_EQ(stack.call_publish("POST", "/api/publish/v1/editions", json{{"slug", "GS7 2026"}, {"call_id", pw.w.call_id},
                                                                        {"title", {{"en", "X"}}}},
                               &admin)
                .field_errors(),
            (std::vector<std::string>{"/slug bad_format"}));
  auto nothing = stack.call_publish("POST", "/api/publish/v1/editions",
                                    json{{"slug", "other"}, {"call_id", "7d0e4c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6"}, {"title", {{"en", "X"}}}},
                                    &admin);
  EXPECT_EQ(nothing.status, 409);
  EXPECT_EQ(nothing.code(), "no_accepted_cases");
  // Sections the call's form does not have as long texts are refused by position.
  EXPECT_EQ(stack.call_publish("POST", "/api/publish/v1/editions",
                               json{{"slug", "other"}, {"call_id", pw.w.call_id}, {"title", {{"en", "X"}}},
                                    {"sections", {"background", "country", "nope"}}},
                               &admin)
                .field_errors(),
            (std::vector<std::string>{"/sections/1 not_a_prose_field", "/sections/2 not_a_prose_field"}));
  auto made = pw.make_edition();
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.body["entries"], 5);
  EXPECT_EQ(made.body["sections"][0]["field"], "english_abstract");  // every long text of the form, in its order
  EXPECT_EQ(made.body["unpublished_changes"], 5);
  EXPECT_EQ(pw.make_edition().code(), "edition_exists");
  // Administrators see the edition before anything of it is published; the public does not.
  auto drafts = stack.call_publish("GET", "/api/publish/v1/admin/editions", std::nullopt, &admin);
  ASSERT_EQ(drafts.status, 200) << drafts.raw.body;
  ASSERT_EQ(drafts.body["items"].size(), 1u);
  EXPECT_EQ(drafts.body["items"][0]["slug"], "gs7-2026");
  EXPECT_EQ(drafts.body["items"][0]["published"], 0);
  EXPECT_EQ(drafts.body["items"][0]["unpublished_changes"], 5);
  EXPECT_EQ(stack.call_publish("GET", "/api/publish/v1/editions").body["items"], json::array());
  EXPECT_EQ(stack.call_publish("GET", "/api/publish/v1/admin/editions", std::nullopt, &pw.a).status, 403);
  EXPECT_EQ(stack.call_publish("GET", "/api/publish/v1/admin/editions").status, 401);

  const auto ref = pw.reference["en-farmer"];
  const auto entry = "/api/publish/v1/editions/gs7-2026/entries/" + ref;
  auto before = stack.call_publish("GET", entry, std::nullopt, &admin);
  ASSERT_EQ(before.status, 200) << before.raw.body;
  const auto original = before.body["original"]["answers"]["background"].get<std::string>();

  // Curation: the organisers' text beside the kept original, with a diff.
  auto curated = stack.call_publish("PATCH", entry, json{{"answers", {{"background", "Each farmer group met weekly in a shared plot."}}}},
                                    &admin, {{"If-Match", before.raw.header("ETag")}});
  ASSERT_EQ(curated.status, 200) << curated.raw.body;
  EXPECT_EQ(curated.body["original"]["answers"]["background"], original);
  EXPECT_EQ(curated.body["diff"]["background"][1], json({{"op", "-"}, {"text", "demonstration"}}));
  EXPECT_EQ(stack.call_publish("PATCH", entry, json{{"answers", {{"background", "Stale."}}}}, &admin,
                               {{"If-Match", before.raw.header("ETag")}})
                .status,
            412);
  EXPECT_EQ(stack.call_publish("PATCH", entry, json{{"answers", {{"contact_email", "x@example.org"}}}}, &admin,
                               {{"If-Match", curated.raw.header("ETag")}})
                .field_errors(),
            (std::vector<std::string>{"/answers/contact_email not_editable"}));

  // A translation with its provenance; removing one that is not there changes nothing.
  auto translated = stack.call_publish(
      "PATCH", entry,
      json::parse(R"({"translations": {"fr": {"title": {"text": "Écoles de terrain à Kitui", "provenance": "organiser"}},
                                        "pt": {"title": null}}})"),
      &admin, {{"If-Match", curated.raw.header("ETag")}});
  ASSERT_EQ(translated.status, 200) << translated.raw.body;
  EXPECT_EQ(translated.body["translations"], json::parse(R"({"fr":{"title":{"text":"Écoles de terrain à Kitui","provenance":"organiser"}}})"));

  auto published = stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &admin);
  ASSERT_EQ(published.status, 200) << published.raw.body;
  EXPECT_EQ(published.body["published"].size(), 5u);
  auto after = stack.call_publish("GET", "/api/publish/v1/admin/editions", std::nullopt, &admin).body["items"][0];
  EXPECT_EQ(after["published"], 5);
  EXPECT_EQ(after["unpublished_changes"], 0);
  // A batch naming a case the edition does not have publishes nothing and says which.
  EXPECT_EQ(stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json{{"references", {ref, "NOPE-1"}}}, &admin)
                .field_errors(),
            (std::vector<std::string>{"/references/1 not_in_edition"}));
  // Publishing again with nothing changed makes no new version.
  EXPECT_EQ(stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &admin).body["published"].size(), 0u);

  const auto page_path = "/cases/gs7-2026/" + ref;
  auto page = stack.call_publish("GET", page_path);
  ASSERT_EQ(page.status, 200) << page.raw.body;
  EXPECT_NE(page.raw.body.find("in a shared plot"), std::string::npos);
  EXPECT_EQ(page.raw.body.find("demonstration plot"), std::string::npos);
  EXPECT_NE(page.raw.body.find("Sahel Partners"), std::string::npos);  // the authors' credit
  EXPECT_NE(page.raw.header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(page.raw.body.find("hreflang=\"fr\""), std::string::npos);
  EXPECT_NE(page.raw.body.find("Kenya"), std::string::npos);
  auto french = stack.call_publish("GET", page_path + "?lang=fr");
  EXPECT_NE(french.raw.body.find("<h1>Écoles de terrain à Kitui</h1>"), std::string::npos);
  // The home page: the site in the reader's language, the editions, the latest cases.
  auto home = stack.call_publish("GET", "/", std::nullopt, nullptr, {{"Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5"}});
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.raw.body.find("<h1>Meilleures pratiques de réduction de la pauvreté</h1>"), std::string::npos) << home.raw.body;
  EXPECT_NE(home.raw.body.find("<html lang=\"fr\""), std::string::npos);
  EXPECT_NE(home.raw.body.find("href=\"/editions/gs7-2026\">Best Poverty Reduction Practices 2026</a>"), std::string::npos);
  EXPECT_NE(home.raw.body.find(">Field schools in Kitui</a>"), std::string::npos);
  auto list = stack.call_publish("GET", "/editions?lang=zh");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.raw.body.find("2026年最佳减贫案例"), std::string::npos);
  EXPECT_NE(list.raw.body.find("案例: 5"), std::string::npos);
  // The edition: the call's names of its themes, its first publication, in the API too.
  auto edition = stack.call_publish("GET", "/api/publish/v1/editions/gs7-2026");
  ASSERT_EQ(edition.status, 200);
  EXPECT_EQ(edition.body["vocabulary"]["theme"]["finance"]["en"], "Inclusive finance");
  EXPECT_EQ(edition.body["published_at"].get<std::string>().size(), 20u);
  auto edition_page = stack.call_publish("GET", "/editions/gs7-2026");
  EXPECT_NE(edition_page.raw.body.find("Inclusive finance"), std::string::npos);
  EXPECT_NE(edition_page.raw.body.find("Senegal"), std::string::npos);
  EXPECT_NE(edition_page.raw.body.find(edition.body["published_at"].get<std::string>().substr(0, 10)), std::string::npos);
  EXPECT_NE(french.raw.body.find("Traduit par les organisateurs"), std::string::npos);

  // A published version never changes.
  auto frozen = stack.call_publish("PATCH", "/api/publish/v1/editions/gs7-2026/cases/" + ref + "/versions/1",
                                   json{{"answers", {{"background", "No."}}}}, &admin);
  EXPECT_EQ(frozen.status, 409);
  EXPECT_EQ(frozen.code(), "version_published");
  EXPECT_THROW(stack.query_row("UPDATE publish.versions SET note = 'x' RETURNING 1"), std::exception);

  // A correction: version 2; version 1 still answers, says it is not current and links to it.
  auto again = stack.call_publish("GET", entry, std::nullopt, &admin);
  ASSERT_EQ(stack.call_publish("PATCH", entry, json{{"answers", {{"results", "Yields of sorghum rose by a quarter."}}}}, &admin,
                               {{"If-Match", again.raw.header("ETag")}})
                .status,
            200);
  EXPECT_EQ(stack.call_publish("GET", "/api/publish/v1/admin/editions", std::nullopt, &admin).body["items"][0]["unpublished_changes"], 1);
  auto corrected = stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish",
                                      json{{"references", {ref}}, {"note", "The yield figure is corrected."}}, &admin);
  ASSERT_EQ(corrected.status, 200) << corrected.raw.body;
  ASSERT_EQ(corrected.body["published"].size(), 1u);
  EXPECT_EQ(corrected.body["published"][0]["number"], 2);
  auto current = stack.call_publish("GET", "/api/publish/v1/cases/gs7-2026/" + ref);
  EXPECT_EQ(current.body["number"], 2);
  EXPECT_EQ(stack.call_publish("GET", "/api/publish/v1/admin/editions", std::nullopt, &admin).body["items"][0]["unpublished_changes"], 0);
  // The sections are the call form's long texts, headed by its section titles.
  ASSERT_FALSE(current.body["sections"].empty());
  EXPECT_EQ(current.body["sections"][0]["field"], "background");
  EXPECT_EQ(current.body["sections"][0]["heading"]["es"], "Antecedentes");  // the form's; the built-in is "Contexto"
  EXPECT_EQ(current.body["note"], "The yield figure is corrected.");
  EXPECT_EQ(current.body["versions"].size(), 2u);
  auto old = stack.call_publish("GET", page_path + "/versions/1");
  ASSERT_EQ(old.status, 200) << old.raw.body;
  EXPECT_NE(old.raw.body.find("href=\"" + page_path + "\""), std::string::npos);
  EXPECT_NE(old.raw.body.find("earlier version"), std::string::npos);
  EXPECT_NE(old.raw.body.find("by a third"), std::string::npos);
  EXPECT_EQ(old.raw.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_FALSE(old.raw.header("ETag").empty());
  EXPECT_FALSE(old.raw.header("Last-Modified").empty());
  auto revalidated = stack.call_publish("GET", page_path + "/versions/1", std::nullopt, nullptr, {{"If-None-Match", old.raw.header("ETag")}});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_EQ(stack.call_publish("GET", page_path + "/versions/3").status, 404);
  EXPECT_EQ(stack.call_publish("GET", "/cases/gs7-2026/NOPE-1").raw.header("Content-Type"), "text/html; charset=utf-8");

  EXPECT_EQ(stack.query_row("SELECT count(*) FROM audit.events WHERE stream = 'publish' AND action = 'version.published'")[0], "6");

  // An edition that publishes only some of the form's long texts, in the organisers' order.
  auto chosen = stack.call_publish("POST", "/api/publish/v1/editions",
                                   json{{"slug", "results-2026"}, {"call_id", pw.w.call_id}, {"title", {{"en", "Results"}}},
                                        {"sections", {"results", "background"}}},
                                   &admin);
  ASSERT_EQ(chosen.status, 201) << chosen.raw.body;
  EXPECT_EQ(chosen.body["sections"].size(), 2u);
  EXPECT_EQ(stack.call_publish("PATCH", "/api/publish/v1/editions/results-2026/entries/" + ref,
                               json{{"answers", {{"approach", "Not published here."}}}}, &admin, {{"If-Match", "\"1\""}})
                .field_errors(),
            (std::vector<std::string>{"/answers/approach not_editable"}));
  ASSERT_EQ(stack.call_publish("POST", "/api/publish/v1/editions/results-2026/publish", json::object(), &admin).status, 200);
  auto short_case = stack.call_publish("GET", "/api/publish/v1/cases/results-2026/" + ref);
  ASSERT_EQ(short_case.status, 200);
  std::vector<std::string> fields;
  for (const auto& section : short_case.body["sections"]) fields.push_back(section["field"].get<std::string>());
  EXPECT_EQ(fields, (std::vector<std::string>{"results", "background"}));
}

TEST(publish, hostile_text_is_shown_as_text_under_a_csp_without_inline_scripts) {
  published_world pw;
  ASSERT_EQ(pw.make_edition().status, 201);
  ASSERT_EQ(pw.w.stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &pw.w.admin).status, 200);
  auto page = pw.w.stack.call_publish("GET", "/cases/gs7-2026/" + pw.reference["es-hostile"]);
  ASSERT_EQ(page.status, 200);
  const auto& html = page.raw.body;
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript:"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // The only script element is the JSON-LD data block, which holds no "</script" of its own.
  const auto ld = html.find("<script type=\"application/ld+json\">");
  ASSERT_NE(ld, std::string::npos);
  const auto ld_end = html.find("</script>", ld);
  EXPECT_EQ(html.find("<script", ld + 1), html.find("<script", ld_end) == std::string::npos ? std::string::npos : html.find("<script", ld_end));
  EXPECT_EQ(html.find("<script", ld_end), std::string::npos);
  EXPECT_EQ(page.raw.header("Content-Security-Policy").find("script-src"), std::string::npos);  // default-src 'none' covers scripts
}

TEST(publish, search_finds_chinese_by_bigrams_ranks_by_icu_words_and_english_by_stem_and_counts_facets_as_the_fixture_does) {
  published_world pw;
  ASSERT_EQ(pw.make_edition().status, 201);
  ASSERT_EQ(pw.w.stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &pw.w.admin).status, 200);
  auto refs = [&](const api_response& r) {
    std::set<std::string> out;
    for (const auto& item : r.body["items"]) out.insert(item["reference"].get<std::string>());
    return out;
  };
  auto ecommerce = pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=%E7%94%B5%E5%95%86");  // 电商
  ASSERT_EQ(ecommerce.status, 200) << ecommerce.raw.body;
  EXPECT_EQ(refs(ecommerce), (std::set<std::string>{pw.reference["zh-ecommerce"]}));
  // 村里 stands as a word (ICU's dictionary) in the solar case and only as two characters
  // meeting (乡村 + 里) in the other: both are found, the word first.
  auto village = pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=%E6%9D%91%E9%87%8C");  // 村里
  ASSERT_EQ(village.body["items"].size(), 2u) << village.raw.body;
  EXPECT_EQ(village.body["items"][0]["reference"], pw.reference["zh-solar"]);
  EXPECT_EQ(village.body["items"][1]["reference"], pw.reference["zh-ecommerce"]);
  EXPECT_GT(village.body["items"][0]["score"].get<double>(), village.body["items"][1]["score"].get<double>());
  auto farmers = pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=farmers");
  EXPECT_EQ(refs(farmers), (std::set<std::string>{pw.reference["en-farmer"]}));
  // The snippet marks what matched: "farmer" in "Each farmer group met weekly" and in "one lead
  // farmer per village".
  std::vector<std::string> hits;
  for (const auto& part : farmers.body["items"][0]["snippet"]) {
    if (part["hit"] == true) hits.push_back(part["text"].get<std::string>());
  }
  EXPECT_EQ(hits, (std::vector<std::string>{"farmer", "farmer"}));
  EXPECT_EQ(farmers.body["items"][0]["path"], "/cases/gs7-2026/" + pw.reference["en-farmer"]);
  // A query with no word in it finds nothing, and every facet is there, empty.
  auto nothing = pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=%21%21%21");  // !!!
  ASSERT_EQ(nothing.status, 200);
  EXPECT_EQ(nothing.body["total"], 0);
  EXPECT_EQ(nothing.body["items"], json::array());
  for (const auto& [facet, values] : nothing.body["facets"].items()) EXPECT_EQ(values, json::array()) << facet;
  EXPECT_EQ(nothing.body["facets"].size(), 6u);
  auto french = pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=productrice");
  EXPECT_EQ(refs(french), (std::set<std::string>{pw.reference["fr-credit"]}));
  // One character finds every case that has it.
  auto tea = pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=%E8%8C%B6");  // 茶
  EXPECT_EQ(refs(tea), (std::set<std::string>{pw.reference["zh-ecommerce"]}));

  // Facets with no query, against counts made here from the fixture.
  auto all = pw.w.stack.call_publish("GET", "/api/publish/v1/search");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body["total"], 5);
  std::map<std::string, std::map<std::string, int>> expected;
  for (const auto& c : pw.cases) {
    ++expected["country"][c["answers"]["country"].get<std::string>()];
    ++expected["language"][c["answers"]["case_language"].get<std::string>()];
    ++expected["region"][c["expect"]["region"].get<std::string>()];
    ++expected["edition"]["gs7-2026"];
    for (const auto& t : c["answers"]["theme"]) ++expected["theme"][t.get<std::string>()];
  }
  for (const auto& [facet, counts] : expected) {
    std::map<std::string, int> got;
    for (const auto& v : all.body["facets"][facet]) got[v["value"].get<std::string>()] = v["count"].get<int>();
    EXPECT_EQ(got, counts) << facet;
  }
  // A filter narrows the results and the other facets, not its own.
  auto kenya = pw.w.stack.call_publish("GET", "/api/publish/v1/search?country=KE");
  EXPECT_EQ(kenya.body["total"], 1);
  EXPECT_EQ(kenya.body["facets"]["country"].size(), 4u);
  EXPECT_EQ(kenya.body["facets"]["theme"].size(), 2u);
  // The search page shows the same, as HTML.
  auto html = pw.w.stack.call_publish("GET", "/search?q=farmers");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.raw.body.find("Field schools in Kitui"), std::string::npos);
  // Its facets and results name things as readers know them: countries by ICU in the reader's
  // language, themes as the call named them, editions by title, languages by their own name.
  auto facets_page = pw.w.stack.call_publish("GET", "/search?lang=fr");
  ASSERT_EQ(facets_page.status, 200);
  for (const auto* name : {"Sénégal", "Kenya", "Pérou", "Chine", "Inclusive finance", "E-commerce", "中文",
                           "Best Poverty Reduction Practices 2026", "Afrique", "ONG"}) {
    EXPECT_NE(facets_page.raw.body.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(facets_page.raw.body.find(">SN<"), std::string::npos);
  EXPECT_NE(pw.w.stack.call_publish("GET", "/search?lang=zh").raw.body.find("2026年最佳减贫案例"), std::string::npos);
  EXPECT_EQ(pw.w.stack.call_publish("GET", "/api/publish/v1/search?page=0").field_errors(), (std::vector<std::string>{"page out_of_range"}));
  EXPECT_EQ(pw.w.stack.call_publish("GET", "/api/publish/v1/search?q=%FF%FE&country=%C3").field_errors(),
            (std::vector<std::string>{"q bad_format", "country bad_format"}));
}

// An image's size as vipsheader reads it ("480x320"), with vipsheader's output.
std::pair<std::string, std::string> image_size(const std::string& bytes) {
  const auto file = env_or_fail("CASECALL_TEST_SCRATCH") + "/image-" + std::to_string(::getpid()) + ".jpg";
  {
    std::ofstream out(file, std::ios::binary);
    out << bytes;
  }
  auto* pipe = ::popen(("vipsheader " + file + " 2>&1").c_str(), "r");
  std::string text;
  char buffer[1024];
  while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
  if (pipe != nullptr) ::pclose(pipe);
  std::remove(file.c_str());
  std::smatch m;
  return {std::regex_search(text, m, std::regex(R"(: (\d+x\d+) )")) ? m[1].str() : std::string(), text};
}

// The entries of a ZIP archive of stored entries, by name (what the bundle writes).
std::map<std::string, std::string> unzip_stored(const std::string& zip) {
  auto u16 = [&](std::size_t at) { return static_cast<std::size_t>(static_cast<unsigned char>(zip[at])) |
                                          static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 1])) << 8; };
  auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
  std::map<std::string, std::string> out;
  const auto end = zip.rfind(std::string("PK\x05\x06", 4));
  if (end == std::string::npos) return out;
  std::size_t at = u32(end + 16);
  for (std::size_t i = 0; i < u16(end + 10); ++i) {
    EXPECT_EQ(zip.substr(at, 4), std::string("PK\x01\x02", 4));
    EXPECT_EQ(u16(at + 10), 0u) << "stored";
    const auto size = u32(at + 20);
    const auto name_length = u16(at + 28);
    const auto name = zip.substr(at + 46, name_length);
    const auto local = u32(at + 42);
    out[name] = zip.substr(local + 30 + u16(local + 26) + u16(local + 28), size);
    at += 46 + name_length + u16(at + 30) + u16(at + 32);
  }
  return out;
}

TEST(publish, the_editions_bundle_holds_its_cases_and_public_files_and_a_manifest_of_their_sha256s) {
  published_world pw;
  auto& stack = pw.w.stack;
  ASSERT_EQ(pw.make_edition().status, 201);
  const auto entry = "/api/publish/v1/editions/gs7-2026/entries/" + pw.reference["en-farmer"];
  auto before = stack.call_publish("GET", entry, std::nullopt, &pw.w.admin);
  auto chosen = stack.call_publish("PATCH", entry,
                                   json{{"public_files", {pw.photo_id}},
                                        {"photos", json::array({{{"attachment_id", pw.photo_id},
                                                                 {"caption", {{"en", "The plot"}}}, {"credit", "Sahel Partners"}}})}},
                                   &pw.w.admin, {{"If-Match", before.raw.header("ETag")}});
  ASSERT_EQ(chosen.status, 200) << chosen.raw.body;
  // Only the case's own files can be chosen.
  EXPECT_EQ(stack.call_publish("PATCH", entry, json{{"public_files", {pw.w.call_id}}}, &pw.w.admin,
                               {{"If-Match", chosen.raw.header("ETag")}})
                .field_errors(),
            (std::vector<std::string>{"/public_files/0 unknown_attachment"}));
  ASSERT_EQ(stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &pw.w.admin).status, 200);

  // The case page shows the photo with its caption and credit, and lists the public file.
  const auto case_path = "/cases/gs7-2026/" + pw.reference["en-farmer"];
  auto page = stack.call_publish("GET", case_path);
  const auto src = case_path + "/files/" + pw.photo_id;
  EXPECT_NE(page.raw.body.find("<a href=\"" + src + "\"><img src=\"" + src + "?width=960\""), std::string::npos) << page.raw.body;
  EXPECT_NE(page.raw.body.find("alt=\"The plot\""), std::string::npos);
  EXPECT_NE(page.raw.body.find("Sahel Partners</span>"), std::string::npos);
  // The only photo is the cover: it heads the page and stands for it when shared.
  EXPECT_NE(page.raw.body.find("<figure class=\"cover\">\n<a href=\"" + src + "\">"), std::string::npos);
  EXPECT_TRUE(std::regex_search(page.raw.body, std::regex("<meta property=\"og:image\" content=\"http[^\"]*" + src + "\\?width=1600\">")));
  EXPECT_TRUE(std::regex_search(page.raw.body, std::regex("\"image\":\"http[^\"]*" + src + "\\?width=1600\"")));
  EXPECT_NE(page.raw.body.find("<a href=\"" + src + "\">plot.jpg</a>"), std::string::npos);
  auto image = stack.call_publish("GET", src);
  ASSERT_EQ(image.status, 200) << image.raw.body;
  EXPECT_EQ(image.raw.body, pw.photo);
  EXPECT_EQ(image.raw.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(image.raw.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(stack.call_publish("GET", src, std::nullopt, nullptr, {{"If-None-Match", image.raw.header("ETag")}}).status, 304);
  // Smaller copies for slow links: made once, kept, no wider than asked.
  EXPECT_NE(page.raw.body.find("srcset=\"" + src + "?width=480 480w, " + src + "?width=960 960w, " + src + "?width=1600 1600w\""),
            std::string::npos);
  auto small = stack.call_publish("GET", src + "?width=480");
  ASSERT_EQ(small.status, 200) << small.raw.body.substr(0, 300);
  EXPECT_EQ(small.raw.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(small.raw.body.substr(0, 3), "\xff\xd8\xff");
  EXPECT_LT(small.raw.body.size(), pw.photo.size());
  const auto [size, size_status] = image_size(small.raw.body);
  EXPECT_EQ(size, "480x320") << size_status;
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM publish.renditions WHERE width = 480")[0], "1");
  EXPECT_EQ(stack.call_publish("GET", src + "?width=480").raw.body, small.raw.body);
  EXPECT_EQ(stack.call_publish("GET", src + "?width=480", std::nullopt, nullptr, {{"If-None-Match", small.raw.header("ETag")}}).status,
            304);
  EXPECT_NE(small.raw.header("ETag"), image.raw.header("ETag"));
  // Never wider than the photo: 1600 asked of a 1,200-pixel photo gives 1,200.
  EXPECT_EQ(image_size(stack.call_publish("GET", src + "?width=1600").raw.body).first, "1200x800");
  EXPECT_EQ(stack.call_publish("GET", src + "?width=500").field_errors(), (std::vector<std::string>{"width not_allowed"}));
  // Only what a published version makes public: another case's path, or an unknown id, is 404.
  EXPECT_EQ(stack.call_publish("GET", "/cases/gs7-2026/" + pw.reference["fr-credit"] + "/files/" + pw.photo_id).status, 404);

  auto bundle = stack.call_publish("GET", "/api/publish/v1/editions/gs7-2026/export.zip");
  ASSERT_EQ(bundle.status, 200) << bundle.raw.body;
  EXPECT_EQ(bundle.raw.header("Content-Type"), "application/zip");
  const auto files = unzip_stored(bundle.raw.body);
  ASSERT_TRUE(files.count("gs7-2026/manifest.json"));
  const auto manifest = json::parse(files.at("gs7-2026/manifest.json"));
  ASSERT_EQ(manifest["files"].size(), 3u);  // cases.json, cases.csv, the photo
  for (const auto& f : manifest["files"]) {
    const auto name = "gs7-2026/" + f["path"].get<std::string>();
    ASSERT_TRUE(files.count(name)) << name;
    EXPECT_EQ(sha256_hex(files.at(name)), f["sha256"]) << name;
    EXPECT_EQ(files.at(name).size(), f["size"].get<std::size_t>()) << name;
  }
  EXPECT_EQ(files.at("gs7-2026/files/" + pw.reference["en-farmer"] + "/plot.jpg"), pw.photo);
  EXPECT_EQ(json::parse(files.at("gs7-2026/cases.json"))["cases"].size(), 5u);

  auto csv = stack.call_publish("GET", "/api/publish/v1/editions/gs7-2026/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(std::count(csv.raw.body.begin(), csv.raw.body.end(), '\n'), 6);  // the header and five cases
  EXPECT_NE(csv.raw.body.find(",<script>alert(1)</script> Comedores comunitarios,"), std::string::npos);
  auto exported = stack.call_publish("GET", "/api/publish/v1/editions/gs7-2026/export.json");
  EXPECT_EQ(exported.body["cases"].size(), 5u);
  EXPECT_EQ(stack.call_publish("GET", "/api/publish/v1/editions/nope/export.zip").status, 404);

  // The report made public too: a download, and no smaller copy of it is made (it is no photo).
  auto now = stack.call_publish("GET", entry, std::nullopt, &pw.w.admin);
  ASSERT_EQ(stack.call_publish("PATCH", entry, json{{"public_files", {pw.photo_id, pw.document_id}}}, &pw.w.admin,
                               {{"If-Match", now.raw.header("ETag")}})
                .status,
            200);
  ASSERT_EQ(stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &pw.w.admin).status, 200);
  const auto report = case_path + "/files/" + pw.document_id;
  auto download = stack.call_publish("GET", report);
  ASSERT_EQ(download.status, 200) << download.raw.body;
  EXPECT_EQ(download.raw.body, pw.document);
  EXPECT_EQ(download.raw.header("Content-Disposition"), "attachment");
  EXPECT_EQ(stack.call_publish("GET", report + "?width=480").status, 404);
  EXPECT_EQ(stack.query_row("SELECT count(*) FROM publish.renditions WHERE attachment_id = '" + pw.document_id + "'")[0], "0");
}

// What a poppler tool says of a PDF (its output and exit status).
std::pair<std::string, int> poppler(const std::string& tool, const std::string& pdf) {
  const auto file = env_or_fail("CASECALL_TEST_SCRATCH") + "/casebook-" + std::to_string(::getpid()) + ".pdf";
  {
    std::ofstream out(file, std::ios::binary);
    out << pdf;
  }
  auto* pipe = ::popen((tool + " " + file + (tool == "pdftotext" ? " -" : "") + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"popen failed", -1};
  std::string text;
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  const int status = ::pclose(pipe);
  std::remove(file.c_str());
  return {text, status};
}

TEST(publish, the_casebook_is_a_pdf_with_a_page_for_each_case_at_least) {
  published_world pw;
  ASSERT_EQ(pw.make_edition().status, 201);
  ASSERT_EQ(pw.w.stack.call_publish("POST", "/api/publish/v1/editions/gs7-2026/publish", json::object(), &pw.w.admin).status, 200);
  auto pdf = pw.w.stack.call_publish("GET", "/editions/gs7-2026/casebook.pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.raw.body.substr(0, 300);
  EXPECT_EQ(pdf.raw.header("Content-Type"), "application/pdf");
  const auto [info, status] = poppler("pdfinfo", pdf.raw.body);
  EXPECT_EQ(status, 0) << info;
  std::smatch pages;
  ASSERT_TRUE(std::regex_search(info, pages, std::regex(R"(Pages:\s+(\d+))"))) << info;
  EXPECT_GE(std::stoi(pages[1].str()), 6) << info;  // the title page and five cases
  // Each case under its own language's headings (the call form's), the title page in the
  // reader's.
  const auto [text, text_status] = poppler("pdftotext", pdf.raw.body);
  EXPECT_EQ(text_status, 0) << text;
  EXPECT_NE(text.find("Cases: 5"), std::string::npos) << text.substr(0, 500);
  EXPECT_NE(text.find("Background"), std::string::npos);
  EXPECT_NE(text.find("背景"), std::string::npos);        // the Chinese cases'
  EXPECT_NE(text.find("Antecedentes"), std::string::npos);  // the Spanish case's
  auto chinese = pw.w.stack.call_publish("GET", "/editions/gs7-2026/casebook.pdf?lang=zh");
  ASSERT_EQ(chinese.status, 200);
  EXPECT_NE(chinese.raw.header("Content-Disposition").find("gs7-2026-casebook-zh.pdf"), std::string::npos);
  EXPECT_NE(chinese.raw.header("ETag"), pdf.raw.header("ETag"));
  EXPECT_NE(poppler("pdftotext", chinese.raw.body).first.find("案例: 5"), std::string::npos);
  // The same edition again: the same PDF, from the cache.
  auto again = pw.w.stack.call_publish("GET", "/editions/gs7-2026/casebook.pdf");
  EXPECT_EQ(again.raw.header("ETag"), pdf.raw.header("ETag"));
  EXPECT_EQ(pw.w.stack.call_publish("GET", "/editions/nope/casebook.pdf").status, 404);
}

}  // namespace
}  // namespace casecall::testing
