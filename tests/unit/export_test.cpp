// A round's results as files: the CSV is read back by a strict RFC 4180 parser and every cell
// checked (a Chinese title, a title with a comma and quotes, a formula-looking title, a null
// decision); the .xlsx is opened as the zip it is — its central directory, its workbook.xml and
// its sheets inflated with zlib — and its temporary file does not outlive the call.
#include "review/domain/export.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::review::domain {
namespace {

using json = nlohmann::json;

const std::string chinese_title = "乡村数字普惠金融：社会企业创新奖";
const std::string comma_quote_title = R"(Jobs, "skills" and growth)";
const std::string formula_title = R"(=HYPERLINK("http://evil.example/?x=1","click me"))";

json sample() {
  return json{
      {"round_id", "0b0e7f4c-6d1a-4c4e-9a51-1f2d3c4b5a69"},
      {"method", {{"name", "z_score"}, {"shrinkage", 3}, {"disagreement_threshold", 1.5}}},
      {"reviews", 12},
      {"panel_mean", 6.1},
      {"panel_sd", 1.2},
      {"alpha", 0.53},
      {"criteria", json::array({json{{"id", "results"}, {"alpha", 0.4}}, json{{"id", "innovation"}, {"alpha", nullptr}}})},
      {"ranking", json::array({
                      json{{"rank", 1},
                           {"case_id", "6f1c2a9e-0d4b-4a8e-9c3f-2b7d5e1a0c11"},
                           {"reference", "GS7-0001"},
                           {"title", chinese_title},
                           {"reviews", 3},
                           {"raw_mean", 7.2},
                           {"calibrated", 7.933333333333333},
                           {"spread", 0.8},
                           {"flagged", false},
                           {"decision", "accept"},
                           {"reason", "Strong, measured results"}},
                      json{{"rank", 2},
                           {"case_id", "a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d"},
                           {"reference", "GS7-0002"},
                           {"title", comma_quote_title},
                           {"reviews", 2},
                           {"raw_mean", 6.5},
                           {"calibrated", 6.25},
                           {"spread", 2.75},
                           {"flagged", true},
                           {"decision", nullptr},
                           {"reason", "Split panel;\r\ndiscuss"}},
                      json{{"rank", 3},
                           {"case_id", "c0ffee00-1111-4222-8333-444455556666"},
                           {"reference", nullptr},
                           {"title", formula_title},
                           {"reviews", 3},
                           {"raw_mean", 5},
                           {"calibrated", 5.0000001},
                           {"spread", 0.0},
                           {"flagged", false},
                           {"decision", "reject"},
                           {"reason", "-not eligible"}},
                      json{{"rank", 4},
                           {"case_id", "d1d2d3d4-0000-4000-8000-000000000004"},
                           {"reference", "+GS7-0004"},
                           {"title", nullptr},
                           {"reviews", 1},
                           {"raw_mean", 4.1},
                           {"calibrated", -0.0000001},
                           {"spread", 0.0},
                           {"flagged", false},
                           {"decision", "shortlist"},
                           {"reason", "@chair: see notes"}},
                  })},
      {"judges", json::array({
                     json{{"user_id", "11111111-2222-4333-8444-555555555555"}, {"name", "Ana Lima"}, {"reviews", 40},
                          {"mean", 6.0}, {"sd", 1.1}, {"agreement", 0.7}},
                     json{{"user_id", "66666666-7777-4888-9999-000000000000"}, {"name", "王芳"}, {"reviews", 7},
                          {"mean", 5.25}, {"sd", 0.9}, {"agreement", nullptr}},
                 })},
  };
}

// ---- a strict RFC 4180 reader ----------------------------------------------------------------

using table = std::vector<std::vector<std::string>>;

// Every record must end with CRLF (the last one too); a field is either quoted (and may then
// hold commas, CR, LF and doubled quotes) or holds none of '"', CR, LF. Throws on anything else.
table parse_csv(std::string_view text) {
  table records;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    std::vector<std::string> record;
    for (;;) {
      std::string field;
      if (text[i] == '"') {
        ++i;
        for (;;) {
          if (i >= n) throw std::runtime_error("unterminated quoted field");
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          field += text[i++];
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\r') {
          if (text[i] == '"' || text[i] == '\n') throw std::runtime_error("quote or LF in an unquoted field at " + std::to_string(i));
          field += text[i++];
        }
      }
      record.push_back(field);
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i + 1 < n && text[i] == '\r' && text[i + 1] == '\n') {
        i += 2;
        break;
      }
      throw std::runtime_error("a record does not end with CRLF at " + std::to_string(i));
    }
    records.push_back(record);
  }
  return records;
}

