#include "review/domain/export.hpp"

#include <xlsxwriter.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace casecall::review::domain {

using json = nlohmann::json;

namespace {

// How a number column is shown in the workbook (the stored value is never rounded).
enum class shown { as_is, two_decimals, three_decimals };

struct column {
  const char* key;  // the JSON field, and the header
  double width;     // in Excel's character units
  shown format;
};

constexpr std::array<column, 11> ranking_columns{{
    {"rank", 6, shown::as_is},
    {"reference", 12, shown::as_is},
    {"case_id", 38, shown::as_is},
    {"title", 50, shown::as_is},
    {"reviews", 8, shown::as_is},
    {"raw_mean", 10, shown::two_decimals},
    {"calibrated", 11, shown::two_decimals},
    {"spread", 8, shown::two_decimals},
    {"flagged", 8, shown::as_is},
    {"decision", 11, shown::as_is},
    {"reason", 50, shown::as_is},
}};

constexpr std::array<column, 6> judge_columns{{
    {"user_id", 38, shown::as_is},
    {"name", 30, shown::as_is},
    {"reviews", 8, shown::as_is},
    {"mean", 8, shown::two_decimals},
    {"sd", 8, shown::two_decimals},
    {"agreement", 10, shown::three_decimals},
}};

// ---- the results document ----------------------------------------------------------------

void require_object(const json& results) {
  if (!results.is_object()) throw std::invalid_argument("results: not an object");
}

// The member, or nullptr when it is absent or null.
const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

// The entries of a list member; none when it is absent or null.
std::vector<const json*> entries(const json& results, const char* key) {
  std::vector<const json*> out;
  const json* list = member(results, key);
  if (list == nullptr) return out;
  if (!list->is_array()) throw std::invalid_argument(std::string("results: \"") + key + "\" is not a list");
  for (const auto& entry : *list) {
    if (!entry.is_object()) throw std::invalid_argument(std::string("results: an entry of \"") + key + "\" is not an object");
    out.push_back(&entry);
  }
  return out;
}

[[noreturn]] void not_a_cell(const char* key) {
  throw std::invalid_argument(std::string("results: \"") + key + "\" is a list or an object, not a cell's value");
}

// ---- CSV ------------------------------------------------------------------------------------

constexpr const char* bom = "\xEF\xBB\xBF";

// Fixed-point, 6 decimals, rounded to nearest, trailing zeros and '.' dropped, "-0" → "0".
// std::to_chars ignores the locale, so the decimal separator is always '.'.
std::string number_text(double x) {
  if (!std::isfinite(x)) return {};
  std::array<char, 400> buffer{};  // DBL_MAX has 309 integer digits; + sign, '.', 6 decimals
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x, std::chars_format::fixed, 6);
  if (error != std::errc{}) throw std::logic_error("number_text: buffer too small");
  std::string text(buffer.data(), end);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// A text a spreadsheet would take for a formula (or, for a leading tab or CR, strip into one)
// is prefixed with an apostrophe.
std::string guarded(const std::string& text) {
  if (!text.empty()) {
    switch (text.front()) {
      case '=':
      case '+':
      case '-':
      case '@':
      case '\t':
      case '\r':
        return "'" + text;
      default:
        break;
    }
  }
  return text;
}

std::string csv_value(const json* value, const char* key) {
  if (value == nullptr) return {};
  switch (value->type()) {
    case json::value_t::boolean:
      return value->get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
      return std::to_string(value->get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(value->get<std::uint64_t>());
    case json::value_t::number_float:
      return number_text(value->get<double>());
    case json::value_t::string:
      return guarded(value->get_ref<const std::string&>());
    case json::value_t::object:
    case json::value_t::array:
    case json::value_t::binary:
      not_a_cell(key);
    case json::value_t::null:
    case json::value_t::discarded:
      break;
  }
  return {};
}

void append_field(std::string& out, const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out += field;
    return;
  }
  out += '"';
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// ---- XLSX -----------------------------------------------------------------------------------

void check(lxw_error error) {
  if (error != LXW_NO_ERROR) throw std::runtime_error(std::string("results_xlsx: ") + lxw_strerror(error));
}

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

// A file made by mkstemp in $TMPDIR (or /tmp), unlinked and closed when done with.
class temporary_file {
 public:
  temporary_file() {
    const char* tmpdir = std::getenv("TMPDIR");
    directory_ = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/tmp";
    const std::string pattern = directory_ + "/casecall-export-XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) {
      throw std::runtime_error("results_xlsx: cannot make a temporary file in " + directory_ + ": " + errno_text(errno));
    }
    path_ = name.data();
  }
  ~temporary_file() {
    ::unlink(path_.c_str());
    ::close(fd_);
  }
  temporary_file(const temporary_file&) = delete;
  temporary_file& operator=(const temporary_file&) = delete;

  const std::string& path() const { return path_; }
  const std::string& directory() const { return directory_; }

  // Read through the descriptor mkstemp gave: libxlsxwriter reopens the path with "wb", which
  // truncates and rewrites this very file.
  std::string contents() const {
    std::string out;
    struct stat status {};
    if (::fstat(fd_, &status) == 0 && status.st_size > 0) out.reserve(static_cast<std::size_t>(status.st_size));
    std::array<char, 65536> buffer{};
    off_t offset = 0;
    for (;;) {
      const ssize_t got = ::pread(fd_, buffer.data(), buffer.size(), offset);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("results_xlsx: cannot read " + path_ + ": " + errno_text(errno));
      }
      if (got == 0) break;
      out.append(buffer.data(), static_cast<std::size_t>(got));
      offset += got;
    }
    return out;
  }

