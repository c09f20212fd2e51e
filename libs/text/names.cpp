#include "text/names.hpp"

#include <unicode/locid.h>
#include <unicode/unistr.h>

namespace casecall::text {

std::string country_name(std::string_view code, std::string_view language) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (code.size() != 2 || !letter(code[0]) || !letter(code[1])) return std::string(code);
  std::string region(code);
  for (auto& c : region) c = static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c);
  const std::string tag(language);
  icu::UnicodeString name;
  icu::Locale("", region.c_str()).getDisplayCountry(icu::Locale(tag.c_str()), name);
  std::string out;
  name.toUTF8String(out);
  // ICU answers with the code itself for a region it has no name for.
  return out.empty() ? std::string(code) : out;
}

}  // namespace casecall::text
