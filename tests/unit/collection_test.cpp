// The public collection's pure parts: Chinese and Japanese search terms, query plans, the
// organisers' edits beside the original, the published record and its credit.
#include "publish/domain/collection.hpp"

#include <gtest/gtest.h>

namespace casecall::publish::collection {
namespace {

using json = nlohmann::json;

TEST(collection, chinese_runs_become_overlapping_bigrams_in_order_and_single_characters) {
  EXPECT_EQ(cjk_bigrams("发展电商平台 and 茶"), "发展 展电 电商 商平 平台 茶");
  EXPECT_EQ(cjk_characters("电商电"), "电 商");
  EXPECT_EQ(cjk_bigrams("no Chinese here"), "");
  // Positions in text order with a gap between runs, so no phrase spans two runs; then the
  // single characters, in byte order.
  EXPECT_EQ(cjk_tsvector("电商 平台"), "'电商':1 '平台':3 '~平台':3 '台' '商' '平' '电'");
  EXPECT_EQ(cjk_tsvector("plain"), "");
  // Japanese kana count too.
  EXPECT_EQ(cjk_bigrams("カフェ"), "カフ フェ");
}

TEST(collection, icu_words_are_kept_apart_from_the_bigrams_at_the_position_of_their_first_character) {
  // ICU's dictionary reads 村里 as a word in 村里修建 but not in 乡村里 (乡村 + 里), where the
  // bigram 村里 is still there.
  EXPECT_EQ(cjk_words("村里修建了设施"), (std::vector<std::string>{"~村里", "~修建", "~设施"}));
  EXPECT_EQ(cjk_words("乡村里的茶农"), (std::vector<std::string>{"~乡村"}));
  EXPECT_EQ(cjk_tsvector("乡村里"), "'乡村':1 '村里':2 '~乡村':1 '乡' '村' '里'");
  EXPECT_EQ(cjk_tsvector("光伏电站"), "'光伏':1 '伏电':2 '电站':3 '~电站':3 '伏' '光' '电' '站'");
  EXPECT_EQ(cjk_words("no Chinese here"), std::vector<std::string>{});
  // Japanese too: ICU's dictionary covers it.
  EXPECT_EQ(cjk_words("発展途上国の農村"), (std::vector<std::string>{"~発展", "~途上", "~農村"}));
}

TEST(collection, a_query_is_split_into_words_and_phrases_of_bigrams) {
  auto plan = plan_query("电商");
  EXPECT_EQ(plan.cjk, "'电商'");
  EXPECT_EQ(plan.words, "");
  EXPECT_EQ(plan.cjk_ranking, "") << "ICU's dictionary of 2022 has no 电商";
  plan = plan_query("农村电商 farmers");
  EXPECT_EQ(plan.cjk, "('农村' <-> '村电' <-> '电商')");
  EXPECT_EQ(plan.cjk_ranking, "'~农村'");
  EXPECT_EQ(plan_query("村里 光伏电站").cjk_ranking, "'~村里' | '~电站'");
  EXPECT_EQ(plan.words, "farmers");
  plan = plan_query("茶 women's co-op");
  EXPECT_EQ(plan.cjk, "'茶'");
  EXPECT_EQ(plan.words, "women's co-op");
  EXPECT_EQ(plan_query("").cjk, "");
}

TEST(collection, the_difference_of_two_texts_is_by_word) {
  EXPECT_EQ(text_diff("Farmers sold tea.", "Farmers sold green tea."),
            json::parse(R"([{"op":"=","text":"Farmers sold "},{"op":"+","text":"green "},{"op":"=","text":"tea."}])"));
  EXPECT_EQ(text_diff("农民卖茶", "农民卖绿茶"),
            json::parse(R"([{"op":"=","text":"农民卖"},{"op":"+","text":"绿"},{"op":"=","text":"茶"}])"));
  EXPECT_EQ(text_diff("", ""), json::array());
}

TEST(collection, the_published_record_carries_the_edits_the_original_and_the_authors_credit) {
  const json entry = {
      {"case_id", "0b4b5a77-9f0e-4f5e-9d3a-2f8e6c1d2a10"},
      {"source_number", 2},
      {"source_sha256", std::string(64, 'a')},
      {"original",
       {{"answers",
         {{"title", "Tea"}, {"case_language", "en"}, {"country", "KE"}, {"theme", {"agriculture", "finance"}},
          {"background", "Old text."}, {"approach", "How."}, {"contact_email", "private@example.org"}}},
        {"co_authors", json::array({{{"name", "Ana Pérez"}, {"organisation", "Partner"}}})},
        {"contacts", json::array({{{"name", "Hidden Person"}, {"email", "hidden@example.org"}}})}}},
      {"organisation", {{"names", {{"en", "Mavuno Trust"}, {"fr", "Fondation Mavuno"}}}, {"country", "KE"}, {"kind", "ngo"}}},
      {"curated", {{"background", "New text."}, {"approach", nullptr}}},
      {"rank", 3}};
  const auto r = public_record({{"slug", "gs7-2026"}, {"title", {{"en", "Best practices 2026"}}}}, "GS7-0003", 2,
                               "2026-12-01T10:00:00Z", "Typo fixed.", entry);
  EXPECT_EQ(r["path"], "/cases/gs7-2026/GS7-0003");
  EXPECT_EQ(r["version_path"], "/cases/gs7-2026/GS7-0003/versions/2");
  EXPECT_EQ(r["sections"][0]["text"], "New text.");
  EXPECT_EQ(r["sections"][1]["text"], "How.");  // a null edit is the original
  EXPECT_EQ(r["edited_fields"], json::array({"background"}));
  EXPECT_EQ(r["authors"], json::array({"Mavuno Trust", "Ana Pérez"}));
  EXPECT_EQ(r["credit"]["organisation"], "Mavuno Trust");
  EXPECT_EQ(r["region"], "africa");
  EXPECT_EQ(r["note"], "Typo fixed.");
  // Contacts and their addresses are never published.
  const auto bytes = r.dump();
  EXPECT_EQ(bytes.find("private@example.org"), std::string::npos);
  EXPECT_EQ(bytes.find("Hidden Person"), std::string::npos);
}

TEST(collection, the_sections_and_their_headings_come_from_the_calls_form) {
  const auto form = json::parse(R"json({"sections": [
    {"id": "overview", "titles": {"en": "Overview"}, "fields": [
      {"id": "title", "type": "short_text", "labels": {"en": "Title of the case"}},
      {"id": "english_abstract", "type": "long_text", "labels": {"en": "Abstract in English", "zh": "英文摘要"}},
      {"id": "summary_local", "type": "long_text", "labels": {}}]},
    {"id": "context", "titles": {"en": "Context", "es": "Antecedentes"}, "fields": [
      {"id": "challenges", "type": "long_text", "labels": {"en": "What were the challenges?"}},
      {"id": "budget", "type": "number", "labels": {"en": "Budget"}}]}]})json");
  const auto sections = form_sections(form);
  // A section with one long text is headed by the section's title; with several, each by its
  // label (its id when it has none). Other kinds of field are not prose.
  EXPECT_EQ(sections, json::parse(R"json([
    {"field": "english_abstract", "heading": {"en": "Abstract in English", "zh": "英文摘要"}},
    {"field": "summary_local", "heading": {"en": "summary_local"}},
    {"field": "challenges", "heading": {"en": "Context", "es": "Antecedentes"}}])json"));
  EXPECT_EQ(form_sections(json()), json::array());

