#include "publish/domain/atom.hpp"

#include "publish/domain/xml.hpp"

#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace casecall::publish::atom {

namespace {

using xml::clean;

// ---- value checks ---------------------------------------------------------------------------

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// The n digits at s[at], as a number; false when there are fewer.
bool read_digits(std::string_view s, std::size_t at, std::size_t n, int& value) {
  if (at > s.size() || s.size() - at < n) return false;
  value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[at + i];
    if (!is_ascii_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

// RFC 3339's date-time with uppercase T and Z (RFC 4287 §3.3), within what xsd:dateTime
// accepts (year 0001 or later, no leap second) and what jing accepts of it: xsd allows offsets
// down to -14:00, jing 20220510 refuses those below -13:00; none below -12:00 is in use.
bool is_date_time(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, 0, 4, year) || !read_digits(s, 5, 2, month) || !read_digits(s, 8, 2, day) ||
      !read_digits(s, 11, 2, hour) || !read_digits(s, 14, 2, minute) || !read_digits(s, 17, 2, second)) {
    return false;
  }
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  std::size_t at = 19;
  if (at < s.size() && s[at] == '.') {
    const std::size_t first = ++at;
    while (at < s.size() && is_ascii_digit(s[at])) ++at;
    if (at == first) return false;
  }
  if (at == s.size()) return false;
  if (s[at] == 'Z') return at + 1 == s.size();
  if (s[at] != '+' && s[at] != '-') return false;
  int offset_hours = 0, offset_minutes = 0;
  if (!read_digits(s, at + 1, 2, offset_hours) || s.size() != at + 6 || s[at + 3] != ':' ||
      !read_digits(s, at + 4, 2, offset_minutes)) {
    return false;
  }
  const int offset = offset_hours * 60 + offset_minutes;
  return offset_minutes <= 59 && (s[at] == '+' ? offset <= 14 * 60 : offset <= 12 * 60);
}

// The schema's atomLanguageTag: [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*
bool is_language_tag(std::string_view s) {
  bool first = true;
  while (true) {
    const std::size_t dash = s.find('-');
    const std::string_view subtag = s.substr(0, dash);
    if (subtag.empty() || subtag.size() > 8) return false;
    for (const char c : subtag) {
      if (!is_ascii_letter(c) && (first || !is_ascii_digit(c))) return false;
    }
    if (dash == std::string_view::npos) return true;
    s.remove_prefix(dash + 1);
    first = false;
  }
}

// An absolute IRI starts with a scheme (RFC 3987 / 3986): ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
bool has_scheme(std::string_view s) {
  if (s.empty() || !is_ascii_letter(s.front())) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return true;
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

// The schema's atomMediaType: ".+/.+", where '.' is any character but CR and LF.
bool is_media_type(std::string_view s) {
  if (s.find_first_of("\r\n") != std::string_view::npos) return false;
  const std::size_t slash = s.find('/', 1);
  return slash != std::string_view::npos && slash + 1 < s.size();
}

bool is_alternate(std::string_view rel) {
  return rel.empty() || rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate";
}

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
  throw std::invalid_argument("atom: " + where + ": " + what);
}

// ---- writing --------------------------------------------------------------------------------

class writer {
 public:
  std::string out;

  // ` name="value"`, or nothing when the cleaned value is empty.
  static void attribute(std::string& attributes, std::string_view name, std::string_view value) {
    const std::string cleaned = clean(value);
    if (cleaned.empty()) return;
    attributes.push_back(' ');
    attributes.append(name);
    attributes.append("=\"");
    attributes.append(xml::escaped(cleaned, xml::context::attribute));
    attributes.push_back('"');
  }

  void open(int depth, std::string_view name, std::string_view attributes = {}) {
    start_line(depth);
    out.push_back('<');
    out.append(name);
    out.append(attributes);
    out.append(">\n");
  }

  void close(int depth, std::string_view name) {
    start_line(depth);
    out.append("</");
    out.append(name);
    out.append(">\n");
  }

  void empty(int depth, std::string_view name, std::string_view attributes) {
    start_line(depth);
    out.push_back('<');
    out.append(name);
    out.append(attributes);
    out.append("/>\n");
  }

  // <name attributes>value</name>, value already cleaned.
  void leaf(int depth, std::string_view name, std::string_view cleaned, std::string_view attributes = {}) {
    start_line(depth);
    out.push_back('<');
    out.append(name);
    out.append(attributes);
    out.push_back('>');
    out.append(xml::escaped(cleaned, xml::context::text));
    out.append("</");
    out.append(name);
    out.append(">\n");
  }

