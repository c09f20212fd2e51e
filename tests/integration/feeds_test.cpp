// The collection for machines over HTTP: OAI-PMH responses valid against the OAI-PMH schema
// (xmllint, schema files in tests/fixtures/oai), 250 records harvested through resumption
// tokens of 100 with none missing or repeated, the protocol's errors; Atom feeds valid against
// RFC 4287's RELAX NG schema (jing); the sitemap.
#include "intake_stack.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>

namespace casecall::testing {
namespace {

using json = nlohmann::json;

// Runs a validator on the document; true when it exits 0. The output goes to the failure message.
bool valid(const std::string& command, const std::string& document, std::string& output) {
  const auto file = env_or_fail("CASECALL_TEST_SCRATCH") + "/doc-" + std::to_string(::getpid()) + ".xml";
  {
    std::ofstream out(file);
    out << document;
  }
  output.clear();
  auto* pipe = ::popen((command + " " + file + " 2>&1").c_str(), "r");
  if (!pipe) return false;
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  std::remove(file.c_str());
  return status == 0;
}

bool oai_valid(const std::string& xml, std::string& output) {
  return valid("xmllint --noout --nonet --schema " + source_dir() + "/tests/fixtures/oai/oai-pmh-with-dc.xsd", xml, output);
}

// 250 published cases in one edition, written straight into publish's tables (publishing
// itself is tested in publish_test): the harvest is what is under test here.
void seed(intake_stack& stack, int n) {
  EXPECT_EQ(stack.call_publish("GET", "/healthz").status, 200);  // started, its schema made
  stack.query_row(
      "WITH e AS (INSERT INTO publish.editions (slug, call_id, title, vocabulary, created_by) VALUES ('gs7-2026', gen_random_uuid(), "
      "'{\"en\": \"Best Poverty Reduction Practices 2026\"}', "
      "'{\"theme\": {\"agriculture\": {\"en\": \"Agriculture and food\", \"fr\": \"Agriculture et alimentation\"}}}', "
      "gen_random_uuid()) RETURNING id), "
      "n AS (INSERT INTO publish.entries (edition_id, reference, case_id, source_number, source_sha256, original) "
      "SELECT e.id, 'GS7-' || lpad(i::text, 4, '0'), gen_random_uuid(), 1, repeat('a', 64), '{}' FROM e, generate_series(1, " +
      std::to_string(n) +
      ") i RETURNING edition_id, reference), "
      "v AS (INSERT INTO publish.versions (edition_id, reference, number, record, sha256, published_by, published_at) "
      "SELECT edition_id, reference, 1, jsonb_build_object('reference', reference, 'number', 1, 'language', 'en', "
      "'title', 'Case ' || reference || ' <&> \"quoted\"', 'edition', jsonb_build_object('slug', 'gs7-2026', 'title', "
      "jsonb_build_object('en', 'Best Poverty Reduction Practices 2026')), 'translations', '{}'::jsonb, "
      "'authors', jsonb_build_array('Org ' || reference), 'themes', jsonb_build_array('agriculture'), "
      "'sections', jsonb_build_array(jsonb_build_object('field', 'background', 'text', 'About ' || reference)), "
      "'published_at', '2026-11-0' || (1 + right(reference, 1)::int % 5) || 'T10:00:00Z', "
      "'path', '/cases/gs7-2026/' || reference, 'country', 'KE'), repeat('b', 64), gen_random_uuid(), "
      "('2026-11-0' || (1 + right(reference, 1)::int % 5) || 'T10:00:00Z')::timestamptz FROM n RETURNING *) "
      "INSERT INTO publish.search (edition_id, reference, number, edition_slug, language, country, region, themes, "
      "title, published_at, document) SELECT edition_id, reference, 1, 'gs7-2026', 'en', 'KE', 'africa', '{agriculture}', "
      "record->>'title', published_at, to_tsvector('english', record->>'title') FROM v RETURNING 1");
}

TEST(feeds, two_hundred_and_fifty_records_are_harvested_through_tokens_of_one_hundred_each_once_all_valid) {
  intake_stack stack({}, true);
  seed(stack, 250);
  std::string output;
  auto identify = stack.call_publish("GET", "/oai?verb=Identify");
  ASSERT_EQ(identify.status, 200);
  EXPECT_EQ(identify.raw.header("Content-Type"), "text/xml; charset=utf-8");
  EXPECT_TRUE(oai_valid(identify.raw.body, output)) << output << identify.raw.body;

  for (const std::string verb : {"ListIdentifiers", "ListRecords"}) {
    std::set<std::string> seen;
    int pages = 0;
    std::string target = "/oai?verb=" + verb + "&metadataPrefix=oai_dc&set=edition:gs7-2026";
    for (;;) {
      auto page = stack.call_publish("GET", target);
      ASSERT_EQ(page.status, 200);
      ASSERT_TRUE(oai_valid(page.raw.body, output)) << output;
      ++pages;
      const std::regex id("<identifier>(oai:[^<]+)</identifier>");
      for (std::sregex_iterator it(page.raw.body.begin(), page.raw.body.end(), id), end; it != end; ++it) {
        EXPECT_TRUE(seen.insert((*it)[1].str()).second) << "repeated " << (*it)[1].str();
      }
      std::smatch token;
      if (!std::regex_search(page.raw.body, token, std::regex("<resumptionToken[^>]*>([^<]+)</resumptionToken>"))) break;
      target = "/oai?verb=" + verb + "&resumptionToken=" + token[1].str();
      ASSERT_LT(pages, 10);
    }
    EXPECT_EQ(pages, 3) << verb;
    EXPECT_EQ(seen.size(), 250u) << verb;
  }

  // GetRecord, ListSets, ListMetadataFormats.
  auto record = stack.call_publish("GET", "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:cases.test:gs7-2026/GS7-0007");
  EXPECT_TRUE(oai_valid(record.raw.body, output)) << output;
  EXPECT_NE(record.raw.body.find("Case GS7-0007 &lt;&amp;&gt;"), std::string::npos);
  // Themes by the names their call gave them, in each language; the country by code and name.
  EXPECT_NE(record.raw.body.find("<dc:subject xml:lang=\"en\">Agriculture and food</dc:subject>"), std::string::npos) << record.raw.body;
  EXPECT_NE(record.raw.body.find("<dc:subject xml:lang=\"fr\">Agriculture et alimentation</dc:subject>"), std::string::npos);
  EXPECT_NE(record.raw.body.find("<dc:coverage>KE</dc:coverage>"), std::string::npos);
  EXPECT_NE(record.raw.body.find("<dc:coverage xml:lang=\"en\">Kenya</dc:coverage>"), std::string::npos);
  auto sets = stack.call_publish("GET", "/oai?verb=ListSets");
  EXPECT_TRUE(oai_valid(sets.raw.body, output)) << output;
  EXPECT_NE(sets.raw.body.find("<setSpec>edition:gs7-2026</setSpec>"), std::string::npos);
  EXPECT_NE(sets.raw.body.find("<setSpec>theme:agriculture</setSpec>"), std::string::npos);
  EXPECT_NE(sets.raw.body.find("<setName>Agriculture and food</setName>"), std::string::npos) << sets.raw.body;
  EXPECT_NE(identify.raw.body.find("<repositoryName>Best Poverty Reduction Practices</repositoryName>"), std::string::npos);
  auto formats = stack.call_publish("GET", "/oai?verb=ListMetadataFormats");
  EXPECT_TRUE(oai_valid(formats.raw.body, output)) << output;
  // A POST without a form is a request without a verb.
  auto form = stack.call_publish("POST", "/oai", std::nullopt, nullptr, {});
  EXPECT_NE(form.raw.body.find("<error code=\"badVerb\""), std::string::npos);
  EXPECT_TRUE(oai_valid(form.raw.body, output)) << output;

  // The protocol's errors, each a valid document.
  const std::vector<std::pair<std::string, std::string>> errors = {
      {"/oai?verb=Nonsense", "badVerb"},
      {"/oai", "badVerb"},
      {"/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01", "badArgument"},
      {"/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2026-11-02&from=2026-11-03", "badArgument"},
      {"/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2026-11-02&until=2026-11-01T00:00:00Z", "badArgument"},
      {"/oai?verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"},
      {"/oai?verb=ListRecords&resumptionToken=garbage", "badResumptionToken"},
      {"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:cases.test:gs7-2026/NOPE", "idDoesNotExist"},
      {"/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01", "noRecordsMatch"},
  };
  for (const auto& [target, code] : errors) {
    auto r = stack.call_publish("GET", target);
    EXPECT_NE(r.raw.body.find("<error code=\"" + code + "\""), std::string::npos) << target << "\n" << r.raw.body;
    EXPECT_TRUE(oai_valid(r.raw.body, output)) << target << "\n" << output;
  }
  // from and until select by datestamp: the cases of 2026-11-02 (references ending in 1 or 6).
  auto day = stack.call_publish("GET", "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&from=2026-11-02&until=2026-11-02");
  EXPECT_TRUE(oai_valid(day.raw.body, output)) << output;
  const std::regex id("<identifier>");
  EXPECT_EQ(std::distance(std::sregex_iterator(day.raw.body.begin(), day.raw.body.end(), id), std::sregex_iterator()), 50);
}

TEST(feeds, the_atom_feeds_are_valid_rfc_4287_and_the_sitemap_lists_every_case) {
  intake_stack stack({}, true);
  seed(stack, 12);
  std::string output;
  const auto rnc = source_dir() + "/tests/fixtures/atom/atom.rnc";
  for (const std::string path : {"/feed.atom", "/editions/gs7-2026/feed.atom"}) {
    auto feed = stack.call_publish("GET", path);
    ASSERT_EQ(feed.status, 200) << path;
    EXPECT_EQ(feed.raw.header("Content-Type"), "application/atom+xml; charset=utf-8");
    EXPECT_TRUE(valid("jing -c " + rnc, feed.raw.body, output)) << path << "\n" << output << "\n" << feed.raw.body;
    const std::regex entry("<entry>");
    EXPECT_EQ(std::distance(std::sregex_iterator(feed.raw.body.begin(), feed.raw.body.end(), entry), std::sregex_iterator()), 12);
    // A theme is a category with its call's name; the collection is the feed's author.
    EXPECT_NE(feed.raw.body.find("term=\"agriculture\" label=\"Agriculture and food\""), std::string::npos) << feed.raw.body;
    EXPECT_NE(feed.raw.body.find("<name>Best Poverty Reduction Practices</name>"), std::string::npos);
  }
  EXPECT_EQ(stack.call_publish("GET", "/editions/nope/feed.atom").status, 404);
  auto sitemap = stack.call_publish("GET", "/sitemap.xml");
  ASSERT_EQ(sitemap.status, 200);
  EXPECT_NE(sitemap.raw.body.find("<loc>http://cases.test/cases/gs7-2026/GS7-0012</loc>"), std::string::npos);
}

}  // namespace
}  // namespace casecall::testing
