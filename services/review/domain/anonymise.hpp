// What a judge of an anonymous round sees of a case. The submitted content (as intake's receipt
// covers it: answers, co_authors, contacts, declarations, attachments, ...) loses the people
// (co_authors and contacts), the attachments' file names (which often carry an organisation's
// name), and the submitting organisation's id; in every string that remains, each identifying
// text — the organisation's names and website as intake knows them, and every name, e-mail,
// organisation and phone number of the case's people, and the domain of every e-mail address
// in the case or among the organisation texts — and anything shaped like an e-mail address is
// replaced by "[withheld]". Texts are matched ignoring the case of ASCII letters;
// texts shorter than 3 characters are not looked for. The attachments' own content stays the
// submitter's responsibility. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace casecall::review::domain {

inline constexpr const char* withheld = "[withheld]";

// The identifying texts of a case: `organisation_texts` (names in every language, website)
// and the people's names, e-mails, organisations and phones found in its content.
std::vector<std::string> identifying_texts(const nlohmann::json& content, const std::vector<std::string>& organisation_texts);

nlohmann::json anonymise(const nlohmann::json& content, const std::vector<std::string>& organisation_texts);

}  // namespace casecall::review::domain
