// Atom feeds (RFC 4287) of the public collection: the global feed and one feed per edition.
// Pure: the document is built in memory from the values given; no I/O, no clock, no locale.
//
// The output is deterministic (the same feed gives the same bytes) and valid against the RELAX
// NG schema of RFC 4287 Appendix B (tests/fixtures/atom/atom.rnc) and against the RFC's own
// rules that the schema leaves to Schematron or prose:
// - the feed has an id, a title and an updated date; every entry has an id, a title, an updated
//   date, an author and an alternate link;
// - an entry with no authors of its own is given the feed's authors, so every entry has one
//   whatever a reader does with feed-level authors;
// - no entry, and not the feed, has two alternate links with the same type and hreflang.
//
// Layout: `<?xml version="1.0" encoding="utf-8"?>`, a LF, then `<feed xmlns=
// "http://www.w3.org/2005/Atom">` indented two spaces a level, one element a line, LF after the
// last line. Feed children in the order id, title, subtitle, updated, link, author, generator,
// then the entries in the order given; entry children in the order id, title, updated,
// published, author, link, category, summary, rights. An optional value that is empty (a
// subtitle, a published date, a summary, rights, a link's rel/type/hreflang/title, a
// category's scheme/label, a person's uri, the generator) gives no element or attribute.
// Text constructs (title, subtitle, summary, rights) are written type="text", with xml:lang
// when their lang is set.
//
// Every text and attribute value is
// - made well-formed UTF-8: each byte that does not start a valid UTF-8 sequence (a stray
//   continuation byte, a truncated or overlong sequence, a surrogate, a value above U+10FFFF)
//   becomes U+FFFD;
// - stripped of the characters XML 1.0 forbids (U+0000–U+001F other than tab, LF and CR;
//   U+FFFE; U+FFFF);
// - escaped: & < > " as &amp; &lt; &gt; &quot;; CR as &#xD; (a parser would otherwise turn it
//   into LF); in attribute values also tab and LF, as &#x9; and &#xA; (a parser would otherwise
//   turn them into spaces).
// So a reader gets back each value as given, less the forbidden characters.
//
// Dates are written as given, not reformatted; each must be an RFC 3339 date-time that is also
// an xsd:dateTime, as RFC 4287 §3.3 requires: YYYY-MM-DDTHH:MM:SS, optional fraction ".d+",
// then "Z" or ±HH:MM; uppercase T and Z; a real calendar day, year 0001 or later; hours
// 00–23; seconds 00–59 (xsd:dateTime has no leap second); an offset from -12:00 to +14:00
// (the offsets in use; jing refuses some negative ones that xsd allows).
//
// render throws std::invalid_argument, naming the field (and the entry's position, from 0, and
// id), when the feed would not be valid:
// - the feed's or an entry's id is empty or not an absolute IRI (it must start with a scheme
//   and a colon: "https:", "tag:", "urn:", ...);
// - the feed's updated, an entry's updated, or a non-empty published date is not as above;
// - a lang or hreflang is not a language tag: [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*;
// - a link's href is empty, or its type is not of the form "x/y";
// - an author's name or a category's term is empty;
// - an entry has no alternate link (rel "alternate", its IANA IRI
//   "http://www.iana.org/assignments/relation/alternate", or no rel);
// - two alternate links of the feed, or of one entry, share their type and hreflang;
// - an entry has no authors and neither has the feed.
#pragma once

#include <string>
#include <vector>

namespace casecall::publish::atom {

// A text construct, written as plain text (type="text").
struct text {
  std::string value;
  std::string lang;  // a BCP 47 language tag ("zh", "fr-CA"), or empty for none
};

// A person construct. No e-mail: the public feeds publish none.
struct person {
  std::string name;
  std::string uri;  // optional
};

struct category {
  std::string term;
  std::string label;   // optional
  std::string scheme;  // optional, an IRI
};

struct link {
  std::string href;
  std::string rel;       // optional; none means "alternate"
  std::string type;      // optional, a media type
  std::string hreflang;  // optional, a language tag
  std::string title;     // optional
};

struct entry {
  std::string id;         // an absolute IRI: the case version's permanent URL, or a tag: URI
  text title;
  std::string updated;    // RFC 3339
  std::string published;  // optional, RFC 3339
  std::vector<person> authors;  // none: the feed's authors are written instead
  std::vector<link> links;      // at least one alternate (e.g. text/html)
  text summary;                 // optional, plain text
  std::vector<category> categories;
  std::string rights;  // optional, plain text
};

struct feed {
  std::string id;       // an absolute IRI
  std::string updated;  // RFC 3339
  text title;
  text subtitle;  // optional
  std::vector<person> authors;
  std::vector<link> links;  // rel=self (application/atom+xml) and rel=alternate
  std::string generator = "casecall";  // optional
  std::vector<entry> entries;
};

// The UTF-8 XML document of the feed. Throws std::invalid_argument (see above).
std::string render(const feed& f);

}  // namespace casecall::publish::atom