 private:
  void start_line(int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }
};

void write_id(writer& w, int depth, const std::string& where, const std::string& id) {
  const std::string cleaned = clean(id);
  if (cleaned.empty()) refuse(where, "id is empty");
  if (!has_scheme(cleaned)) refuse(where, "id is not an absolute IRI: \"" + cleaned + "\"");
  w.leaf(depth, "id", cleaned);
}

void write_date(writer& w, int depth, const std::string& where, std::string_view name, const std::string& value) {
  if (!is_date_time(value)) refuse(where, std::string(name) + " is not an RFC 3339 date-time: \"" + clean(value) + "\"");
  w.leaf(depth, name, value);
}

void write_text(writer& w, int depth, const std::string& where, std::string_view name, const text& t) {
  std::string attributes = " type=\"text\"";
  if (!t.lang.empty()) {
    if (!is_language_tag(t.lang)) refuse(where, std::string(name) + " lang is not a language tag: \"" + clean(t.lang) + "\"");
    writer::attribute(attributes, "xml:lang", t.lang);
  }
  w.leaf(depth, name, clean(t.value), attributes);
}

void write_authors(writer& w, int depth, const std::string& where, const std::vector<person>& authors) {
  for (const auto& author : authors) {
    const std::string name = clean(author.name);
    if (name.empty()) refuse(where, "an author's name is empty");
    w.open(depth, "author");
    w.leaf(depth + 1, "name", name);
    const std::string uri = clean(author.uri);
    if (!uri.empty()) w.leaf(depth + 1, "uri", uri);
    w.close(depth, "author");
  }
}

// The links; the number of alternates among them.
std::size_t write_links(writer& w, int depth, const std::string& where, const std::vector<link>& links) {
  std::vector<std::pair<std::string, std::string>> alternates;  // type, hreflang
  for (const auto& l : links) {
    const std::string rel = clean(l.rel), type = clean(l.type), hreflang = clean(l.hreflang);
    if (clean(l.href).empty()) refuse(where, "a link's href is empty");
    if (!type.empty() && !is_media_type(type)) refuse(where, "a link's type is not a media type: \"" + type + "\"");
    if (!hreflang.empty() && !is_language_tag(hreflang)) refuse(where, "a link's hreflang is not a language tag: \"" + hreflang + "\"");
    if (is_alternate(rel)) {
      for (const auto& [other_type, other_hreflang] : alternates) {
        if (other_type == type && other_hreflang == hreflang) {
          refuse(where, "two alternate links with type \"" + type + "\" and hreflang \"" + hreflang + "\"");
        }
      }
      alternates.emplace_back(type, hreflang);
    }
    std::string attributes;
    writer::attribute(attributes, "rel", rel);
    writer::attribute(attributes, "href", l.href);
    writer::attribute(attributes, "type", type);
    writer::attribute(attributes, "hreflang", hreflang);
    writer::attribute(attributes, "title", l.title);
    w.empty(depth, "link", attributes);
  }
  return alternates.size();
}

void write_entry(writer& w, const feed& f, std::size_t position, const entry& e) {
  const std::string where = "entry " + std::to_string(position) + " (" + clean(e.id) + ")";
  w.open(1, "entry");
  write_id(w, 2, where, e.id);
  write_text(w, 2, where, "title", e.title);
  write_date(w, 2, where, "updated", e.updated);
  if (!e.published.empty()) write_date(w, 2, where, "published", e.published);
  if (!e.authors.empty()) {
    write_authors(w, 2, where, e.authors);
  } else if (!f.authors.empty()) {
    write_authors(w, 2, where, f.authors);
  } else {
    refuse(where, "no author, and the feed has none");
  }
  if (write_links(w, 2, where, e.links) == 0) refuse(where, "no alternate link");
  for (const auto& c : e.categories) {
    if (clean(c.term).empty()) refuse(where, "a category's term is empty");
    std::string attributes;
    writer::attribute(attributes, "term", c.term);
    writer::attribute(attributes, "scheme", c.scheme);
    writer::attribute(attributes, "label", c.label);
    w.empty(2, "category", attributes);
  }
  if (!clean(e.summary.value).empty()) write_text(w, 2, where, "summary", e.summary);
  if (!clean(e.rights).empty()) write_text(w, 2, where, "rights", text{e.rights, {}});
  w.close(1, "entry");
}

}  // namespace

std::string render(const feed& f) {
  const std::string where = "feed";
  writer w;
  w.out.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
  w.open(0, "feed", " xmlns=\"http://www.w3.org/2005/Atom\"");
  write_id(w, 1, where, f.id);
  write_text(w, 1, where, "title", f.title);
  if (!clean(f.subtitle.value).empty()) write_text(w, 1, where, "subtitle", f.subtitle);
  write_date(w, 1, where, "updated", f.updated);
  write_links(w, 1, where, f.links);
  write_authors(w, 1, where, f.authors);
  const std::string generator = clean(f.generator);
  if (!generator.empty()) w.leaf(1, "generator", generator);
  for (std::size_t i = 0; i < f.entries.size(); ++i) write_entry(w, f, i, f.entries[i]);
  w.close(0, "feed");
  return std::move(w.out);
}

}  // namespace casecall::publish::atom
