// The OAI-PMH 2.0 data provider over an in-memory store: each verb, paging by resumption
// tokens, every error the protocol names, and escaping. Every response document a test gets is
// validated by xmllint against the OAI-PMH schema with oai_dc (tests/fixtures/oai/), valid
// responses and errors alike.
#include "publish/domain/oai.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace casecall::publish::oai {
namespace {

// ---- the store ---------------------------------------------------------------------------------

bool in_set(const record& r, const std::string& set) {
  return std::any_of(r.sets.begin(), r.sets.end(),
                     [&](const std::string& spec) { return spec == set || spec.starts_with(set + ":"); });
}

class memory_store final : public store {
 public:
  std::vector<record> records;
  std::vector<set_info> set_list;
  std::vector<list_query> queries;  // what list() was asked, in order

  std::vector<set_info> sets() override { return set_list; }

  std::optional<record> get(const std::string& identifier) override {
    for (const auto& r : records) {
      if (r.identifier == identifier) return r;
    }
    return std::nullopt;
  }

  page list(const list_query& q, std::size_t offset, std::size_t limit) override {
    queries.push_back(q);
    std::vector<record> matching;
    for (const auto& r : records) {
      if (q.from && r.datestamp < *q.from) continue;
      if (q.until && r.datestamp > *q.until) continue;
      if (q.set && !in_set(r, *q.set)) continue;
      matching.push_back(r);
    }
    std::sort(matching.begin(), matching.end(), [](const record& a, const record& b) {
      return std::tie(a.datestamp, a.identifier) < std::tie(b.datestamp, b.identifier);
    });
    page p;
    p.complete_size = matching.size();
    const auto first = std::min(offset, matching.size());
    const auto last = std::min(matching.size(), first + limit);
    p.records.assign(matching.begin() + static_cast<std::ptrdiff_t>(first), matching.begin() + static_cast<std::ptrdiff_t>(last));
    return p;
  }
};

std::string four_digits(int n) {
  std::string s = std::to_string(n);
  return std::string(4 - std::min<std::size_t>(4, s.size()), '0') + s;
}

std::string two_digits(int n) { return n < 10 ? "0" + std::to_string(n) : std::to_string(n); }

record case_record(int n, const std::string& edition, const std::string& datestamp) {
  const std::string reference = "GS7-" + four_digits(n);
  record r;
  r.identifier = "oai:cases.example.org:" + edition + "/" + reference;
  r.datestamp = datestamp;
  r.sets = {"edition:" + edition, "theme:agriculture"};
  r.title = {{"Case " + reference, "en"}, {"Cas " + reference, "fr"}};
  r.creator = {{"Ministry of Agriculture, Kenya", ""}};
  r.subject = {{"smallholder farming", "en"}};
  r.description = {{"How a cooperative raised yields.", "en"}};
  r.publisher = {{"Casecall Global Solutions", ""}};
  r.date = {{"2026", ""}};
  r.type = {{"Text", ""}};
  r.format = {{"text/html", ""}};
  r.identifier_dc = {{"https://cases.example.org/" + edition + "/" + reference, ""}};
  r.language = {{"en", ""}};
  r.coverage = {{"Kenya", "en"}};
  r.rights = {{"CC BY 4.0", ""}};
  return r;
}

// n records of one edition, on 28 datestamps (so many share one and order by identifier),
// stored in reverse so the store's ordering is what orders them.
std::vector<record> many_records(int n, const std::string& edition) {
  std::vector<record> out;
  for (int k = 1; k <= n; ++k) out.push_back(case_record(k, edition, "2026-03-" + two_digits(1 + k % 28) + "T10:00:00Z"));
  std::reverse(out.begin(), out.end());
  return out;
}

// ---- requests and responses ----------------------------------------------------------------

const repository repo{"Casecall Global Solutions", "https://cases.example.org/oai", "oai-admin@cases.example.org",
                      "2026-01-01T00:00:00Z", "persistent"};

constexpr const char* now = "2026-06-01T12:00:00Z";

options at(const std::string& response_date, std::size_t page_size = 100) { return {page_size, response_date}; }

struct validation {
  int status = -1;
  std::string output;
};

// xmllint's verdict on the document, against the fixtures' schema set.
validation validate(const std::string& document) {
  std::string path = (std::filesystem::temp_directory_path() / "casecall-oai-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return {-1, "mkstemp failed"};
  close(fd);
  std::ofstream(path, std::ios::binary) << document;
  const std::string schema = std::string(CASECALL_FIXTURES) + "/oai/oai-pmh-with-dc.xsd";
  const std::string command = "xmllint --noout --nonet --schema '" + schema + "' '" + path + "' 2>&1";
  validation v;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buffer[512];
  while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) v.output.append(buffer, n);
  const int status = pclose(pipe);
  unlink(path.c_str());
  v.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return v;
}

// The response to the raw arguments (a query string), which must be valid against the schema.
std::string ask(store& s, std::string_view query, const options& opt = at(now)) {
  const std::string document = respond(repo, s, parse_arguments(query), opt);
  const auto v = validate(document);
  EXPECT_EQ(v.status, 0) << "xmllint: " << v.output << "\nfor: " << query << "\n" << document;
  return document;
}

bool has(const std::string& document, std::string_view text) { return document.find(text) != std::string::npos; }

// The code of the document's first error, or "" when it has none.
std::string error_code(const std::string& document) {
  const std::string start = "<error code=\"";
  const auto at_ = document.find(start);
  if (at_ == std::string::npos) return "";
  const auto from = at_ + start.size();
  return document.substr(from, document.find('"', from) - from);
}

// Every text between `open` and `close`, in order.
std::vector<std::string> all_between(const std::string& document, const std::string& open, const std::string& close) {
  std::vector<std::string> out;
  for (auto at_ = document.find(open); at_ != std::string::npos; at_ = document.find(open, at_ + 1)) {
    const auto from = at_ + open.size();
    out.push_back(document.substr(from, document.find(close, from) - from));
  }
  return out;
}

// The request element, from "<request" to its end tag.
std::string request_element(const std::string& document) {
  const auto from = document.find("<request");
  return document.substr(from, document.find("</request>") - from + 10);
}

std::string header_identifiers_joined(const std::string& document) {
  std::string out;
  for (const auto& id : all_between(document, "<identifier>", "</identifier>")) out += id + " ";
  return out;
}

struct token_element {
  bool present = false;
  std::string value;  // empty for the last page's
  std::string complete_list_size;
  std::string cursor;
};

std::string attribute_in(const std::string& element, const std::string& name) {
  const auto values = all_between(element, " " + name + "=\"", "\"");
  return values.empty() ? "" : values.front();
}

token_element token_of(const std::string& document) {
  token_element t;
  const auto from = document.find("<resumptionToken");
  if (from == std::string::npos) return t;
  t.present = true;
  const auto end_of_start = document.find('>', from);
  const std::string start = document.substr(from, end_of_start - from + 1);
  t.complete_list_size = attribute_in(start, "completeListSize");
  t.cursor = attribute_in(start, "cursor");
  if (!start.ends_with("/>")) t.value = document.substr(end_of_start + 1, document.find("</resumptionToken>") - end_of_start - 1);
  return t;
}

memory_store two_editions() {
  memory_store s;
  s.records = {case_record(1, "gs7-2026", "2026-03-01T09:00:00Z"), case_record(2, "gs7-2026", "2026-03-02T00:00:00Z"),
               case_record(3, "gs7-2026b", "2026-03-02T23:59:59Z"), case_record(4, "gs8-2027", "2026-03-03T00:00:00Z")};
  s.records[3].sets = {"edition:gs8-2027", "theme:water"};
  s.set_list = {{"edition", "Editions"},
                {"edition:gs7-2026", "Global Solutions 7 (2026)"},
                {"edition:gs7-2026b", "Global Solutions 7b (2026)"},
                {"edition:gs8-2027", "Global Solutions 8 (2027)"},
                {"theme", "Themes"},
                {"theme:agriculture", "Agriculture"},
                {"theme:water", "Water"}};
  return s;
}

TEST(oai, the_schema_check_itself_refuses_an_invalid_document) {
  memory_store s;
  auto doc = ask(s, "verb=Nonsense");
  doc.replace(doc.find("\"badVerb\""), 9, "\"notAVerb\"");
  const auto v = validate(doc);
  EXPECT_NE(v.status, 0) << doc;
  EXPECT_TRUE(has(v.output, "notAVerb")) << v.output;
}

// ---- Identify, ListMetadataFormats, ListSets -------------------------------------------------

TEST(oai, identify_describes_the_repository) {
  memory_store s;
  const auto doc = ask(s, "verb=Identify");
  EXPECT_TRUE(has(doc, "<responseDate>2026-06-01T12:00:00Z</responseDate>")) << doc;
  EXPECT_TRUE(has(doc, "<request verb=\"Identify\">https://cases.example.org/oai</request>")) << doc;
  EXPECT_TRUE(has(doc, "<repositoryName>Casecall Global Solutions</repositoryName>"));
  EXPECT_TRUE(has(doc, "<baseURL>https://cases.example.org/oai</baseURL>"));
  EXPECT_TRUE(has(doc, "<protocolVersion>2.0</protocolVersion>"));
  EXPECT_TRUE(has(doc, "<adminEmail>oai-admin@cases.example.org</adminEmail>"));
  EXPECT_TRUE(has(doc, "<earliestDatestamp>2026-01-01T00:00:00Z</earliestDatestamp>"));
  EXPECT_TRUE(has(doc, "<deletedRecord>persistent</deletedRecord>"));
  EXPECT_TRUE(has(doc, "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"));
  EXPECT_EQ(error_code(doc), "");
  // A POST body is the same form: the same answer.
  EXPECT_EQ(respond(repo, s, parse_arguments("verb=Identify"), at(now)), doc);
}

TEST(oai, list_metadata_formats_offers_oai_dc_for_the_repository_and_for_an_item) {
  auto s = two_editions();
  for (const std::string query : {"verb=ListMetadataFormats",
                                  "verb=ListMetadataFormats&identifier=oai%3Acases.example.org%3Ags7-2026%2FGS7-0001"}) {
    const auto doc = ask(s, query);
    EXPECT_EQ(error_code(doc), "") << doc;
    EXPECT_TRUE(has(doc, "<metadataPrefix>oai_dc</metadataPrefix>")) << doc;
    EXPECT_TRUE(has(doc, "<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"));
    EXPECT_TRUE(has(doc, "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"));
    EXPECT_EQ(all_between(doc, "<metadataFormat>", "</metadataFormat>").size(), 1u);
  }
  const auto unknown = ask(s, "verb=ListMetadataFormats&identifier=oai:cases.example.org:gs7-2026/GS7-9999");
  EXPECT_EQ(error_code(unknown), "idDoesNotExist") << unknown;
  EXPECT_TRUE(has(request_element(unknown), "identifier=\"oai:cases.example.org:gs7-2026/GS7-9999\"")) << unknown;
}

TEST(oai, list_sets_gives_every_set_of_the_hierarchy) {
  auto s = two_editions();
  s.set_list.push_back({"not a spec", "Left out: no request could name it"});
  const auto doc = ask(s, "verb=ListSets");
  EXPECT_EQ(error_code(doc), "");
  EXPECT_EQ(all_between(doc, "<setSpec>", "</setSpec>"),
            (std::vector<std::string>{"edition", "edition:gs7-2026", "edition:gs7-2026b", "edition:gs8-2027", "theme",
                                      "theme:agriculture", "theme:water"}));
  EXPECT_TRUE(has(doc, "<setName>Global Solutions 7 (2026)</setName>"));
  EXPECT_FALSE(has(doc, "Left out"));
  EXPECT_FALSE(has(doc, "resumptionToken"));
}

TEST(oai, list_sets_of_a_repository_with_no_sets_yet_is_no_set_hierarchy_and_takes_no_token) {
  memory_store empty;
  EXPECT_EQ(error_code(ask(empty, "verb=ListSets")), "noSetHierarchy");
  auto s = two_editions();
  const auto doc = ask(s, "verb=ListSets&resumptionToken=abc");
  EXPECT_EQ(error_code(doc), "badResumptionToken");
  EXPECT_TRUE(has(request_element(doc), "verb=\"ListSets\" resumptionToken=\"abc\"")) << doc;
}

// ---- GetRecord -------------------------------------------------------------------------------

TEST(oai, get_record_gives_the_header_and_the_dublin_core) {
  auto s = two_editions();
  const auto doc = ask(s, "verb=GetRecord&identifier=oai:cases.example.org:gs7-2026/GS7-0001&metadataPrefix=oai_dc");
  EXPECT_EQ(error_code(doc), "");
  EXPECT_TRUE(has(request_element(doc),
                  "verb=\"GetRecord\" identifier=\"oai:cases.example.org:gs7-2026/GS7-0001\" metadataPrefix=\"oai_dc\""))
      << doc;
  EXPECT_EQ(all_between(doc, "<identifier>", "</identifier>"), (std::vector<std::string>{"oai:cases.example.org:gs7-2026/GS7-0001"}));
  EXPECT_TRUE(has(doc, "<datestamp>2026-03-01T09:00:00Z</datestamp>"));
  EXPECT_EQ(all_between(doc, "<setSpec>", "</setSpec>"), (std::vector<std::string>{"edition:gs7-2026", "theme:agriculture"}));
  EXPECT_TRUE(has(doc, "<dc:title xml:lang=\"en\">Case GS7-0001</dc:title>")) << doc;
  EXPECT_TRUE(has(doc, "<dc:title xml:lang=\"fr\">Cas GS7-0001</dc:title>"));
  EXPECT_TRUE(has(doc, "<dc:creator>Ministry of Agriculture, Kenya</dc:creator>"));
  EXPECT_TRUE(has(doc, "<dc:identifier>https://cases.example.org/gs7-2026/GS7-0001</dc:identifier>"));
  EXPECT_TRUE(has(doc, "<dc:rights>CC BY 4.0</dc:rights>"));
  // The elements in Dublin Core's order.
  EXPECT_LT(doc.find("<dc:title"), doc.find("<dc:creator"));
  EXPECT_LT(doc.find("<dc:creator"), doc.find("<dc:identifier"));
  EXPECT_LT(doc.find("<dc:identifier"), doc.find("<dc:rights"));
}

TEST(oai, a_deleted_record_is_a_header_with_status_deleted_and_no_metadata) {
  auto s = two_editions();
  s.records[0].deleted = true;
  const auto doc = ask(s, "verb=GetRecord&identifier=oai:cases.example.org:gs7-2026/GS7-0001&metadataPrefix=oai_dc");
  EXPECT_TRUE(has(doc, "<header status=\"deleted\">")) << doc;
  EXPECT_FALSE(has(doc, "<metadata>"));
  const auto list = ask(s, "verb=ListRecords&metadataPrefix=oai_dc");
  EXPECT_EQ(all_between(list, "<header", ">").size(), 4u);
  EXPECT_EQ(all_between(list, "<metadata>", "</metadata>").size(), 3u);
}

TEST(oai, get_record_refuses_a_missing_argument_another_format_and_an_unknown_item) {
  auto s = two_editions();
  EXPECT_EQ(error_code(ask(s, "verb=GetRecord&identifier=oai:cases.example.org:gs7-2026/GS7-0001")), "badArgument");
  EXPECT_EQ(error_code(ask(s, "verb=GetRecord&metadataPrefix=oai_dc")), "badArgument");
  const auto format = ask(s, "verb=GetRecord&identifier=oai:cases.example.org:gs7-2026/GS7-0001&metadataPrefix=marcxml");
  EXPECT_EQ(error_code(format), "cannotDisseminateFormat");
  // Not badVerb nor badArgument: the request is echoed.
  EXPECT_TRUE(has(request_element(format), "metadataPrefix=\"marcxml\"")) << format;
  const auto unknown = ask(s, "verb=GetRecord&identifier=oai:cases.example.org:gs7-2026/GS7-9999&metadataPrefix=oai_dc");
  EXPECT_EQ(error_code(unknown), "idDoesNotExist");
  EXPECT_TRUE(has(request_element(unknown), "identifier=\"oai:cases.example.org:gs7-2026/GS7-9999\"")) << unknown;
}

TEST(oai, an_identifier_a_harvester_makes_up_still_gives_a_valid_document) {
  auto s = two_editions();
  // A URI reference that is not in the store: idDoesNotExist, echoed (validators send such).
  for (const std::string id : {"really_wrong_id", "oai:", "http://example.org/a?b=c#d", "urn:x:%2541"}) {
    const auto doc = ask(s, "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + id);
    EXPECT_EQ(error_code(doc), "idDoesNotExist") << id;
  }
  // Not a URI: badArgument, with nothing echoed.
  for (const std::string id : {"a+b", "oai:x:%25zz", "x%23y%23z", "http://h:port/", "http://%5B::1%5D/", "1a:b", "%3Cx%3E",
                               "a%22b", "caf%C3%A9"}) {
    const auto doc = ask(s, "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + id);
    EXPECT_EQ(error_code(doc), "badArgument") << id;
    EXPECT_EQ(request_element(doc), "<request>https://cases.example.org/oai</request>") << id;
  }
}

// ---- ListIdentifiers, ListRecords --------------------------------------------------------------

TEST(oai, list_identifiers_gives_headers_only_in_datestamp_order) {
  auto s = two_editions();
  const auto doc = ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc");
  EXPECT_EQ(error_code(doc), "");
  EXPECT_EQ(header_identifiers_joined(doc),
            "oai:cases.example.org:gs7-2026/GS7-0001 oai:cases.example.org:gs7-2026/GS7-0002 "
            "oai:cases.example.org:gs7-2026b/GS7-0003 oai:cases.example.org:gs8-2027/GS7-0004 ");
  EXPECT_FALSE(has(doc, "<record>"));
  EXPECT_FALSE(has(doc, "<metadata>"));
  // The whole list in one response: no token.
  EXPECT_FALSE(token_of(doc).present);
}

TEST(oai, list_records_gives_records_with_metadata) {
  auto s = two_editions();
  const auto doc = ask(s, "verb=ListRecords&metadataPrefix=oai_dc");
  EXPECT_EQ(error_code(doc), "");
  EXPECT_EQ(all_between(doc, "<record>", "</record>").size(), 4u);
  EXPECT_EQ(all_between(doc, "<oai_dc:dc ", "</oai_dc:dc>").size(), 4u);
  EXPECT_FALSE(token_of(doc).present);
}

// Follows the tokens from the first response to the last; the documents in order.
std::vector<std::string> harvest(store& s, const std::string& verb, const options& opt) {
  std::vector<std::string> pages{ask(s, "verb=" + verb + "&metadataPrefix=oai_dc", opt)};
  for (int guard = 0; guard < 10; ++guard) {
    const auto token = token_of(pages.back());
    if (token.value.empty()) break;
    pages.push_back(ask(s, "verb=" + verb + "&resumptionToken=" + token.value, opt));
  }
  return pages;
}

TEST(oai, two_hundred_and_fifty_records_come_in_three_pages_each_once) {
  memory_store s;
  s.records = many_records(250, "gs7-2026");
  for (const std::string verb : {"ListIdentifiers", "ListRecords"}) {
    const auto pages = harvest(s, verb, at(now, 100));
    ASSERT_EQ(pages.size(), 3u) << verb;
    std::vector<std::string> seen;
    std::vector<std::string> cursors;
    for (const auto& doc : pages) {
      EXPECT_EQ(error_code(doc), "") << doc;
      const auto ids = all_between(doc, "<identifier>", "</identifier>");
      EXPECT_LE(ids.size(), 100u);
      seen.insert(seen.end(), ids.begin(), ids.end());
      const auto token = token_of(doc);
      EXPECT_TRUE(token.present);
      EXPECT_EQ(token.complete_list_size, "250");
      cursors.push_back(token.cursor);
    }
    EXPECT_EQ(cursors, (std::vector<std::string>{"0", "100", "200"}));
    EXPECT_EQ(all_between(pages[0], "<identifier>", "</identifier>").size(), 100u);
    EXPECT_EQ(all_between(pages[2], "<identifier>", "</identifier>").size(), 50u);
    // The last page's token is empty.
    EXPECT_TRUE(has(pages[2], "<resumptionToken completeListSize=\"250\" cursor=\"200\"/>")) << pages[2];
    // Each record exactly once, in (datestamp, identifier) order.
    EXPECT_EQ(seen.size(), 250u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 250u);
    auto expected = s.records;
    std::sort(expected.begin(), expected.end(),
              [](const record& a, const record& b) { return std::tie(a.datestamp, a.identifier) < std::tie(b.datestamp, b.identifier); });
    for (std::size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], expected[k].identifier);
    // A page reached by a token echoes the verb and the token only.
    const auto second_token = token_of(pages[0]).value;
    EXPECT_TRUE(has(request_element(pages[1]), "<request verb=\"" + verb + "\" resumptionToken=\"" + second_token + "\">"))
        << pages[1];
  }
}

TEST(oai, a_token_is_opaque_base64url_and_carries_the_list_arguments) {
  memory_store s;
  s.records = many_records(30, "gs7-2026");
  const auto first = ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=edition:gs7-2026&from=2026-03-02&until=2026-03-20",
                         at(now, 5));
  const auto token = token_of(first).value;
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(std::all_of(token.begin(), token.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }))
      << token;
  s.queries.clear();
  const auto second = ask(s, "verb=ListIdentifiers&resumptionToken=" + token, at("2026-06-02T08:00:00Z", 5));
  EXPECT_EQ(error_code(second), "");
  ASSERT_EQ(s.queries.size(), 1u);
  EXPECT_EQ(s.queries[0].set, "edition:gs7-2026");
  EXPECT_EQ(s.queries[0].from, "2026-03-02T00:00:00Z");
  EXPECT_EQ(s.queries[0].until, "2026-03-20T23:59:59Z");
  EXPECT_EQ(token_of(second).cursor, "5");
}

