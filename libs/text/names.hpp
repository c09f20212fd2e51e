// Names that ICU's locale data knows in every language the site speaks.
#pragma once

#include <string>
#include <string_view>

namespace casecall::text {

// A country's name, from its ISO 3166-1 alpha-2 code, in a language (a BCP 47 tag):
// ("KE", "fr") → "Kenya", ("CN", "zh") → "中国", ("PE", "ru") → "Перу". A code that is not two
// letters, or that ICU does not know, comes back as it was given.
std::string country_name(std::string_view code, std::string_view language);

}  // namespace casecall::text