const std::string bom = "\xEF\xBB\xBF";
const std::vector<std::string> header = {"rank",       "reference", "case_id", "title",    "reviews", "raw_mean",
                                         "calibrated", "spread",    "flagged", "decision", "reason"};

table csv_table(const json& results) {
  const std::string csv = results_csv(results);
  if (csv.rfind(bom, 0) != 0) throw std::runtime_error("no byte order mark");
  return parse_csv(std::string_view(csv).substr(bom.size()));
}

// The CSV field a single ranking entry's `key` becomes.
std::string csv_field(const std::string& key, const json& value) {
  json entry = sample()["ranking"][0];
  entry[key] = value;
  const auto rows = csv_table(json{{"ranking", json::array({entry})}});
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] == key) return rows.at(1).at(c);
  }
  throw std::runtime_error("no column " + key);
}

TEST(export_csv, starts_with_a_utf8_byte_order_mark_and_ends_every_record_with_crlf) {
  const std::string csv = results_csv(sample());
  ASSERT_GE(csv.size(), 3u);
  EXPECT_EQ(csv.substr(0, 3), bom);
  EXPECT_EQ(csv.substr(3, 7), "rank,re");
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
  // One header and four rows: five record ends outside quotes; the reason's own CRLF is quoted.
  EXPECT_NO_THROW(parse_csv(std::string_view(csv).substr(3)));
}

TEST(export_csv, every_cell_of_the_sample_reads_back) {
  table rows;
  ASSERT_NO_THROW(rows = csv_table(sample()));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], header);
  const table expected = {
      {"1", "GS7-0001", "6f1c2a9e-0d4b-4a8e-9c3f-2b7d5e1a0c11", chinese_title, "3", "7.2", "7.933333", "0.8", "false",
       "accept", "Strong, measured results"},
      {"2", "GS7-0002", "a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d", comma_quote_title, "2", "6.5", "6.25", "2.75", "true", "",
       "Split panel;\r\ndiscuss"},
      {"3", "", "c0ffee00-1111-4222-8333-444455556666", "'" + formula_title, "3", "5", "5", "0", "false", "reject",
       "'-not eligible"},
      {"4", "'+GS7-0004", "d1d2d3d4-0000-4000-8000-000000000004", "", "1", "4.1", "0", "0", "false", "shortlist",
       "'@chair: see notes"},
  };
  for (std::size_t r = 0; r < expected.size(); ++r) {
    ASSERT_EQ(rows[r + 1].size(), header.size()) << "row " << r + 1;
    for (std::size_t c = 0; c < header.size(); ++c) {
      EXPECT_EQ(rows[r + 1][c], expected[r][c]) << "row " << r + 1 << ", column " << header[c];
    }
  }
}

TEST(export_csv, quotes_exactly_the_fields_that_need_it) {
  const std::string csv = results_csv(sample());
  EXPECT_NE(csv.find(",\"Jobs, \"\"skills\"\" and growth\","), std::string::npos);
  EXPECT_NE(csv.find(",\"Split panel;\r\ndiscuss\"\r\n"), std::string::npos);
  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://evil.example/?x=1\"\",\"\"click me\"\")\","), std::string::npos);
  // The Chinese title needs no quotes and is there byte for byte.
  EXPECT_NE(csv.find("," + chinese_title + ","), std::string::npos);
  EXPECT_EQ(csv.find("\"GS7-0001\""), std::string::npos);
}

