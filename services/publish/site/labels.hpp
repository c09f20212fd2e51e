// The public site's interface strings, in the languages its interface is written in. Texts of
// cases are not here: they come translated (or not) with each case.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace casecall::publish::site {

// The interface languages, in the order the language switcher lists them: en, fr, es, zh, ar, ru
// (the six languages of the United Nations).
std::span<const std::string_view> ui_languages();

// The interface language for a BCP 47 tag: its primary subtag when the site has that language
// ("fr-CA" → "fr", "zh-Hans-CN" → "zh", "AR" → "ar"), else "en".
std::string_view ui_language(std::string_view tag);

// The reader's interface language: `asked` (a ?lang= parameter) when it is one the site speaks,
// else the first language of an Accept-Language header that it speaks, else "en".
std::string_view reader_language(std::optional<std::string_view> asked, std::string_view accept_language);

// The writing direction of a BCP 47 tag's language, for dir="…": "rtl" for Arabic, Persian,
// Urdu, Hebrew and the other right-to-left languages, else "ltr".
std::string_view direction(std::string_view tag);

// An interface language's name in that language ("Français", "العربية"), for the language
// switcher; the tag itself for a language the site does not have.
std::string_view language_name(std::string_view tag);

// Every interface string in the interface language of `tag` (ui_language(tag)), as a JSON object
// keyed as the templates use them: labels(…)["search"] is {{LABELS_SEARCH}}. Every key has a
// non-empty text in every language. Plain text, never HTML.
nlohmann::json labels(std::string_view tag);

// One interface string; throws std::out_of_range for a key that does not exist.
std::string_view label(std::string_view key, std::string_view tag);

// One interface string, or none for a key that does not exist (organisation kinds and regions
// are kind_<id> and region_<id>).
std::optional<std::string_view> find_label(std::string_view key, std::string_view tag);

// The keys of all interface strings.
std::span<const std::string_view> label_keys();

}  // namespace casecall::publish::site