 private:
  std::string directory_;
  std::string path_;
  int fd_ = -1;
};

// A workbook not yet closed is freed without being written.
struct workbook_free {
  void operator()(lxw_workbook* workbook) const { lxw_workbook_free(workbook); }
};
using workbook_ptr = std::unique_ptr<lxw_workbook, workbook_free>;

struct formats {
  lxw_format* bold = nullptr;
  lxw_format* two_decimals = nullptr;
  lxw_format* three_decimals = nullptr;

  lxw_format* of(shown how) const {
    switch (how) {
      case shown::two_decimals:
        return two_decimals;
      case shown::three_decimals:
        return three_decimals;
      case shown::as_is:
        break;
    }
    return nullptr;
  }
};

lxw_row_t row_index(std::size_t row) {
  if (row >= LXW_ROW_MAX) check(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
  return static_cast<lxw_row_t>(row);
}

lxw_worksheet* add_sheet(lxw_workbook* workbook, const char* name) {
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, name);
  if (sheet == nullptr) throw std::runtime_error(std::string("results_xlsx: libxlsxwriter could not add the sheet ") + name);
  return sheet;
}

struct heading {
  const char* text;
  double width;
};

void write_header(lxw_worksheet* sheet, const std::vector<heading>& headings, const formats& f) {
  lxw_col_t col = 0;
  for (const auto& h : headings) {
    check(worksheet_write_string(sheet, 0, col, h.text, f.bold));
    check(worksheet_set_column(sheet, col, col, h.width, nullptr));
    ++col;
  }
  worksheet_freeze_panes(sheet, 1, 0);
}

template <std::size_t N>
std::vector<heading> headings_of(const std::array<column, N>& columns) {
  std::vector<heading> out;
  for (const auto& c : columns) out.push_back({c.key, c.width});
  return out;
}

// Texts are string cells, never formulas; null, absent and non-finite values leave it empty.
void write_cell(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const json* value, lxw_format* number_format,
                const char* key) {
  if (value == nullptr) return;
  switch (value->type()) {
    case json::value_t::boolean:
      check(worksheet_write_boolean(sheet, row, col, value->get<bool>() ? 1 : 0, nullptr));
      return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
      const double x = value->get<double>();
      if (std::isfinite(x)) check(worksheet_write_number(sheet, row, col, x, number_format));
      return;
    }
    case json::value_t::string:
      check(worksheet_write_string(sheet, row, col, value->get_ref<const std::string&>().c_str(), nullptr));
      return;
    case json::value_t::object:
    case json::value_t::array:
    case json::value_t::binary:
      not_a_cell(key);
    case json::value_t::null:
    case json::value_t::discarded:
      return;
  }
}