TEST(export_csv, numbers_follow_the_fixed_six_decimal_rule) {
  EXPECT_EQ(csv_field("raw_mean", 7.2), "7.2");
  EXPECT_EQ(csv_field("raw_mean", 0.1 + 0.2), "0.3");
  EXPECT_EQ(csv_field("raw_mean", 7.933333333333333), "7.933333");
  EXPECT_EQ(csv_field("raw_mean", 2.0000004), "2");
  EXPECT_EQ(csv_field("raw_mean", 2.9999996), "3");
  EXPECT_EQ(csv_field("raw_mean", 1234567.125), "1234567.125");
  EXPECT_EQ(csv_field("raw_mean", 3.0), "3");
  EXPECT_EQ(csv_field("raw_mean", 100.0), "100");
  EXPECT_EQ(csv_field("raw_mean", -1.5), "-1.5");
  EXPECT_EQ(csv_field("raw_mean", -0.0000001), "0");
  EXPECT_EQ(csv_field("raw_mean", -0.0), "0");
  EXPECT_EQ(csv_field("raw_mean", 0.000001), "0.000001");
  EXPECT_EQ(csv_field("rank", 12), "12");
  EXPECT_EQ(csv_field("reviews", 40u), "40");
  EXPECT_EQ(csv_field("raw_mean", std::numeric_limits<double>::quiet_NaN()), "");
  EXPECT_EQ(csv_field("raw_mean", nullptr), "");
  EXPECT_EQ(csv_field("flagged", true), "true");
  EXPECT_EQ(csv_field("flagged", false), "false");
}