  const json edition = {{"slug", "other-2027"}, {"title", {{"en", "Other"}}}, {"sections", sections}};
  const json entry = {{"original", {{"answers", {{"title", "T"}, {"challenges", "Roads."}, {"background", "Not asked."}}}}}};
  const auto r = public_record(edition, "OT-0001", 1, "2027-01-01T00:00:00Z", "", entry);
  ASSERT_EQ(r["sections"].size(), 1u) << r["sections"];
  EXPECT_EQ(r["sections"][0]["field"], "challenges");
  EXPECT_EQ(r["sections"][0]["heading"]["es"], "Antecedentes");
  EXPECT_TRUE(editable_field(edition, "challenges"));
  EXPECT_TRUE(editable_field(edition, "title"));
  EXPECT_FALSE(editable_field(edition, "background"));
  EXPECT_FALSE(editable_field(edition, "budget"));
  // An edition that keeps no sections has the Global Solicitation's, headed in six languages.
  const json older = {{"slug", "gs6-2025"}, {"title", {{"en", "Older"}}}};
  EXPECT_TRUE(editable_field(older, "background"));
  EXPECT_FALSE(editable_field(older, "challenges"));
  EXPECT_EQ(edition_sections(older)[1]["heading"]["ru"], "Предыстория");
}

