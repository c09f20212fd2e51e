// Atom feeds: every document rendered here is validated by jing against the RELAX NG schema of
// RFC 4287 Appendix B (tests/fixtures/atom/atom.rnc; jing is the Debian package `jing`), and its
// bytes are checked: markup in titles is escaped, control characters XML forbids are gone,
// xml:lang is written, an entry without authors gets the feed's, the same feed gives the same
// bytes. Hand-written invalid documents show that the jing step does fail when it should, and
// the renderer refuses what would not be valid Atom.
#include "publish/domain/atom.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::publish::atom {
namespace {

const std::string schema = std::string(CASECALL_FIXTURES) + "/atom/atom.rnc";

const std::string chinese_title = "乡村数字普惠金融：为玉米农户提供收获期贷款";
const std::string arabic_title = "التمويل الأصغر للنساء في المناطق الريفية";
const std::string french_title = "Microcrédit agricole : l’expérience des coopératives d’Oaxaca";
const std::string script_title = R"(<script>alert(1)</script> & "quotes")";
const std::string controlled_summary = "Line one\x01 and\x0b two\tTabbed\nNext line\r\nCRLF";

// ---- jing -----------------------------------------------------------------------------------

struct verdict {
  int status;          // jing's exit status; 127 when the shell found no jing
  std::string output;  // what jing printed, stderr included (the Debian wrapper's warnings)
};

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out.append("'\\''");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

// The documents written to temporary files and validated by one run of
// `jing -c tests/fixtures/atom/atom.rnc FILE...`; `paths` gets the files' names (already
// removed on return), in the order of `documents`.
verdict jing(const std::vector<std::string>& documents, std::vector<std::string>* paths = nullptr) {
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string directory = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/tmp";
  std::vector<std::string> files;
  for (const auto& document : documents) {
    std::string path = directory + "/atom-test-XXXXXX.xml";
    const int fd = mkstemps(path.data(), 4);
    if (fd < 0) throw std::runtime_error("mkstemps failed in " + directory);
    const bool written = ::write(fd, document.data(), document.size()) == static_cast<ssize_t>(document.size());
    ::close(fd);
    files.push_back(path);
    if (!written) throw std::runtime_error("could not write " + path);
  }
  std::string command = "jing -c " + shell_quoted(schema);
  for (const auto& file : files) command += " " + shell_quoted(file);
  command += " 2>&1";
  verdict result{-1, {}};
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    if (status != -1 && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  }
  for (const auto& file : files) ::unlink(file.c_str());
  if (paths != nullptr) *paths = files;
  return result;
}

verdict jing(const std::string& document) { return jing(std::vector<std::string>{document}); }

#define EXPECT_VALID_ATOM(document)                                                                  \
  do {                                                                                               \
    const verdict v = jing(document);                                                                \
    EXPECT_EQ(v.status, 0) << (v.status == 127 ? "jing not found: apt-get install jing\n" : "")    \
                           << v.output << "\n--- document ---\n"                                    \
                           << (document);                                                            \
  } while (false)

// ---- the sample -----------------------------------------------------------------------------

const person awards{"Global Solutions Awards", "https://cases.example.org/"};

link alternate(const std::string& href, const std::string& hreflang = {}) { return {href, "alternate", "text/html", hreflang, {}}; }

feed sample() {
  feed f;
  f.id = "https://cases.example.org/feed.atom";
  f.updated = "2025-03-01T09:00:00Z";
  f.title = {"Poverty-reduction cases", "en"};
  f.subtitle = {"Selected cases of the Global Solutions call, every published version", "en"};
  f.authors = {awards};
  f.links = {{"https://cases.example.org/feed.atom", "self", "application/atom+xml", {}, {}},
             alternate("https://cases.example.org/")};

  entry zh;
  zh.id = "https://cases.example.org/cases/GS7-0001/versions/2";
  zh.title = {chinese_title, "zh"};
  zh.updated = "2025-02-28T16:45:10Z";
  zh.published = "2025-01-15T08:00:00Z";
  zh.authors = {{"李明", "https://cases.example.org/people/li-ming"}};
  zh.links = {alternate("https://cases.example.org/cases/GS7-0001/versions/2", "zh")};
  zh.summary = {"米尔帕社会金融为玉米农户提供贷款。", "zh"};
  zh.categories = {{"sdg-1", "No poverty", "https://sdgs.un.org/goals"}, {"edition-2025", "", ""}};
  zh.rights = "CC BY 4.0";

  entry ar;
  ar.id = "tag:cases.example.org,2025:GS7-0002/1";
  ar.title = {arabic_title, "ar"};
  ar.updated = "2025-02-27T12:00:00Z";
  ar.authors = {{"فاطمة الزهراء", ""}};
  ar.links = {alternate("https://cases.example.org/cases/GS7-0002/versions/1", "ar")};
  ar.summary = {"قروض صغيرة لتعاونيات النساء.", "ar"};

  entry fr;  // no authors: gets the feed's
  fr.id = "https://cases.example.org/cases/GS7-0003/versions/1";
  fr.title = {french_title, "fr"};
  fr.updated = "2025-02-26T07:30:00.250+01:00";
  fr.links = {alternate("https://cases.example.org/cases/GS7-0003/versions/1", "fr")};
  fr.summary = {"Des prêts calés sur la récolte, remboursés à l’échéance.", "fr-FR"};
  fr.categories = {{"sdg-2", "Faim « zéro »", "https://sdgs.un.org/goals"}};

  entry script;
  script.id = "https://cases.example.org/cases/GS7-0004/versions/3";
  script.title = {script_title, ""};
  script.updated = "2025-02-25T00:00:00Z";
  script.authors = {{R"(O'Brien & Sons <ops@example.org>)", "https://example.org/?a=1&b=\"2\""}};
  script.links = {{"https://cases.example.org/cases/GS7-0004/versions/3?x=1&y=<2>", "", "text/html", "",
                   "Say \"hi\" <now> & go\n\tnext"}};
  script.summary = {controlled_summary, ""};

  f.entries = {zh, ar, fr, script};
  return f;
}

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

// The text of each <entry>…</entry>, in order.
std::vector<std::string> entry_blocks(const std::string& document) {
  std::vector<std::string> out;
  for (auto at = document.find("<entry>"); at != std::string::npos; at = document.find("<entry>", at + 1)) {
    const auto end = document.find("</entry>", at);
    out.push_back(document.substr(at, end - at));
  }
  return out;
}

// ---- rendering ------------------------------------------------------------------------------

TEST(atom, the_sample_feed_is_valid_atom) { EXPECT_VALID_ATOM(render(sample())); }

TEST(atom, markup_in_texts_and_attributes_is_escaped) {
  const auto document = render(sample());
  EXPECT_EQ(document.find("<script"), std::string::npos);
  EXPECT_EQ(document.find("</script"), std::string::npos);
  EXPECT_NE(document.find(R"(<title type="text">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;</title>)"),
            std::string::npos)
      << document;
  EXPECT_NE(document.find("<name>O'Brien &amp; Sons &lt;ops@example.org&gt;</name>"), std::string::npos) << document;
  EXPECT_NE(document.find("<uri>https://example.org/?a=1&amp;b=&quot;2&quot;</uri>"), std::string::npos) << document;
  // In attributes LF and tab are character references, or a parser would read them as spaces.
  EXPECT_NE(document.find(R"(<link href="https://cases.example.org/cases/GS7-0004/versions/3?x=1&amp;y=&lt;2&gt;" )"
                          R"(type="text/html" title="Say &quot;hi&quot; &lt;now&gt; &amp; go&#xA;&#x9;next"/>)"),
            std::string::npos)
      << document;
}

TEST(atom, control_characters_xml_forbids_are_removed_and_white_space_kept) {
  const auto document = render(sample());
  EXPECT_EQ(document.find('\x01'), std::string::npos);
  EXPECT_EQ(document.find('\x0b'), std::string::npos);
  // A raw CR would reach a reader as LF: it is written as a character reference.
  EXPECT_EQ(document.find('\r'), std::string::npos);
  EXPECT_NE(document.find("<summary type=\"text\">Line one and two\tTabbed\nNext line&#xD;\nCRLF</summary>"), std::string::npos)
      << document;
}

TEST(atom, xml_lang_is_written_on_titles_and_summaries_that_have_a_language) {
  const auto document = render(sample());
  EXPECT_NE(document.find("<title type=\"text\" xml:lang=\"en\">Poverty-reduction cases</title>"), std::string::npos);
  EXPECT_NE(document.find("<subtitle type=\"text\" xml:lang=\"en\">"), std::string::npos);
  EXPECT_NE(document.find("<title type=\"text\" xml:lang=\"zh\">" + chinese_title + "</title>"), std::string::npos);
  EXPECT_NE(document.find("<title type=\"text\" xml:lang=\"ar\">" + arabic_title + "</title>"), std::string::npos);
  EXPECT_NE(document.find("<title type=\"text\" xml:lang=\"fr\">" + french_title + "</title>"), std::string::npos);
  EXPECT_NE(document.find("<summary type=\"text\" xml:lang=\"zh\">米尔帕社会金融为玉米农户提供贷款。</summary>"), std::string::npos);
  EXPECT_NE(document.find("<summary type=\"text\" xml:lang=\"fr-FR\">"), std::string::npos);
  // No language, no attribute.
  EXPECT_NE(document.find("<title type=\"text\">&lt;script"), std::string::npos);
  EXPECT_EQ(count(document, "xml:lang=\"\""), 0u);
}

TEST(atom, one_entry_element_per_entry_in_the_order_given) {
  const auto f = sample();
  const auto document = render(f);
  EXPECT_EQ(count(document, "<entry>"), f.entries.size());
  EXPECT_EQ(count(document, "</entry>"), f.entries.size());
  const auto blocks = entry_blocks(document);
  ASSERT_EQ(blocks.size(), f.entries.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_NE(blocks[i].find(f.entries[i].id), std::string::npos) << i;
  }
}

TEST(atom, an_entry_without_authors_gets_the_feeds_authors) {
  const auto document = render(sample());
  const auto blocks = entry_blocks(document);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_NE(blocks[2].find("<author>\n      <name>Global Solutions Awards</name>\n      <uri>https://cases.example.org/</uri>\n    </author>"),
            std::string::npos)
      << blocks[2];
  // An entry with its own authors keeps them, and only them.
  EXPECT_NE(blocks[0].find("<name>李明</name>"), std::string::npos);
  EXPECT_EQ(blocks[0].find("Global Solutions Awards"), std::string::npos);
  EXPECT_EQ(blocks[1].find("Global Solutions Awards"), std::string::npos);
  // The feed keeps its own author element too.
  EXPECT_LT(document.find("<name>Global Solutions Awards</name>"), document.find("<entry>"));
}

TEST(atom, the_same_feed_gives_the_same_bytes) {
  const auto f = sample();
  const auto copy = f;
  EXPECT_EQ(render(f), render(copy));
  EXPECT_EQ(render(f), render(sample()));
}

TEST(atom, a_small_feed_is_written_exactly_so) {
  feed f;
  f.id = "tag:cases.example.org,2025:editions/2025";
  f.updated = "2025-03-01T09:00:00Z";
  f.title = {"Edition 2025", ""};
  f.authors = {{"Global Solutions Awards", ""}};
  f.links = {{"https://cases.example.org/editions/2025/feed.atom", "self", "application/atom+xml", "", ""}};
  entry e;
  e.id = "https://cases.example.org/cases/GS7-0001/versions/2";
  e.title = {"Harvest-timed credit", "en"};
  e.updated = "2025-02-28T16:45:10Z";
  e.links = {{"https://cases.example.org/cases/GS7-0001/versions/2", "alternate", "text/html", "", ""}};
  e.summary = {"Loans repaid after the harvest.", "en"};
  e.categories = {{"sdg-1", "No poverty", ""}};
  f.entries = {e};
  const std::string expected =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
      "  <id>tag:cases.example.org,2025:editions/2025</id>\n"
      "  <title type=\"text\">Edition 2025</title>\n"
      "  <updated>2025-03-01T09:00:00Z</updated>\n"
      "  <link rel=\"self\" href=\"https://cases.example.org/editions/2025/feed.atom\" type=\"application/atom+xml\"/>\n"
      "  <author>\n"
      "    <name>Global Solutions Awards</name>\n"
      "  </author>\n"
      "  <generator>casecall</generator>\n"
      "  <entry>\n"
      "    <id>https://cases.example.org/cases/GS7-0001/versions/2</id>\n"
      "    <title type=\"text\" xml:lang=\"en\">Harvest-timed credit</title>\n"
      "    <updated>2025-02-28T16:45:10Z</updated>\n"
      "    <author>\n"
      "      <name>Global Solutions Awards</name>\n"
      "    </author>\n"
      "    <link rel=\"alternate\" href=\"https://cases.example.org/cases/GS7-0001/versions/2\" type=\"text/html\"/>\n"
      "    <category term=\"sdg-1\" label=\"No poverty\"/>\n"
      "    <summary type=\"text\" xml:lang=\"en\">Loans repaid after the harvest.</summary>\n"
      "  </entry>\n"
      "</feed>\n";
  EXPECT_EQ(render(f), expected);
  EXPECT_VALID_ATOM(expected);
}

TEST(atom, malformed_utf8_becomes_replacement_characters_and_the_document_stays_valid) {
  auto f = sample();
  // A truncated sequence, a byte that is never UTF-8, an overlong '/', an encoded surrogate,
  // and U+FFFE (well-formed UTF-8 that XML forbids).
  f.entries[0].title.value = std::string("caf\xC3") + "|\xFF|\xC0\xAF|\xED\xA0\x80|\xEF\xBF\xBE|ok";
  const auto document = render(f);
  EXPECT_NE(document.find("caf\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD||ok</title>"),
            std::string::npos)
      << document;
  EXPECT_VALID_ATOM(document);
}

TEST(atom, optional_values_left_empty_give_no_element_or_attribute) {
  auto f = sample();
  f.subtitle = {};
  f.generator.clear();
  f.entries[0].published.clear();
  f.entries[0].summary = {"\x01\x02", "zh"};  // nothing left once cleaned
  f.entries[0].rights.clear();
  f.entries[0].categories = {{"sdg-1", "", ""}};
  const auto document = render(f);
  for (const char* absent : {"<subtitle", "<generator", "=\"\""}) {
    EXPECT_EQ(document.find(absent), std::string::npos) << absent;
  }
  const auto first = entry_blocks(document).at(0);
  for (const char* absent : {"<published", "<rights", "<summary", "scheme=", "label="}) {
    EXPECT_EQ(first.find(absent), std::string::npos) << absent;
  }
  EXPECT_NE(first.find("<category term=\"sdg-1\"/>"), std::string::npos) << first;
  EXPECT_VALID_ATOM(document);
}

TEST(atom, a_feed_without_entries_and_one_whose_entries_all_have_authors_need_no_feed_author) {
  feed empty;
  empty.id = "https://cases.example.org/editions/2026/feed.atom";
  empty.updated = "2025-03-01T09:00:00Z";
  empty.title = {"Edition 2026", "en"};
  const auto empty_document = render(empty);
  EXPECT_EQ(count(empty_document, "<entry>"), 0u);
  EXPECT_EQ(empty_document.find("<author>"), std::string::npos);

  auto authored = sample();
  authored.authors.clear();
  authored.entries.erase(authored.entries.begin() + 2);  // the entry without authors
  const auto authored_document = render(authored);
  EXPECT_EQ(count(authored_document, "<author>"), authored.entries.size());

  EXPECT_VALID_ATOM(empty_document);
  EXPECT_VALID_ATOM(authored_document);
}

// ---- dates ----------------------------------------------------------------------------------

const std::vector<std::string> good_dates = {
    "2025-03-01T09:00:00Z",      "2024-02-29T23:59:59Z",      "2025-03-01T09:00:00.5Z", "2025-03-01T09:00:00.123456789+05:30",
    "2025-12-31T00:00:00-12:00", "2025-12-31T00:00:00+14:00", "0001-01-01T00:00:00Z",
};

// Refused by the renderer and by jing.
const std::vector<std::string> bad_dates = {
    "2025-03-01",           "2025-03-01T09:00Z",         "2025-03-01t09:00:00Z",      "2025-03-01T09:00:00z",
    "2025-03-01 09:00:00Z", "2023-02-29T00:00:00Z",      "2025-04-31T00:00:00Z",      "2025-13-01T00:00:00Z",
    "2025-03-01T24:00:00Z", "2025-03-01T09:00:00+14:30", "2025-03-01T09:00:00+0530",  "0000-01-01T00:00:00Z",
    "2025-03-01T09:00:00-14:00", "2025-03-01T09:00:00-13:30",
};

// Refused by the renderer although jing 20220510 lets them through: not RFC 3339 (no offset,
// an empty fraction, a sign or a fifth digit in the year, white space around the value), not
// xsd:dateTime (a leap second), or an offset no place uses (-13:00, which xsd allows).
const std::vector<std::string> bad_dates_jing_lets_through = {
    "2025-03-01T09:00:00",  "2025-03-01T09:00:00.Z", "+2025-03-01T09:00:00Z",     "10000-01-01T00:00:00Z",
    "2025-03-01T09:00:00Z ", "2016-12-31T23:59:60Z", "2025-03-01T09:00:00-13:00",
};

TEST(atom, dates_are_written_as_given_when_jing_accepts_them) {
  auto f = sample();
  f.entries.clear();
  for (std::size_t i = 0; i < good_dates.size(); ++i) {
    entry e;
    e.id = "tag:cases.example.org,2025:date-" + std::to_string(i);
    e.title = {"A date", ""};
    e.updated = good_dates[i];
    e.published = good_dates[i];
    e.links = {alternate("https://cases.example.org/dates/" + std::to_string(i))};
    f.entries.push_back(e);
  }
  const auto document = render(f);
  for (const auto& date : good_dates) {
    EXPECT_NE(document.find("<updated>" + date + "</updated>"), std::string::npos) << date;
    EXPECT_NE(document.find("<published>" + date + "</published>"), std::string::npos) << date;
  }
  EXPECT_VALID_ATOM(document);
}

std::string hand_written_feed(const std::string& updated) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
         "  <id>tag:cases.example.org,2025:f</id>\n"
         "  <title>t</title>\n"
         "  <updated>" + updated + "</updated>\n"
         "  <author><name>n</name></author>\n"
         "</feed>\n";
}

TEST(atom, dates_refused_by_the_renderer) {
  std::vector<std::string> dates = bad_dates;
  dates.insert(dates.end(), bad_dates_jing_lets_through.begin(), bad_dates_jing_lets_through.end());
  dates.emplace_back();
  for (const auto& date : dates) {
    auto f = sample();
    f.updated = date;
    EXPECT_THROW(render(f), std::invalid_argument) << "feed updated \"" << date << "\"";
    f = sample();
    f.entries[1].updated = date;
    EXPECT_THROW(render(f), std::invalid_argument) << "entry updated \"" << date << "\"";
    if (!date.empty()) {
      f = sample();
      f.entries[1].published = date;
      EXPECT_THROW(render(f), std::invalid_argument) << "entry published \"" << date << "\"";
    }
  }
}

TEST(atom, jing_refuses_bad_dates_too) {
  std::vector<std::string> documents;
  for (const auto& date : bad_dates) documents.push_back(hand_written_feed(date));
  std::vector<std::string> paths;
  const verdict v = jing(documents, &paths);
  EXPECT_EQ(v.status, 1) << v.output;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_NE(v.output.find(paths[i] + ":"), std::string::npos) << "jing accepted \"" << bad_dates[i] << "\"\n" << v.output;
  }
}

