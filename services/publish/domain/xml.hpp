// XML 1.0 text for the documents publish writes (OAI-PMH, Atom, the sitemap): what a parser
// gives back unchanged, whatever bytes a case's fields hold.
//
// - Well-formed UTF-8: a byte that starts no valid sequence (a stray continuation byte, a
//   truncated or overlong sequence, a surrogate, > U+10FFFF) becomes U+FFFD, so the loss shows.
// - The characters XML 1.0 forbids (C0 controls other than TAB, LF and CR; U+FFFE; U+FFFF) are
//   dropped: no parser would take the document with them.
// - Escaped: & < > " as &amp; &lt; &gt; &quot;; CR as &#xD; (a parser would turn it into LF);
//   in an attribute, TAB and LF as &#x9; and &#xA; (a parser would turn them into spaces).
#pragma once

#include <string>
#include <string_view>

namespace casecall::publish::xml {

enum class context { text, attribute };

// Appends `text`, cleaned and escaped for where it stands.
void append_escaped(std::string& out, std::string_view text, context where);
std::string escaped(std::string_view text, context where = context::text);

// `text` cleaned (the first two rules above), not escaped: for values that are checked or
// measured before they are written.
std::string clean(std::string_view text);

// Whether `text` is well-formed UTF-8.
bool is_utf8(std::string_view text);

}  // namespace casecall::publish::xml
