#include "publish/domain/oai.hpp"

#include "publish/domain/xml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <system_error>
#include <variant>

namespace casecall::publish::oai {

namespace {

constexpr std::string_view oai_namespace = "http://www.openarchives.org/OAI/2.0/";
constexpr std::string_view oai_schema_location =
    "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd";
constexpr std::string_view xsi_namespace = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view oai_dc_prefix = "oai_dc";
constexpr std::string_view oai_dc_namespace = "http://www.openarchives.org/OAI/2.0/oai_dc/";
constexpr std::string_view oai_dc_schema = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd";
constexpr std::string_view oai_dc_schema_location =
    "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd";
constexpr std::string_view dc_namespace = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view granularity_seconds = "YYYY-MM-DDThh:mm:ssZ";

using attribute = std::pair<std::string_view, std::string_view>;
using attributes = std::vector<attribute>;

// Elements one a line, indented two spaces a level.
class writer {
 public:
  explicit writer(std::size_t depth) : depth_(depth) {}

  void open(std::string_view name, const attributes& attrs = {}) {
    start(name, attrs);
    out_ += ">\n";
    ++depth_;
  }

  void close(std::string_view name) {
    --depth_;
    indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

  void leaf(std::string_view name, std::string_view content, const attributes& attrs = {}) {
    start(name, attrs);
    out_ += '>';
    xml::append_escaped(out_, content, xml::context::text);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

  void empty(std::string_view name, const attributes& attrs = {}) {
    start(name, attrs);
    out_ += "/>\n";
  }

  // Output made by another writer, at the level it was made for.
  void append(const std::string& made) { out_ += made; }

  const std::string& text() const { return out_; }

 private:
  void indent() { out_.append(2 * depth_, ' '); }

  void start(std::string_view name, const attributes& attrs) {
    indent();
    out_ += '<';
    out_ += name;
    for (const auto& [key, value] : attrs) {
      out_ += ' ';
      out_ += key;
      out_ += "=\"";
      xml::append_escaped(out_, value, xml::context::attribute);
      out_ += '"';
    }
  }

  std::string out_;
  std::size_t depth_;
};

// ---- dates ---------------------------------------------------------------------------------

// The number written by the `count` digits at s[pos]; nullopt when they are not all digits.
std::optional<int> digits_at(std::string_view s, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t k = pos; k < pos + count; ++k) {
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
    value = value * 10 + (s[k] - '0');
  }
  return value;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// YYYY-MM-DD, a real day; year 0000 is not one (XML Schema 1.0 has no year zero).
bool is_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const auto year = digits_at(s, 0, 4);
  const auto month = digits_at(s, 5, 2);
  const auto day = digits_at(s, 8, 2);
  if (!year || !month || !day || *year == 0 || *month < 1 || *month > 12) return false;
  return *day >= 1 && *day <= days_in_month(*year, *month);
}

// YYYY-MM-DDThh:mm:ssZ, a real day and time (xsd:dateTime has no leap second).
bool is_second(std::string_view s) {
  if (s.size() != 20 || !is_day(s.substr(0, 10)) || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
    return false;
  }
  const auto hour = digits_at(s, 11, 2);
  const auto minute = digits_at(s, 14, 2);
  const auto second = digits_at(s, 17, 2);
  return hour && minute && second && *hour <= 23 && *minute <= 59 && *second <= 59;
}

// ---- syntax of the protocol's values ---------------------------------------------------------

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) { return is_ascii_letter(c) || is_ascii_digit(c); }

// The characters of a metadataPrefix and of a set spec's parts: [A-Za-z0-9\-_\.!~\*'\(\)].
bool is_spec_char(char c) { return is_ascii_alnum(c) || std::string_view("-_.!~*'()").find(c) != std::string_view::npos; }

bool is_metadata_prefix(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_spec_char); }

// Parts of spec characters joined by ':', none empty.
bool is_set_spec(std::string_view s) {
  while (true) {
    const auto colon = s.find(':');
    if (!is_metadata_prefix(s.substr(0, colon))) return false;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

// xs:language: [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*.
bool is_language_tag(std::string_view s) {
  bool first = true;
  while (true) {
    const auto part = s.substr(0, s.find('-'));
    const bool fits = part.size() >= 1 && part.size() <= 8 &&
                      std::all_of(part.begin(), part.end(), first ? is_ascii_letter : is_ascii_alnum);
    if (!fits) return false;
    if (part.size() == s.size()) return true;
    s.remove_prefix(part.size() + 1);
    first = false;
  }
}

bool is_xsd_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The schema's emailType, \S+@(\S+\.)+\S+ matched against the whole value: no white space, and
// some '@' after the first character with a '.' after it that is neither right after it nor last.
bool is_email(std::string_view s) {
  if (std::any_of(s.begin(), s.end(), is_xsd_space)) return false;
  for (auto at = s.find('@', 1); at != std::string_view::npos; at = s.find('@', at + 1)) {
    const auto dot = s.find('.', at + 2);
    if (dot != std::string_view::npos && dot + 1 < s.size()) return true;
  }
  return false;
}

// ---- URIs (RFC 3986) -------------------------------------------------------------------------
// A subset of what libxml2 accepts as xs:anyURI, so an identifier that passes is echoed in a
// valid document.

bool is_hex(char c) { return is_ascii_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
bool is_unreserved(char c) { return is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool is_sub_delim(char c) { return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos; }

// Whether `part` is made of unreserved characters, sub-delims, percent escapes and the
// characters of `extra`.
bool made_of(std::string_view part, std::string_view extra) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c == '%') {
      if (i + 2 >= part.size() || !is_hex(part[i + 1]) || !is_hex(part[i + 2])) return false;
      i += 2;
    } else if (!is_unreserved(c) && !is_sub_delim(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool is_scheme(std::string_view s) {
  return !s.empty() && is_ascii_letter(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_ascii_alnum(c) || c == '+' || c == '-' || c == '.'; });
}

// [userinfo "@"] host [":" port], the host a reg-name (an IP literal is refused) and the port
// at least one digit (libxml2 refuses an empty one).
bool is_authority(std::string_view s) {
  const auto at = s.find('@');
  if (at != std::string_view::npos) {
    if (!made_of(s.substr(0, at), ":")) return false;
    s.remove_prefix(at + 1);
  }
  const auto colon = s.find(':');
  if (!made_of(s.substr(0, colon), "")) return false;
  if (colon == std::string_view::npos) return true;
  const auto port = s.substr(colon + 1);
  return !port.empty() && std::all_of(port.begin(), port.end(), is_ascii_digit);
}

// A URI, or when `relative` a URI reference (no scheme; its first segment then has no ':').
bool is_uri(std::string_view s, bool relative) {
  constexpr auto npos = std::string_view::npos;
  if (const auto hash = s.find('#'); hash != npos) {
    if (!made_of(s.substr(hash + 1), ":@/?")) return false;
    s = s.substr(0, hash);
  }
  if (const auto question = s.find('?'); question != npos) {
    if (!made_of(s.substr(question + 1), ":@/?")) return false;
    s = s.substr(0, question);
  }
  const auto colon = s.find(':');
  if (colon != npos && colon < s.find('/')) {
    if (!is_scheme(s.substr(0, colon))) return false;
    s.remove_prefix(colon + 1);
  } else if (!relative) {
    return false;
  }
  if (s.starts_with("//")) {
    s.remove_prefix(2);
    const auto slash = s.find('/');
    if (!is_authority(s.substr(0, slash))) return false;
    s = slash == npos ? std::string_view() : s.substr(slash);
  }
  return made_of(s, ":@/");
}

bool is_http_url(std::string_view s) {
  const auto rest = s.starts_with("https://") ? s.substr(8) : s.starts_with("http://") ? s.substr(7) : std::string_view();
  const auto host = rest.substr(0, rest.find_first_of("/?#"));
  return !host.empty() && is_uri(s, false);
}

// ---- application/x-www-form-urlencoded --------------------------------------------------------

int hex_value(char c) {
  if (is_ascii_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else if (i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  if (!xml::is_utf8(out)) return std::nullopt;
  return out;
}

// ---- resumption tokens -----------------------------------------------------------------------

constexpr std::string_view base64url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;  // bits held
  for (const char c : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += base64url_alphabet[(bits >> count) & 0x3F];
    }
  }
  if (count > 0) out += base64url_alphabet[(bits << (6 - count)) & 0x3F];
  return out;
}

// The bytes; whether the encoding was canonical is checked by the caller, by encoding again.
std::optional<std::string> unbase64url(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const auto index = base64url_alphabet.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(index);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

// Where a list stands: its arguments and how much of it was sent.
struct list_state {
  std::optional<std::string> set;
  std::optional<std::string> from;  // full seconds
  std::string until;                // full seconds: frozen by the first page
  std::size_t offset = 0;           // records sent before this page
  std::size_t size = 0;             // the complete list size the first page saw; 0 on it
};

std::string encode_token(const list_state& st) {
  std::string text = "1|";
  text += oai_dc_prefix;
  text += '|' + st.set.value_or("") + '|' + st.from.value_or("") + '|' + st.until + '|';
  text += std::to_string(st.offset) + '|' + std::to_string(st.size);
  return base64url(text);
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = s.find(separator);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::optional<std::size_t> count_of(std::string_view s) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// The state a token carries; nullopt when it is not one this module issued.
std::optional<list_state> decode_token(std::string_view token) {
  const auto text = unbase64url(token);
  if (!text) return std::nullopt;
  const auto fields = split(*text, '|');
  if (fields.size() != 7 || fields[0] != "1" || fields[1] != oai_dc_prefix) return std::nullopt;
  list_state st;
  if (!fields[2].empty()) {
    if (!is_set_spec(fields[2])) return std::nullopt;
    st.set = std::string(fields[2]);
  }
  if (!fields[3].empty()) {
    if (!is_second(fields[3])) return std::nullopt;
    st.from = std::string(fields[3]);
  }
  if (!is_second(fields[4]) || (st.from && *st.from > fields[4])) return std::nullopt;
  st.until = std::string(fields[4]);
  const auto offset = count_of(fields[5]);
  const auto size = count_of(fields[6]);
  // A token is only issued for a page after the first, of a list that has more.
  if (!offset || !size || *offset == 0 || *offset >= *size) return std::nullopt;
  st.offset = *offset;
  st.size = *size;
  // One content, one token: leading zeros, other bits in the last character, ... are refused.
  if (encode_token(st) != token) return std::nullopt;
  return st;
}

// ---- requests --------------------------------------------------------------------------------

struct failure {
  std::string_view code;
  std::string message;
};

std::optional<std::string_view> value_of(const arguments& args, std::string_view name) {
  for (const auto& [key, value] : args) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// What a verb's handler works with.
struct request {
  const repository& repo;
  store& s;
  const options& opt;
  const arguments& args;
};

std::string quoted(std::string_view value) { return "\"" + std::string(value) + "\""; }

failure bad_argument(std::string message) { return {"badArgument", std::move(message)}; }

failure missing(std::string_view name) { return bad_argument("The argument " + std::string(name) + " is required."); }

std::optional<failure> identifier_problem(std::string_view identifier) {
  if (!is_uri(identifier, true)) return bad_argument("The identifier " + quoted(identifier) + " is not a URI.");
  return std::nullopt;
}

// badArgument when the prefix is not one, cannotDisseminateFormat when it is not oai_dc.
std::optional<failure> prefix_problem(std::string_view prefix) {
  if (!is_metadata_prefix(prefix)) return bad_argument("The metadataPrefix " + quoted(prefix) + " is not one.");
  if (prefix != oai_dc_prefix) {
    return failure{"cannotDisseminateFormat",
                   "This repository disseminates oai_dc only, not " + quoted(prefix) + "."};
  }
  return std::nullopt;
}

// ---- records ---------------------------------------------------------------------------------

using dc_member = std::vector<dc_value> record::*;
constexpr std::array<std::pair<std::string_view, dc_member>, 15> dc_elements{{
    {"dc:title", &record::title},
    {"dc:creator", &record::creator},
    {"dc:subject", &record::subject},
    {"dc:description", &record::description},
    {"dc:publisher", &record::publisher},
    {"dc:contributor", &record::contributor},
    {"dc:date", &record::date},
    {"dc:type", &record::type},
    {"dc:format", &record::format},
    {"dc:identifier", &record::identifier_dc},
    {"dc:source", &record::source},
    {"dc:language", &record::language},
    {"dc:relation", &record::relation},
    {"dc:coverage", &record::coverage},
    {"dc:rights", &record::rights},
}};

// A record the document could not hold validly is the store's bug: say so, not send it.
void require_valid(const record& r) {
  if (!is_uri(r.identifier, false)) throw std::logic_error("oai: a record's identifier is not a URI: " + quoted(r.identifier));
  if (!is_second(r.datestamp)) {
    throw std::logic_error("oai: the datestamp of " + r.identifier + " is not YYYY-MM-DDThh:mm:ssZ: " + quoted(r.datestamp));
  }
}

void write_header(writer& w, const record& r) {
  w.open("header", r.deleted ? attributes{{"status", "deleted"}} : attributes{});
  w.leaf("identifier", r.identifier);
  w.leaf("datestamp", r.datestamp);
  for (const auto& spec : r.sets) {
    if (is_set_spec(spec)) w.leaf("setSpec", spec);
  }
  w.close("header");
}

void write_dc(writer& w, const record& r) {
  // xmlns:xsi again, so the metadata stays complete when a harvester cuts it out.
  w.open("oai_dc:dc", {{"xmlns:oai_dc", oai_dc_namespace},
                       {"xmlns:dc", dc_namespace},
                       {"xmlns:xsi", xsi_namespace},
                       {"xsi:schemaLocation", oai_dc_schema_location}});
  for (const auto& [name, member] : dc_elements) {
    for (const auto& v : r.*member) {
      if (v.value.empty()) continue;
      w.leaf(name, v.value, is_language_tag(v.lang) ? attributes{{"xml:lang", v.lang}} : attributes{});
    }
  }
  w.close("oai_dc:dc");
}

void write_record(writer& w, const record& r) {
  w.open("record");
  write_header(w, r);
  if (!r.deleted) {
    w.open("metadata");
    write_dc(w, r);
    w.close("metadata");
  }
  w.close("record");
}

// ---- the verbs -------------------------------------------------------------------------------
// Each checks its arguments beyond the names (respond() has refused unknown and repeated ones),
// then writes its element; on an error it returns it and what it wrote is dropped.

std::optional<failure> identify(const request& rq, writer& w) {
  w.open("Identify");
  w.leaf("repositoryName", rq.repo.name);
  w.leaf("baseURL", rq.repo.base_url);
  w.leaf("protocolVersion", "2.0");
  w.leaf("adminEmail", rq.repo.admin_email);
  w.leaf("earliestDatestamp", rq.repo.earliest_datestamp);
  w.leaf("deletedRecord", rq.repo.deleted_record);
  w.leaf("granularity", granularity_seconds);
  w.close("Identify");
  return std::nullopt;
}

std::optional<failure> list_metadata_formats(const request& rq, writer& w) {
  if (const auto identifier = value_of(rq.args, "identifier")) {
    if (auto problem = identifier_problem(*identifier)) return problem;
    if (!rq.s.get(std::string(*identifier))) {
      return failure{"idDoesNotExist", "There is no item " + quoted(*identifier) + " in this repository."};
    }
  }
  w.open("ListMetadataFormats");
  w.open("metadataFormat");
  w.leaf("metadataPrefix", oai_dc_prefix);
  w.leaf("schema", oai_dc_schema);
  w.leaf("metadataNamespace", oai_dc_namespace);
  w.close("metadataFormat");
  w.close("ListMetadataFormats");
  return std::nullopt;
}

std::optional<failure> list_sets(const request& rq, writer& w) {
  if (value_of(rq.args, "resumptionToken")) {
    return failure{"badResumptionToken", "This repository gives all its sets at once and issues no resumptionToken for ListSets."};
  }
  auto sets = rq.s.sets();
  std::erase_if(sets, [](const set_info& set) { return !is_set_spec(set.spec); });
  if (sets.empty()) return failure{"noSetHierarchy", "This repository has no sets yet."};
  w.open("ListSets");
  for (const auto& set : sets) {
    w.open("set");
    w.leaf("setSpec", set.spec);
    w.leaf("setName", set.name);
    w.close("set");
  }
  w.close("ListSets");
  return std::nullopt;
}

std::optional<failure> get_record(const request& rq, writer& w) {
  const auto identifier = value_of(rq.args, "identifier");
  const auto prefix = value_of(rq.args, "metadataPrefix");
  if (!identifier) return missing("identifier");
  if (!prefix) return missing("metadataPrefix");
  if (auto problem = identifier_problem(*identifier)) return problem;
  if (auto problem = prefix_problem(*prefix)) return problem;
  const auto r = rq.s.get(std::string(*identifier));
  if (!r) return failure{"idDoesNotExist", "There is no item " + quoted(*identifier) + " in this repository."};
  require_valid(*r);
  w.open("GetRecord");
  write_record(w, *r);
  w.close("GetRecord");
  return std::nullopt;
}

// A from or until argument as full seconds: a day's first second for from, its last for until.
struct bound {
  std::string seconds;
  bool day = false;
};

std::optional<bound> parse_bound(std::string_view value, bool until) {
  if (is_second(value)) return bound{std::string(value), false};
  if (is_day(value)) return bound{std::string(value) + (until ? "T23:59:59Z" : "T00:00:00Z"), true};
  return std::nullopt;
}

// The state of a list's first page, from the request's arguments.
std::variant<list_state, failure> first_page(const request& rq) {
  const auto prefix = value_of(rq.args, "metadataPrefix");
  if (!prefix) return missing("metadataPrefix");
  std::optional<bound> from;
  std::optional<bound> until;
  for (const bool is_until : {false, true}) {
    const std::string_view name = is_until ? "until" : "from";
    const auto value = value_of(rq.args, name);
    if (!value) continue;
    auto parsed = parse_bound(*value, is_until);
    if (!parsed) {
      return bad_argument("The " + std::string(name) + " argument " + quoted(*value) + " is not a date, YYYY-MM-DD, nor " +
                          std::string(granularity_seconds) + ".");
    }
    (is_until ? until : from) = std::move(parsed);
  }
  if (from && until && from->day != until->day) return bad_argument("The from and until arguments have different granularities.");
  if (from && until && from->seconds > until->seconds) return bad_argument("The from argument is later than the until argument.");
  const auto set = value_of(rq.args, "set");
  if (set && !is_set_spec(*set)) return bad_argument("The set " + quoted(*set) + " is not a set spec.");
  if (auto problem = prefix_problem(*prefix)) return *problem;

  list_state st;
  if (set) st.set = std::string(*set);
  if (from) st.from = from->seconds;
  // Frozen: records published during the harvest stay out of its pages.
  st.until = until ? std::min(until->seconds, rq.opt.response_date) : rq.opt.response_date;
  return st;
}

std::variant<list_state, failure> list_start(const request& rq) {
  const auto token = value_of(rq.args, "resumptionToken");
  if (!token) return first_page(rq);
  if (rq.args.size() > 2) return bad_argument("The resumptionToken argument may only be given with the verb.");
  if (auto st = decode_token(*token)) return *st;
  return failure{"badResumptionToken", "The resumptionToken " + quoted(*token) + " is not one this repository issued."};
}

// The token of the page after the one of `st` (which ends at `sent`), empty when there is none.
void write_token(writer& w, const list_state& st, std::size_t sent, std::size_t complete_size) {
  const std::string size = std::to_string(complete_size);
  const std::string cursor = std::to_string(st.offset);
  const attributes attrs{{"completeListSize", size}, {"cursor", cursor}};
  if (sent == complete_size) {
    w.empty("resumptionToken", attrs);
    return;
  }
  list_state next = st;
  next.offset = sent;
  next.size = complete_size;
  w.leaf("resumptionToken", encode_token(next), attrs);
}

std::optional<failure> list(const request& rq, writer& w, bool with_metadata) {
  auto start = list_start(rq);
  if (const auto* f = std::get_if<failure>(&start)) return *f;
  const auto& st = std::get<list_state>(start);
  const bool resumed = st.offset > 0;

  const auto pg = rq.s.list({st.from, st.until, st.set}, st.offset, rq.opt.page_size);
  if (resumed && (pg.complete_size != st.size || pg.records.empty())) {
    return failure{"badResumptionToken",
                   "The list has changed since this harvest began (a record was changed or deleted); start it again."};
  }
  if (pg.records.empty()) return failure{"noRecordsMatch", "No record matches the arguments."};
  const std::size_t sent = st.offset + pg.records.size();
  if (pg.complete_size < sent) throw std::logic_error("oai: the store's complete_size is less than the records it gave");

  const std::string_view verb = with_metadata ? "ListRecords" : "ListIdentifiers";
  w.open(verb);
  for (const auto& r : pg.records) {
    require_valid(r);
    if (with_metadata) {
      write_record(w, r);
    } else {
      write_header(w, r);
    }
  }
  // A list that fits one response has no token; an incomplete one has one on every page, empty on its last.
  if (resumed || sent < pg.complete_size) write_token(w, st, sent, pg.complete_size);
  w.close(verb);
  return std::nullopt;
}

std::optional<failure> list_identifiers(const request& rq, writer& w) { return list(rq, w, false); }
std::optional<failure> list_records(const request& rq, writer& w) { return list(rq, w, true); }

struct verb_rule {
  std::string_view verb;
  std::array<std::string_view, 5> allowed;  // the arguments besides verb; empty ones unused
  std::optional<failure> (*handle)(const request&, writer&);
};

constexpr std::array<verb_rule, 6> verbs{{
    {"Identify", {}, identify},
    {"ListMetadataFormats", {"identifier"}, list_metadata_formats},
    {"ListSets", {"resumptionToken"}, list_sets},
    {"GetRecord", {"identifier", "metadataPrefix"}, get_record},
    {"ListIdentifiers", {"metadataPrefix", "from", "until", "set", "resumptionToken"}, list_identifiers},
    {"ListRecords", {"metadataPrefix", "from", "until", "set", "resumptionToken"}, list_records},
}};

// The rule of the request's verb, or badVerb.
std::variant<const verb_rule*, failure> find_verb(const arguments& args) {
  const auto count = std::count_if(args.begin(), args.end(), [](const auto& a) { return a.first == "verb"; });
  if (count == 0) return failure{"badVerb", "The verb argument is missing."};
  if (count > 1) return failure{"badVerb", "The verb argument is repeated."};
  const auto verb = *value_of(args, "verb");
  for (const auto& rule : verbs) {
    if (rule.verb == verb) return &rule;
  }
  return failure{"badVerb", quoted(verb) + " is not an OAI-PMH verb."};
}

// badArgument for an argument the verb does not take, or one given twice.
std::optional<failure> argument_names_problem(const verb_rule& rule, const arguments& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& name = args[i].first;
    if (name == "verb") continue;
    if (std::find(rule.allowed.begin(), rule.allowed.end(), name) == rule.allowed.end() || name.empty()) {
      return bad_argument(std::string(rule.verb) + " takes no argument " + quoted(name) + ".");
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (args[k].first == name) return bad_argument("The argument " + name + " is repeated.");
    }
  }
  return std::nullopt;
}

void check_options(const options& opt) {
  if (opt.page_size == 0) throw std::invalid_argument("oai: options.page_size is 0");
  if (!is_second(opt.response_date)) {
    throw std::invalid_argument("oai: options.response_date is not YYYY-MM-DDThh:mm:ssZ: " + quoted(opt.response_date));
  }
}

// The whole document around the verb's element (or the error).
std::string document(const repository& repo, const options& opt, const attributes& echo, const std::string& body) {
  writer w(0);
  w.open("OAI-PMH", {{"xmlns", oai_namespace}, {"xmlns:xsi", xsi_namespace}, {"xsi:schemaLocation", oai_schema_location}});
  w.leaf("responseDate", opt.response_date);
  w.leaf("request", repo.base_url, echo);
  w.append(body);
  w.close("OAI-PMH");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + w.text();
}

std::string error_document(const repository& repo, const options& opt, const arguments& args, const failure& f) {
  // Spec 3.2: after badVerb or badArgument, the request element carries no attribute, since
  // the arguments may not be fit to be echoed.
  attributes echo;
  if (f.code != "badVerb" && f.code != "badArgument") {
    for (const auto& [key, value] : args) echo.emplace_back(key, value);
  }
  writer w(1);
  w.leaf("error", f.message, {{"code", f.code}});
  return document(repo, opt, echo, w.text());
}

}  // namespace

std::optional<arguments> parse_arguments(std::string_view raw) {
  arguments out;
  for (const auto segment : split(raw, '&')) {
    if (segment.empty()) continue;
    const auto equals = segment.find('=');
    auto name = form_decode(segment.substr(0, equals));
    auto value = form_decode(equals == std::string_view::npos ? std::string_view() : segment.substr(equals + 1));
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

void check(const repository& repo) {
  if (repo.name.empty()) throw std::invalid_argument("oai: repository.name is empty");
  if (!is_http_url(repo.base_url)) {
    throw std::invalid_argument("oai: repository.base_url is not an absolute http(s) URL: " + quoted(repo.base_url));
  }
  if (!is_email(repo.admin_email)) {
    throw std::invalid_argument("oai: repository.admin_email is not an e-mail address: " + quoted(repo.admin_email));
  }
  if (!is_second(repo.earliest_datestamp)) {
    throw std::invalid_argument("oai: repository.earliest_datestamp is not YYYY-MM-DDThh:mm:ssZ: " +
                                quoted(repo.earliest_datestamp));
  }
  const auto& d = repo.deleted_record;
  if (d != "no" && d != "transient" && d != "persistent") {
    throw std::invalid_argument("oai: repository.deleted_record is not no, transient or persistent: " + quoted(d));
  }
}

std::string respond(const repository& repo, store& s, const std::optional<arguments>& args, const options& opt) {
  check(repo);
  check_options(opt);
  if (!args) return error_document(repo, opt, {}, bad_argument("The arguments are not application/x-www-form-urlencoded UTF-8."));
  const auto found = find_verb(*args);
  if (const auto* f = std::get_if<failure>(&found)) return error_document(repo, opt, *args, *f);
  const verb_rule& rule = *std::get<const verb_rule*>(found);
  if (auto problem = argument_names_problem(rule, *args)) return error_document(repo, opt, *args, *problem);

  writer body(1);
  const request rq{repo, s, opt, *args};
  if (auto problem = rule.handle(rq, body)) return error_document(repo, opt, *args, *problem);
  attributes echo;
  for (const auto& [key, value] : *args) echo.emplace_back(key, value);
  return document(repo, opt, echo, body.text());
}

}  // namespace casecall::publish::oai