TEST(export_csv, a_text_a_spreadsheet_would_evaluate_gets_a_leading_apostrophe) {
  EXPECT_EQ(csv_field("title", "=1+1"), "'=1+1");
  EXPECT_EQ(csv_field("title", "+1"), "'+1");
  EXPECT_EQ(csv_field("title", "-1"), "'-1");
  EXPECT_EQ(csv_field("title", "@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_field("title", "\tcmd"), "'\tcmd");
  EXPECT_EQ(csv_field("title", "\r=1"), "'\r=1");
  EXPECT_EQ(csv_field("reference", "=A1"), "'=A1");
  EXPECT_EQ(csv_field("decision", "-"), "'-");
  EXPECT_EQ(csv_field("reason", "=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  // Only the first character counts.
  EXPECT_EQ(csv_field("title", "a=b"), "a=b");
  EXPECT_EQ(csv_field("title", " =1"), " =1");
  EXPECT_EQ(csv_field("title", ""), "");
}

TEST(export_csv, no_ranking_gives_the_header_alone) {
  const std::string expected = bom + "rank,reference,case_id,title,reviews,raw_mean,calibrated,spread,flagged,decision,reason\r\n";
  EXPECT_EQ(results_csv(json::object()), expected);
  EXPECT_EQ(results_csv(json{{"ranking", json::array()}}), expected);
  EXPECT_EQ(results_csv(json{{"ranking", nullptr}}), expected);
}

TEST(export_csv, a_malformed_document_is_refused) {
  EXPECT_THROW(results_csv(json::array()), std::invalid_argument);
  EXPECT_THROW(results_csv(json{{"ranking", "none"}}), std::invalid_argument);
  EXPECT_THROW(results_csv(json{{"ranking", json::array({1})}}), std::invalid_argument);
  EXPECT_THROW(results_csv(json{{"ranking", json::array({json{{"title", json::array({"x"})}}})}}), std::invalid_argument);
}

// ---- a zip reader --------------------------------------------------------------------------

std::uint32_t u16(const std::string& b, std::size_t at) {
  if (at + 2 > b.size()) throw std::runtime_error("zip: truncated");
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}

std::uint32_t u32(const std::string& b, std::size_t at) { return u16(b, at) | u16(b, at + 2) << 16; }

struct zip_entry {
  std::uint32_t method = 0;
  std::uint32_t compressed = 0;
  std::uint32_t size = 0;
  std::uint32_t local_header = 0;
};

// The central directory: name → entry.
std::map<std::string, zip_entry> central_directory(const std::string& zip) {
  if (zip.size() < 22) throw std::runtime_error("zip: too short");
  std::size_t eocd = zip.size() - 22;
  for (;;) {
    if (u32(zip, eocd) == 0x06054b50) break;
    if (eocd == 0 || zip.size() - eocd > 22 + 65535) throw std::runtime_error("zip: no end of central directory");
    --eocd;
  }
  const std::uint32_t count = u16(zip, eocd + 10);
  std::size_t at = u32(zip, eocd + 16);
  std::map<std::string, zip_entry> out;
  for (std::uint32_t k = 0; k < count; ++k) {
    if (u32(zip, at) != 0x02014b50) throw std::runtime_error("zip: bad central directory entry");
    zip_entry e;
    e.method = u16(zip, at + 10);
    e.compressed = u32(zip, at + 20);
    e.size = u32(zip, at + 24);
    const std::uint32_t name_length = u16(zip, at + 28);
    const std::uint32_t extra_length = u16(zip, at + 30);
    const std::uint32_t comment_length = u16(zip, at + 32);
    e.local_header = u32(zip, at + 42);
    if (at + 46 + name_length > zip.size()) throw std::runtime_error("zip: truncated name");
    out[zip.substr(at + 46, name_length)] = e;
    at += 46 + name_length + extra_length + comment_length;
  }
  return out;
}

// An entry's content: stored, or raw deflate inflated with zlib.
std::string extract(const std::string& zip, const zip_entry& e) {
  const std::size_t local = e.local_header;
  if (u32(zip, local) != 0x04034b50) throw std::runtime_error("zip: bad local header");
  const std::size_t data = local + 30 + u16(zip, local + 26) + u16(zip, local + 28);
  if (data + e.compressed > zip.size()) throw std::runtime_error("zip: truncated data");
  const std::string compressed = zip.substr(data, e.compressed);
  if (e.method == 0) return compressed;
  if (e.method != 8) throw std::runtime_error("zip: unknown method " + std::to_string(e.method));

  std::string out(e.size, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: inflateInit2");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = inflate(&z, Z_FINISH);
  const auto produced = z.total_out;
  inflateEnd(&z);
  if (status != Z_STREAM_END || produced != e.size) throw std::runtime_error("zlib: inflate failed");
  return out;
}

struct workbook_files {
  std::map<std::string, zip_entry> entries;
  std::map<std::string, std::string> text;  // name → content, for every entry
};

workbook_files open_xlsx(const std::string& bytes) {
  workbook_files w;
  w.entries = central_directory(bytes);
  for (const auto& [name, e] : w.entries) w.text[name] = extract(bytes, e);
  return w;
}

std::size_t occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

TEST(export_xlsx, is_a_zip_with_a_workbook_and_three_worksheets) {
  const std::string bytes = results_xlsx(sample());
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  workbook_files w;
  ASSERT_NO_THROW(w = open_xlsx(bytes));
  for (const char* name : {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                           "xl/worksheets/sheet3.xml", "xl/styles.xml", "xl/sharedStrings.xml"}) {
    EXPECT_EQ(w.entries.count(name), 1u) << name;
  }
  EXPECT_EQ(w.entries.count("xl/worksheets/sheet4.xml"), 0u);
}

TEST(export_xlsx, the_workbook_lists_ranking_judges_and_method_in_that_order) {
  const auto w = open_xlsx(results_xlsx(sample()));
  const std::string& workbook = w.text.at("xl/workbook.xml");
  const auto ranking = workbook.find("<sheet name=\"Ranking\"");
  const auto judges = workbook.find("<sheet name=\"Judges\"");
  const auto method = workbook.find("<sheet name=\"Method\"");
  ASSERT_NE(ranking, std::string::npos) << workbook;
  ASSERT_NE(judges, std::string::npos) << workbook;
  ASSERT_NE(method, std::string::npos) << workbook;
  EXPECT_LT(ranking, judges);
  EXPECT_LT(judges, method);
  EXPECT_EQ(occurrences(workbook, "<sheet "), 3u);
}

TEST(export_xlsx, texts_are_strings_never_formulas_and_numbers_are_numbers) {
  const auto w = open_xlsx(results_xlsx(sample()));
  const std::string& strings = w.text.at("xl/sharedStrings.xml");
  const std::string& ranking = w.text.at("xl/worksheets/sheet1.xml");
  // Titles as they are: no apostrophe in a string cell, and no formula anywhere.
  EXPECT_NE(strings.find(chinese_title), std::string::npos);
  EXPECT_NE(strings.find("=HYPERLINK("), std::string::npos);
  EXPECT_EQ(strings.find("'=HYPERLINK("), std::string::npos);
  EXPECT_NE(strings.find("Jobs, "), std::string::npos);
  EXPECT_NE(strings.find("-not eligible"), std::string::npos);
  for (const auto& [name, text] : w.text) {
    if (name.rfind("xl/worksheets/", 0) == 0) {
      EXPECT_EQ(text.find("<f>"), std::string::npos) << name;
    }
  }
  // Header and four rows; numbers as <v> values of non-string cells; flagged as booleans.
  EXPECT_EQ(occurrences(ranking, "<row "), 5u);
  EXPECT_NE(ranking.find("<v>7.2</v>"), std::string::npos);
  EXPECT_NE(ranking.find("<v>6.25</v>"), std::string::npos);
  EXPECT_EQ(occurrences(ranking, "t=\"b\""), 4u);
  // A frozen header row and column widths.
  EXPECT_NE(ranking.find("ySplit=\"1\""), std::string::npos);
  EXPECT_NE(ranking.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(ranking.find("<cols>"), std::string::npos);
  // The header is bold.
  EXPECT_NE(w.text.at("xl/styles.xml").find("<b/>"), std::string::npos);
}

TEST(export_xlsx, judges_and_method_sheets_hold_their_rows) {
  const auto w = open_xlsx(results_xlsx(sample()));
  const std::string& strings = w.text.at("xl/sharedStrings.xml");
  const std::string& judges = w.text.at("xl/worksheets/sheet2.xml");
  const std::string& method = w.text.at("xl/worksheets/sheet3.xml");
  EXPECT_EQ(occurrences(judges, "<row "), 3u);
  EXPECT_NE(judges.find("<v>40</v>"), std::string::npos);
  EXPECT_NE(judges.find("<v>0.7</v>"), std::string::npos);
  EXPECT_NE(strings.find("王芳"), std::string::npos);
  EXPECT_NE(strings.find("agreement"), std::string::npos);
  // key/value header, 8 fixed rows, one per criterion.
  EXPECT_EQ(occurrences(method, "<row "), 11u);
  for (const char* key : {"round_id", "method", "shrinkage", "disagreement_threshold", "panel_mean", "panel_sd",
                          "alpha: results", "alpha: innovation", "z_score", "0b0e7f4c-6d1a-4c4e-9a51-1f2d3c4b5a69"}) {
    EXPECT_NE(strings.find("<t>" + std::string(key) + "</t>"), std::string::npos) << key;
  }
  EXPECT_NE(method.find("<v>1.5</v>"), std::string::npos);
  EXPECT_NE(method.find("<v>0.53</v>"), std::string::npos);
  EXPECT_NE(method.find("<v>0.4</v>"), std::string::npos);
}

// ---- the temporary file ----------------------------------------------------------------------

class scratch_directory {
 public:
  scratch_directory() {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_ = old;
    std::string pattern = "/tmp/casecall-export-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = pattern;
    ::setenv("TMPDIR", path_.c_str(), 1);
  }
  ~scratch_directory() {
    if (old_) ::setenv("TMPDIR", old_->c_str(), 1);
    else ::unsetenv("TMPDIR");
    for (const auto& name : names()) ::unlink((path_ + "/" + name).c_str());
    ::rmdir(path_.c_str());
  }
  scratch_directory(const scratch_directory&) = delete;
  scratch_directory& operator=(const scratch_directory&) = delete;

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (DIR* dir = ::opendir(path_.c_str())) {
      while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") out.push_back(name);
      }
      ::closedir(dir);
    }
    return out;
  }

 private:
  std::optional<std::string> old_;
  std::string path_;
};

TEST(export_xlsx, leaves_no_temporary_file_behind) {
  scratch_directory scratch;
  const std::string bytes = results_xlsx(sample());
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_TRUE(scratch.names().empty());
}

TEST(export_xlsx, a_libxlsxwriter_error_throws_and_leaves_no_temporary_file_behind) {
  scratch_directory scratch;
  json results = sample();
  results["ranking"][0]["title"] = std::string(40000, 'x');  // over Excel's 32,767 characters
  try {
    (void)results_xlsx(results);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("32,767"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(scratch.names().empty());
}

TEST(export_xlsx, a_malformed_document_is_refused_and_an_empty_one_gives_headers_only) {
  EXPECT_THROW(results_xlsx(json("results")), std::invalid_argument);
  EXPECT_THROW(results_xlsx(json{{"judges", json::object()}}), std::invalid_argument);
  EXPECT_THROW(results_xlsx(json{{"method", "z_score"}}), std::invalid_argument);
  const auto w = open_xlsx(results_xlsx(json::object()));
  EXPECT_EQ(occurrences(w.text.at("xl/worksheets/sheet1.xml"), "<row "), 1u);
  EXPECT_EQ(occurrences(w.text.at("xl/worksheets/sheet2.xml"), "<row "), 1u);
  EXPECT_EQ(occurrences(w.text.at("xl/worksheets/sheet3.xml"), "<row "), 9u);
}

}  // namespace
}  // namespace casecall::review::domain
