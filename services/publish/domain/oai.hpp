// The OAI-PMH 2.0 data provider of the public collection
// (https://www.openarchives.org/OAI/openarchivesprotocol.html): the six verbs, every error
// condition of the protocol, one metadata format (oai_dc, unqualified Dublin Core), sets, and
// resumption tokens. Pure: the HTTP handler hands over the request's arguments and a `store`
// over the database, and gets the complete response document back; no I/O, no clock (the
// response date is given), no locale.
//
// Every document respond() returns is valid against the OAI-PMH 2.0 response schema with
// oai_dc.xsd imported (tests/fixtures/oai/oai-pmh-with-dc.xsd), errors included: the protocol
// says what a document may hold, and a harvester that validates drops the whole response.
// Hence:
// - `<request>` echoes every argument as an attribute, except after badVerb or badArgument,
//   where it carries none (spec 3.2); every echoed value has been checked against its
//   attribute's type first (an argument that does not fit is badArgument);
// - an `identifier` argument must be a URI reference (RFC 3986, no IP literal); one that is
//   not is badArgument, one that is but is not in the store is idDoesNotExist;
// - `metadataPrefix` and `set` must have the protocol's syntax, else badArgument; a
//   well-formed prefix other than oai_dc is cannotDisseminateFormat;
// - `from`/`until` are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (a real day; 00–23, 00–59, 00–59;
//   year 0001 or later), both of one granularity, from ≤ until; a day means its first second
//   for `from` and its last for `until`;
// - ListSets on a store with no sets answers noSetHierarchy: the schema allows no empty
//   ListSets, and a repository with no sets is what that error describes;
// - a set spec (from sets() or a record's) that does not have the protocol's syntax is left
//   out: no request could name it;
// - an xml:lang is written only when the value's lang is a language tag
//   ([A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*); a value that is empty is left out.
//
// Text and attribute values are made well-formed UTF-8 (a byte that does not start a valid
// sequence becomes U+FFFD), stripped of the characters XML 1.0 forbids (U+0000–U+001F other
// than tab, LF and CR; U+FFFE; U+FFFF), and escaped: & < > " as entities, CR as &#xD;, and in
// attribute values tab and LF as &#x9; and &#xA; (a parser would otherwise change them).
//
// Lists (ListIdentifiers, ListRecords) come in pages of options::page_size. A resumption token
// is base64url (no padding) of "1|oai_dc|<set>|<from>|<until>|<offset>|<size>": the version,
// the list's arguments with from/until as full seconds, the number of records already sent,
// and the complete list size when the list began. It is self-contained (no server state), and
// only the canonical encoding of a well-formed content is accepted. The first page freezes
// `until` to the response date (or keeps the request's until when that is earlier), so records
// published during a harvest do not shift its pages; a record changed or deleted during a
// harvest still would (its datestamp moves past `until` and the list shrinks), so a token
// whose list no longer has the size it had is refused as badResumptionToken ("expired", as the
// protocol puts it) rather than silently skipping a record. completeListSize and cursor are
// given on every token; the last page carries an empty token; a list that fits one page
// carries none.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casecall::publish::oai {

// A Dublin Core value.
struct dc_value {
  std::string value;
  std::string lang;  // a BCP 47 language tag ("en", "fr-CA"), or empty for none
};

struct record {
  std::string identifier;  // an absolute URI, e.g. oai:cases.example.org:gs7-2026/GS7-0001
  std::string datestamp;   // UTC, YYYY-MM-DDThh:mm:ssZ
  std::vector<std::string> sets;  // set specs, e.g. "edition:gs7-2026", "theme:agriculture"
  bool deleted = false;           // a header with status="deleted" and no metadata
  // Dublin Core: the 15 elements, each repeatable, written in this order.
  std::vector<dc_value> title, creator, subject, description, publisher, contributor, date, type, format,
      identifier_dc, source, language, relation, coverage, rights;
};

struct set_info {
  std::string spec;  // e.g. "edition:gs7-2026"
  std::string name;  // for a human
};

struct repository {
  std::string name;
  std::string base_url;            // absolute http(s) URL, as harvesters reach the handler
  std::string admin_email;         // e.g. oai-admin@cases.example.org
  std::string earliest_datestamp;  // YYYY-MM-DDThh:mm:ssZ, the lowest datestamp the store can hold
  std::string deleted_record = "persistent";  // "no", "transient" or "persistent"
};

// The list arguments as the store gets them: from/until always full seconds, UTC.
struct list_query {
  std::optional<std::string> from, until, set;
};

struct page {
  std::vector<record> records;
  std::size_t complete_size = 0;  // how many records match the query in all
};

// The collection as the protocol sees it; the service implements it over Postgres.
class store {
 public:
  virtual ~store() = default;

  // Every set, in the order ListSets should give them.
  virtual std::vector<set_info> sets() = 0;
  // The record (deleted ones included), or nullopt when there is none with that identifier.
  virtual std::optional<record> get(const std::string& identifier) = 0;
  // The records whose datestamp is within [from, until] (inclusive; either may be absent) and,
  // when `set` is given, that are in that set (a set "a" also contains "a:b", not "ab"),
  // ordered by (datestamp, identifier), deleted ones included: the `limit` records after the
  // first `offset`; complete_size is how many match in all.
  virtual page list(const list_query& q, std::size_t offset, std::size_t limit) = 0;
};

// The arguments of an OAI-PMH request (the GET query string without its '?', or the body of a
// POST of application/x-www-form-urlencoded), decoded ('+' is a space, %XX a byte), in order,
// repeats kept. Empty segments ("a=1&&b=2") are skipped; a segment without '=' is a name with an
// empty value. nullopt when an escape is not '%' and two hex digits, or a decoded name or value
// is not UTF-8: respond() answers nullopt with badArgument.
using arguments = std::vector<std::pair<std::string, std::string>>;
std::optional<arguments> parse_arguments(std::string_view raw);

struct options {
  std::size_t page_size = 100;  // records (or headers) per list response; at least 1
  std::string response_date;    // now, UTC, YYYY-MM-DDThh:mm:ssZ
};

// Throws std::invalid_argument, naming the field, when the repository's description would not
// give a valid Identify response: the name is empty, base_url is not an absolute http(s) URL,
// admin_email does not fit the protocol's \S+@(\S+\.)+\S+, earliest_datestamp is not
// YYYY-MM-DDThh:mm:ssZ, deleted_record is not one of its three values. For the service to call
// once at start.
void check(const repository& repo);

// The complete response document (UTF-8 XML) for the request's arguments (nullopt: they could
// not be decoded). Throws std::invalid_argument when check(repo) would, or the options are not
// as above; std::logic_error when the store gives a record whose identifier is not an absolute
// URI or whose datestamp is not YYYY-MM-DDThh:mm:ssZ (the document would not be valid).
std::string respond(const repository& repo, store& s, const std::optional<arguments>& args, const options& opt);

}  // namespace casecall::publish::oai
