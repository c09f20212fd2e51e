// The texts of the mails casecall sends (address verification, invitation, password reset
// and change, case receipt, review assignment to a judge, the panel's decision on a case),
// in every supported language, and their rendering: plain-text subject and body with
// {{placeholder}} values filled in. Sending is done elsewhere.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::mail {

struct rendered {
  std::string subject;  // one line
  std::string body;     // plain text, UTF-8, "\n" line ends, lines <= 76 columns where possible
};

using values_map = std::map<std::string, std::string, std::less<>>;

// Renders the template of `kind` in `language` ("en", "fr", "es", "zh", "ar"; any other
// language gets "en"). Each {{name}} in subject and body is replaced by values[name], as
// given (no escaping: plain-text mail) and in a single pass, so a value containing "{{x}}"
// is inserted literally. Values the template does not use are ignored.
// Throws std::invalid_argument naming the kind when it is unknown, and naming the
// placeholder when a placeholder the template uses has no value.
rendered render(std::string_view kind, std::string_view language, const values_map& values);

// "verify_email", "invitation", "password_reset", "password_changed", "case_receipt",
// "review_assignment", "case_decision".
const std::vector<std::string_view>& kinds();
// "en", "fr", "es", "zh", "ar".
const std::vector<std::string_view>& languages();

// The placeholders (names without braces) a kind's templates use, sorted; the same set in
// every language. Throws std::invalid_argument when the kind is unknown.
std::vector<std::string> placeholders(std::string_view kind);

// The placeholders the template of `kind` in `language` actually uses, sorted and without
// duplicates (language fallback as for render()). For tests, which check that every
// language's template uses exactly placeholders(kind).
std::vector<std::string> placeholders_in(std::string_view kind, std::string_view language);

// The word for a decision of the review panel ("accept", "shortlist", "reject", "advance")
// in `language` (fallback to "en" as for render()), e.g. "Not selected" for "reject" in
// "en": the {{decision}} value of a "case_decision" mail. Throws std::invalid_argument
// naming the decision when it is unknown.
std::string decision_label(std::string_view decision, std::string_view language);

}  // namespace casecall::mail