TEST(oai, the_first_page_freezes_until_so_records_published_during_a_harvest_do_not_shift_it) {
  memory_store s;
  s.records = many_records(250, "gs7-2026");
  const auto opt = at(now, 100);
  const auto first = ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc", opt);
  ASSERT_EQ(s.queries.size(), 1u);
  EXPECT_EQ(s.queries[0].until, now);
  // Published after the first page, and sorting first by identifier on a shared datestamp.
  auto late = case_record(0, "gs7-2026", "2026-06-01T12:00:01Z");
  s.records.push_back(late);
  const auto second = ask(s, "verb=ListIdentifiers&resumptionToken=" + token_of(first).value, at("2026-06-01T12:05:00Z", 100));
  EXPECT_EQ(error_code(second), "") << second;
  EXPECT_EQ(token_of(second).complete_list_size, "250");
  EXPECT_FALSE(has(second, late.identifier));
  // A request's own until later than now is frozen to now as well.
  s.queries.clear();
  ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc&until=2027-01-01", opt);
  EXPECT_EQ(s.queries[0].until, now);
}

TEST(oai, a_record_changed_during_a_harvest_makes_the_token_expire_rather_than_skip_a_record) {
  memory_store s;
  s.records = many_records(250, "gs7-2026");
  const auto first = ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc", at(now, 100));
  s.records[17].datestamp = "2026-06-01T12:03:00Z";  // republished: it leaves the frozen list
  const auto second = ask(s, "verb=ListIdentifiers&resumptionToken=" + token_of(first).value, at("2026-06-01T12:05:00Z", 100));
  EXPECT_EQ(error_code(second), "badResumptionToken") << second;
}