template <std::size_t N>
void write_table(lxw_worksheet* sheet, const std::array<column, N>& columns, const std::vector<const json*>& rows,
                 const formats& f) {
  write_header(sheet, headings_of(columns), f);
  std::size_t row = 1;
  for (const json* entry : rows) {
    const lxw_row_t r = row_index(row++);
    lxw_col_t col = 0;
    for (const auto& c : columns) write_cell(sheet, r, col++, member(*entry, c.key), f.of(c.format), c.key);
  }
}

void write_method(lxw_worksheet* sheet, const json& results, const std::vector<const json*>& criteria, const formats& f) {
  write_header(sheet, {{"key", 28}, {"value", 40}}, f);
  const json* method = member(results, "method");
  if (method != nullptr && !method->is_object()) throw std::invalid_argument("results: \"method\" is not an object");
  const json none;
  const json& how = method != nullptr ? *method : none;

  std::vector<std::pair<std::string, const json*>> rows = {
      {"round_id", member(results, "round_id")},
      {"method", member(how, "name")},
      {"shrinkage", member(how, "shrinkage")},
      {"disagreement_threshold", member(how, "disagreement_threshold")},
      {"reviews", member(results, "reviews")},
      {"panel_mean", member(results, "panel_mean")},
      {"panel_sd", member(results, "panel_sd")},
      {"alpha", member(results, "alpha")},
  };
  for (const json* criterion : criteria) {
    const json* id = member(*criterion, "id");
    const std::string name = id == nullptr ? std::string() : id->is_string() ? id->get<std::string>() : id->dump();
    rows.emplace_back("alpha: " + name, member(*criterion, "alpha"));
  }

  std::size_t row = 1;
  for (const auto& [key, value] : rows) {
    const lxw_row_t r = row_index(row++);
    check(worksheet_write_string(sheet, r, 0, key.c_str(), nullptr));
    write_cell(sheet, r, 1, value, nullptr, key.c_str());
  }
}

}  // namespace

std::string results_csv(const json& results) {
  require_object(results);
  const auto ranking = entries(results, "ranking");

  std::string out = bom;
  bool first = true;
  for (const auto& c : ranking_columns) {
    if (!first) out += ',';
    out += c.key;
    first = false;
  }
  out += "\r\n";

  for (const json* entry : ranking) {
    first = true;
    for (const auto& c : ranking_columns) {
      if (!first) out += ',';
      append_field(out, csv_value(member(*entry, c.key), c.key));
      first = false;
    }
    out += "\r\n";
  }
  return out;
}

std::string results_xlsx(const json& results) {
  require_object(results);
  const auto ranking = entries(results, "ranking");
  const auto judges = entries(results, "judges");
  const auto criteria = entries(results, "criteria");

  temporary_file file;
  std::string scratch = file.directory();  // libxlsxwriter wants a char*
  lxw_workbook_options options{};
  options.tmpdir = scratch.data();
  workbook_ptr workbook(workbook_new_opt(file.path().c_str(), &options));
  if (!workbook) throw std::runtime_error("results_xlsx: libxlsxwriter could not make a workbook");

  formats f;
  f.bold = workbook_add_format(workbook.get());
  f.two_decimals = workbook_add_format(workbook.get());
  f.three_decimals = workbook_add_format(workbook.get());
  if (f.bold == nullptr || f.two_decimals == nullptr || f.three_decimals == nullptr) {
    throw std::runtime_error("results_xlsx: libxlsxwriter could not add a format");
  }
  format_set_bold(f.bold);
  format_set_num_format(f.two_decimals, "0.00");
  format_set_num_format(f.three_decimals, "0.000");

  lxw_worksheet* ranking_sheet = add_sheet(workbook.get(), "Ranking");
  lxw_worksheet* judges_sheet = add_sheet(workbook.get(), "Judges");
  lxw_worksheet* method_sheet = add_sheet(workbook.get(), "Method");
  write_table(ranking_sheet, ranking_columns, ranking, f);
  write_table(judges_sheet, judge_columns, judges, f);
  write_method(method_sheet, results, criteria, f);

  // workbook_close writes the file and frees the workbook, whether it succeeds or not.
  check(workbook_close(workbook.release()));
  return file.contents();
}

}  // namespace casecall::review::domain