TEST(collection, an_excerpt_is_cut_by_characters_at_a_space_where_there_is_one) {
  EXPECT_EQ(excerpt("Short.", 10), "Short.");
  EXPECT_EQ(excerpt("Farmers sold tea together", 14), "Farmers sold …");
  // Chinese has no spaces: cut at the character, never inside one.
  EXPECT_EQ(excerpt("县里建设了电商服务站，帮助茶农", 6), "县里建设了电 …");
  // A space only early on: cut at the character rather than lose most of the text.
  EXPECT_EQ(excerpt("Tea 县里建设了电商服务站帮助茶农", 9), "Tea 县里建设了 …");
  EXPECT_EQ(excerpt("", 5), "");
}

TEST(collection, the_vocabularies_of_a_call_name_its_themes_and_regions) {
  const auto vocabulary = call_vocabulary(json::parse(R"json({
    "themes": [{"id": "ecommerce", "labels": {"en": "E-commerce", "zh": "电子商务"}}, {"id": "bare", "labels": {}}, {"labels": {"en": "x"}}],
    "regions": [{"id": "africa", "labels": {"en": "Africa", "fr": "Afrique"}}]})json"));
  EXPECT_EQ(vocabulary, json::parse(R"json({"theme": {"ecommerce": {"en": "E-commerce", "zh": "电子商务"}},
                                             "region": {"africa": {"en": "Africa", "fr": "Afrique"}}})json"));
  EXPECT_EQ(call_vocabulary(json()), json::parse(R"({"theme": {}, "region": {}})"));
}

TEST(collection, a_photo_goes_to_the_decoder_only_when_it_begins_as_its_type_says) {
  using namespace std::string_literals;
  EXPECT_TRUE(begins_as("\xff\xd8\xff\xe0\x00\x10JFIF"s, "image/jpeg"));
  EXPECT_TRUE(begins_as("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"s, "image/png"));
  EXPECT_TRUE(begins_as("RIFF\x24\x00\x00\x00WEBPVP8 "s, "image/webp"));
  EXPECT_FALSE(begins_as("\x89PNG\r\n\x1a\n"s, "image/jpeg"));
  EXPECT_FALSE(begins_as("P1\n2 2\n0 1\n1 0\n", "image/png")) << "a text format libvips could read";
  EXPECT_FALSE(begins_as("RIFF\x24\x00\x00\x00WAVE"s, "image/webp"));
  EXPECT_FALSE(begins_as("\xff\xd8"s, "image/jpeg"));
  EXPECT_FALSE(begins_as("\xff\xd8\xff\xe0"s, "image/gif"));
}

TEST(collection, countries_fall_in_the_calls_regions) {
  EXPECT_EQ(region_of("CN"), "asia_pacific");
  EXPECT_EQ(region_of("SN"), "africa");
  EXPECT_EQ(region_of("PE"), "latin_america");
  EXPECT_EQ(region_of("TN"), "arab_states");
  EXPECT_EQ(region_of("KZ"), "europe_central_asia");
  EXPECT_EQ(region_of("ZZ"), std::nullopt);
}

}  // namespace
}  // namespace casecall::publish::collection