TEST(oai, set_filtering_follows_the_hierarchy) {
  auto s = two_editions();
  const auto ids = [&](const std::string& set) {
    return header_identifiers_joined(ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=" + set));
  };
  // edition:gs7-2026 holds that edition only, not edition:gs7-2026b.
  EXPECT_EQ(ids("edition:gs7-2026"), "oai:cases.example.org:gs7-2026/GS7-0001 oai:cases.example.org:gs7-2026/GS7-0002 ");
  EXPECT_EQ(ids("edition:gs7-2026b"), "oai:cases.example.org:gs7-2026b/GS7-0003 ");
  // A set holds its subsets.
  EXPECT_EQ(ids("edition"),
            "oai:cases.example.org:gs7-2026/GS7-0001 oai:cases.example.org:gs7-2026/GS7-0002 "
            "oai:cases.example.org:gs7-2026b/GS7-0003 oai:cases.example.org:gs8-2027/GS7-0004 ");
  EXPECT_EQ(ids("theme:water"), "oai:cases.example.org:gs8-2027/GS7-0004 ");
  const auto doc = ask(s, "verb=ListRecords&metadataPrefix=oai_dc&set=edition:gs7-2026");
  EXPECT_TRUE(has(request_element(doc), "set=\"edition:gs7-2026\""));
  // A set with no records (or none at all) is noRecordsMatch, not an error of the argument.
  const auto none = ask(s, "verb=ListRecords&metadataPrefix=oai_dc&set=edition:gs9-2028");
  EXPECT_EQ(error_code(none), "noRecordsMatch");
  EXPECT_TRUE(has(request_element(none), "set=\"edition:gs9-2028\"")) << none;
  // Not a set spec: badArgument.
  EXPECT_EQ(error_code(ask(s, "verb=ListRecords&metadataPrefix=oai_dc&set=edition:")), "badArgument");
  EXPECT_EQ(error_code(ask(s, "verb=ListRecords&metadataPrefix=oai_dc&set=a%20b")), "badArgument");
}

TEST(oai, from_and_until_filter_inclusively_at_both_granularities) {
  auto s = two_editions();
  const auto ids = [&](const std::string& args) {
    return header_identifiers_joined(ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc&" + args));
  };
  EXPECT_EQ(ids("from=2026-03-02T00:00:00Z"),
            "oai:cases.example.org:gs7-2026/GS7-0002 oai:cases.example.org:gs7-2026b/GS7-0003 oai:cases.example.org:gs8-2027/GS7-0004 ");
  EXPECT_EQ(ids("until=2026-03-02T00:00:00Z"), "oai:cases.example.org:gs7-2026/GS7-0001 oai:cases.example.org:gs7-2026/GS7-0002 ");
  EXPECT_EQ(ids("from=2026-03-01T09:00:01Z&until=2026-03-02T23:59:58Z"), "oai:cases.example.org:gs7-2026/GS7-0002 ");
  // A day: from its first second, until its last.
  EXPECT_EQ(ids("from=2026-03-02&until=2026-03-02"), "oai:cases.example.org:gs7-2026/GS7-0002 oai:cases.example.org:gs7-2026b/GS7-0003 ");
  const auto doc = ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2026-03-02&until=2026-03-02");
  EXPECT_TRUE(has(request_element(doc), "from=\"2026-03-02\" until=\"2026-03-02\"")) << doc;
  EXPECT_EQ(error_code(ask(s, "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2026-03-04")), "noRecordsMatch");
}

TEST(oai, until_before_the_earliest_datestamp_is_no_records_match_not_an_error_of_the_argument) {
  auto s = two_editions();
  const auto doc = ask(s, "verb=ListRecords&metadataPrefix=oai_dc&until=2020-01-01");
  EXPECT_EQ(error_code(doc), "noRecordsMatch");
  EXPECT_TRUE(has(request_element(doc), "until=\"2020-01-01\"")) << doc;
}

// ---- errors ----------------------------------------------------------------------------------

TEST(oai, a_missing_repeated_or_unknown_verb_is_bad_verb_and_echoes_no_argument) {
  auto s = two_editions();
  for (const std::string query : {"verb=Nonsense", "", "metadataPrefix=oai_dc", "verb=Identify&verb=Identify",
                                  "verb=Identify&verb=ListSets", "verb=", "Verb=Identify", "verb=identify"}) {
    const auto doc = ask(s, query);
    EXPECT_EQ(error_code(doc), "badVerb") << query;
    EXPECT_EQ(request_element(doc), "<request>https://cases.example.org/oai</request>") << query;
  }
}

TEST(oai, a_bad_argument_is_named_and_echoes_no_argument) {
  auto s = two_editions();
  const std::string list = "verb=ListRecords&metadataPrefix=oai_dc&";
  for (const auto& query : std::vector<std::string>{
           list + "from=2026-13-01",                               // no month 13
           list + "from=2026-02-29",                               // not a leap year
           list + "until=2026-04-31",                              // April has 30 days
           list + "from=0000-01-01",                               // no year zero
           list + "from=2026-03-01T24:00:00Z",                     // no hour 24
           list + "from=2026-03-01T10:00:60Z",                     // no leap second
           list + "from=2026-03-01T10:00:00",                      // not UTC
           list + "from=2026-03-01T10:00:00.5Z",                   // finer than seconds
           list + "from=2026-03-01T10:00:00%2B00:00",              // an offset, not Z
           list + "from=2026-3-1",                                 // not YYYY-MM-DD
           list + "from=",                                         // empty
           list + "from=2026-03-01&until=2026-03-02T00:00:00Z",    // two granularities
           list + "from=2026-03-02&until=2026-03-01",              // from after until
           list + "from=2026-03-01&from=2026-03-02",               // repeated
           "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",  // repeated, even the same
           "verb=ListRecords",                                     // no metadataPrefix
           "verb=ListIdentifiers&set=edition",                     // no metadataPrefix
           list + "identifier=oai:cases.example.org:gs7-2026/GS7-0001",  // not ListRecords's
           list + "colour=blue",                                   // unknown
           list + "=blue",                                         // a nameless argument
           "verb=Identify&set=edition",                            // Identify takes none
           "verb=ListSets&set=edition",                            // ListSets takes no set
           "verb=ListMetadataFormats&metadataPrefix=oai_dc",       // nor this
           "verb=ListRecords&metadataPrefix=oai%20dc",             // not a metadataPrefix
           "verb=Identify&x=%zz",                                  // not decodable
           "verb=Identify&x=%FF",                                  // not UTF-8
       }) {
    const auto doc = ask(s, query);
    EXPECT_EQ(error_code(doc), "badArgument") << query << "\n" << doc;
    EXPECT_EQ(request_element(doc), "<request>https://cases.example.org/oai</request>") << query;
  }
  const auto doc = ask(s, list + "from=2026-13-01");
  EXPECT_TRUE(has(doc, "2026-13-01")) << "the message names the value: " << doc;
  // A leap day is a day.
  EXPECT_EQ(error_code(ask(s, list + "from=2028-02-29")), "noRecordsMatch");
}

TEST(oai, another_metadata_prefix_cannot_be_disseminated) {
  auto s = two_editions();
  for (const std::string verb : {"ListRecords", "ListIdentifiers"}) {
    const auto doc = ask(s, "verb=" + verb + "&metadataPrefix=marc21&set=edition");
    EXPECT_EQ(error_code(doc), "cannotDisseminateFormat") << doc;
    EXPECT_TRUE(has(request_element(doc), "verb=\"" + verb + "\" metadataPrefix=\"marc21\" set=\"edition\"")) << doc;
  }
}

TEST(oai, a_resumption_token_with_another_argument_is_bad_argument) {
  memory_store s;
  s.records = many_records(250, "gs7-2026");
  const auto token = token_of(ask(s, "verb=ListRecords&metadataPrefix=oai_dc")).value;
  ASSERT_FALSE(token.empty());
  for (const std::string other : {"metadataPrefix=oai_dc", "set=edition", "from=2026-01-01", "until=2026-12-31"}) {
    const auto doc = ask(s, "verb=ListRecords&resumptionToken=" + token + "&" + other);
    EXPECT_EQ(error_code(doc), "badArgument") << other;
    EXPECT_EQ(request_element(doc), "<request>https://cases.example.org/oai</request>");
  }
}

TEST(oai, a_token_this_repository_did_not_issue_is_bad_resumption_token) {
  memory_store s;
  s.records = many_records(250, "gs7-2026");
  const auto token = token_of(ask(s, "verb=ListRecords&metadataPrefix=oai_dc")).value;
  // What the header says a token is: base64url of "1|oai_dc|||2026-06-01T12:00:00Z|100|250".
  ASSERT_EQ(token, "MXxvYWlfZGN8fHwyMDI2LTA2LTAxVDEyOjAwOjAwWnwxMDB8MjUw");
  std::string flipped = token;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  // base64url of "1|oai_dc||||100|250": no until; of "1|oai_dc|||2026-06-01T12:00:00Z|0|250": offset 0;
  // of "1|oai_dc|||2026-06-01T12:00:00Z|300|250": past the end.
  for (const std::string& garbage : {std::string("garbage"), std::string("%3Cscript%3E%26"), token + "A", token.substr(1), flipped,
                                    std::string("MXxvYWlfZGN8fHx8MTAwfDI1MA"),
                                    std::string("MXxvYWlfZGN8fHwyMDI2LTA2LTAxVDEyOjAwOjAwWnwwfDI1MA"),
                                    std::string("MXxvYWlfZGN8fHwyMDI2LTA2LTAxVDEyOjAwOjAwWnwzMDB8MjUw")}) {
    const auto doc = ask(s, "verb=ListRecords&resumptionToken=" + garbage);
    EXPECT_EQ(error_code(doc), "badResumptionToken") << garbage << "\n" << doc;
  }
  // Echoed, since it is not a badArgument.
  const auto doc = ask(s, "verb=ListIdentifiers&resumptionToken=garbage");
  EXPECT_TRUE(has(request_element(doc), "verb=\"ListIdentifiers\" resumptionToken=\"garbage\"")) << doc;
}

// ---- escaping --------------------------------------------------------------------------------

TEST(oai, text_is_escaped_and_characters_xml_forbids_are_removed) {
  auto s = two_editions();
  s.records[0].title = {{"<script>&\"\x01 x\r\n\ty", "en"}};
  s.records[0].description = {{"bad \xFF byte, U+FFFE \xEF\xBF\xBE, ok \xE6\xA1\x88", "not a tag!"}};
  s.records[0].subject = {{"", "en"}};  // empty: left out
  s.set_list[1].name = "GS7 <2026> & \"more\"\x1F";
  const auto doc = ask(s, "verb=GetRecord&identifier=oai:cases.example.org:gs7-2026/GS7-0001&metadataPrefix=oai_dc");
  EXPECT_TRUE(has(doc, "<dc:title xml:lang=\"en\">&lt;script&gt;&amp;&quot; x&#xD;\n\ty</dc:title>")) << doc;
  EXPECT_FALSE(has(doc, "\x01"));
  EXPECT_FALSE(has(doc, "<script>"));
  // An invalid byte shows as U+FFFD; U+FFFE is dropped; a lang that is no tag is left out.
  EXPECT_TRUE(has(doc, "<dc:description>bad \xEF\xBF\xBD byte, U+FFFE , ok \xE6\xA1\x88</dc:description>")) << doc;
  EXPECT_FALSE(has(doc, "<dc:subject"));
  const auto sets = ask(s, "verb=ListSets");
  EXPECT_TRUE(has(sets, "<setName>GS7 &lt;2026&gt; &amp; &quot;more&quot;</setName>")) << sets;
}

TEST(oai, an_argument_echoed_as_an_attribute_is_escaped) {
  auto s = two_editions();
  const auto doc = ask(s, "verb=ListRecords&resumptionToken=%22%3E%3Cx%3E%26%09%0A%01");
  EXPECT_EQ(error_code(doc), "badResumptionToken");
  EXPECT_TRUE(has(request_element(doc), "resumptionToken=\"&quot;&gt;&lt;x&gt;&amp;&#x9;&#xA;\"")) << doc;
}

// ---- arguments ---------------------------------------------------------------------------------

TEST(oai, arguments_are_decoded_in_order_with_repeats_kept) {
  using args = arguments;
  EXPECT_EQ(parse_arguments("verb=GetRecord&identifier=oai%3Ax%3Ay%2Fz&metadataPrefix=oai_dc"),
            (args{{"verb", "GetRecord"}, {"identifier", "oai:x:y/z"}, {"metadataPrefix", "oai_dc"}}));
  EXPECT_EQ(parse_arguments("a=1+2%2B3&a=&b&&c=x=y"), (args{{"a", "1 2+3"}, {"a", ""}, {"b", ""}, {"c", "x=y"}}));
  EXPECT_EQ(parse_arguments(""), args{});
  EXPECT_EQ(parse_arguments("t=%E6%A1%88"), (args{{"t", "\xE6\xA1\x88"}}));
  EXPECT_EQ(parse_arguments("a=%zz"), std::nullopt);
  EXPECT_EQ(parse_arguments("a=%2"), std::nullopt);
  EXPECT_EQ(parse_arguments("a%=1"), std::nullopt);
  EXPECT_EQ(parse_arguments("a=%C3"), std::nullopt);  // a cut UTF-8 sequence
  EXPECT_EQ(parse_arguments("a=%C0%AF"), std::nullopt);  // overlong
  EXPECT_EQ(parse_arguments("a=%ED%A0%80"), std::nullopt);  // a surrogate
  // What could not be decoded is badArgument.
  memory_store s;
  const auto doc = respond(repo, s, std::nullopt, at(now));
  EXPECT_EQ(error_code(doc), "badArgument");
  EXPECT_EQ(validate(doc).status, 0) << doc;
}

// ---- configuration and the store's contract ----------------------------------------------------

TEST(oai, a_repository_that_would_not_give_a_valid_identify_is_refused) {
  EXPECT_NO_THROW(check(repo));
  const auto refused = [](auto change) {
    repository r = repo;
    change(r);
    EXPECT_THROW(check(r), std::invalid_argument);
    memory_store s;
    EXPECT_THROW(respond(r, s, parse_arguments("verb=Identify"), at(now)), std::invalid_argument);
  };
  refused([](repository& r) { r.name.clear(); });
  refused([](repository& r) { r.base_url = "cases.example.org/oai"; });
  refused([](repository& r) { r.base_url = "ftp://cases.example.org/oai"; });
  refused([](repository& r) { r.base_url = "https:///oai"; });
  refused([](repository& r) { r.base_url = "https://cases example.org/oai"; });
  refused([](repository& r) { r.admin_email = "admin@localhost"; });
  refused([](repository& r) { r.admin_email = "admin @example.org"; });
  refused([](repository& r) { r.earliest_datestamp = "2026-01-01"; });
  refused([](repository& r) { r.deleted_record = "yes"; });
  memory_store s;
  EXPECT_THROW(respond(repo, s, parse_arguments("verb=Identify"), at("2026-06-01 12:00:00")), std::invalid_argument);
  EXPECT_THROW(respond(repo, s, parse_arguments("verb=Identify"), at(now, 0)), std::invalid_argument);
  for (const std::string deleted : {"no", "transient"}) {
    repository r = repo;
    r.deleted_record = deleted;
    const auto doc = respond(r, s, parse_arguments("verb=Identify"), at(now));
    EXPECT_TRUE(has(doc, "<deletedRecord>" + deleted + "</deletedRecord>"));
    EXPECT_EQ(validate(doc).status, 0) << doc;
  }
}

TEST(oai, a_record_the_document_could_not_hold_is_the_stores_bug) {
  auto s = two_editions();
  s.records[0].datestamp = "2026-03-01";
  EXPECT_THROW(respond(repo, s, parse_arguments("verb=ListRecords&metadataPrefix=oai_dc"), at(now)), std::logic_error);
  s.records[0].datestamp = "2026-03-01T09:00:00Z";
  s.records[0].identifier = "GS7-0001";
  EXPECT_THROW(respond(repo, s, parse_arguments("verb=ListIdentifiers&metadataPrefix=oai_dc"), at(now)), std::logic_error);
}

}  // namespace
}  // namespace casecall::publish::oai