// ---- refusals -------------------------------------------------------------------------------

template <typename Change>
void expect_refused(Change change, const std::string& message_part) {
  auto f = sample();
  change(f);
  try {
    render(f);
    ADD_FAILURE() << "rendered; expected a refusal mentioning " << message_part;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

TEST(atom, refuses_a_feed_that_would_not_be_valid_atom) {
  expect_refused([](feed& f) { f.id.clear(); }, "feed: id is empty");
  expect_refused([](feed& f) { f.id = "cases.example.org/feed"; }, "feed: id is not an absolute IRI");
  expect_refused([](feed& f) { f.entries[2].id.clear(); }, "entry 2 (): id is empty");
  expect_refused([](feed& f) { f.entries[1].id = "\x01\x02"; }, "id is empty");
  expect_refused([](feed& f) { f.entries[1].id = "/cases/GS7-0002"; }, "entry 1 (/cases/GS7-0002): id is not an absolute IRI");
  expect_refused([](feed& f) { f.authors.clear(); }, "entry 2 (https://cases.example.org/cases/GS7-0003/versions/1): no author");
  expect_refused([](feed& f) { f.entries[0].authors = {{"", "https://example.org/"}}; }, "an author's name is empty");
  expect_refused([](feed& f) { f.entries[0].links.clear(); }, "entry 0 (https://cases.example.org/cases/GS7-0001/versions/2): no alternate link");
  expect_refused([](feed& f) { f.entries[0].links[0].rel = "related"; }, "no alternate link");
  expect_refused([](feed& f) { f.entries[0].links.push_back(f.entries[0].links[0]); }, "two alternate links");
  expect_refused([](feed& f) { f.links.push_back({"https://cases.example.org/other", "", "text/html", "", ""}); }, "feed: two alternate links");
  expect_refused([](feed& f) { f.entries[0].links[0].href.clear(); }, "href is empty");
  expect_refused([](feed& f) { f.entries[0].links[0].type = "html"; }, "type is not a media type");
  expect_refused([](feed& f) { f.entries[0].links[0].hreflang = "zh_CN"; }, "hreflang is not a language tag");
  expect_refused([](feed& f) { f.entries[0].title.lang = "chinese-simplified"; }, "title lang is not a language tag");
  expect_refused([](feed& f) { f.entries[0].summary.lang = "1zh"; }, "summary lang is not a language tag");
  expect_refused([](feed& f) { f.title.lang = "en US"; }, "feed: title lang is not a language tag");
  expect_refused([](feed& f) { f.entries[0].categories[0].term.clear(); }, "a category's term is empty");
}

TEST(atom, other_alternates_and_rels_are_accepted) {
  auto f = sample();
  // An alternate per language and type, the IANA form of "alternate", a rel without one.
  f.entries[0].links = {alternate("https://cases.example.org/zh", "zh"), alternate("https://cases.example.org/en", "en"),
                        {"https://cases.example.org/case.pdf", "alternate", "application/pdf", "zh", ""},
                        {"https://cases.example.org/case.json", "http://www.iana.org/assignments/relation/alternate",
                         "application/json", "", ""},
                        {"https://cases.example.org/cases/GS7-0001", "related", "", "", ""}};
  f.entries[1].links = {{"https://cases.example.org/cases/GS7-0002", "", "", "", ""}};
  EXPECT_VALID_ATOM(render(f));
}

// ---- the validation step can fail ----------------------------------------------------------

TEST(atom, jing_rejects_a_hand_written_feed_whose_entry_has_no_id) {
  const std::string document =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
      "  <id>tag:cases.example.org,2025:feed</id>\n"
      "  <title type=\"text\">Cases</title>\n"
      "  <updated>2025-03-01T09:00:00Z</updated>\n"
      "  <author><name>Global Solutions Awards</name></author>\n"
      "  <entry>\n"
      "    <title type=\"text\">No id</title>\n"
      "    <updated>2025-03-01T09:00:00Z</updated>\n"
      "    <link rel=\"alternate\" href=\"https://cases.example.org/cases/x\"/>\n"
      "  </entry>\n"
      "</feed>\n";
  const verdict v = jing(document);
  EXPECT_EQ(v.status, 1) << v.output;
  EXPECT_NE(v.output.find("missing required element \"id\""), std::string::npos) << v.output;
}

TEST(atom, jing_rejects_a_raw_control_character_and_an_unescaped_ampersand) {
  // Not well-formed: jing stops at the first such file, so one run each.
  std::string with_control = render(sample());
  with_control.insert(with_control.find("Poverty-reduction"), "\x01");
  std::string with_ampersand = render(sample());
  with_ampersand.insert(with_ampersand.find("Poverty-reduction"), "& ");
  for (const auto& document : {with_control, with_ampersand}) {
    const verdict v = jing(document);
    EXPECT_EQ(v.status, 1) << v.output;
    EXPECT_NE(v.output.find("fatal:"), std::string::npos) << v.output;
  }
}

}  // namespace
}  // namespace casecall::publish::atom
