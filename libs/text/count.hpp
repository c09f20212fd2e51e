// How long a text is, as the call's limits count it: in words or in characters. The browser
// counts the same way with Intl.Segmenter, which runs the same Unicode rules (UAX #29):
//
//   words       ICU word boundaries; a segment counts when it is a word, a number or letters
//               (punctuation, spaces and symbols never count). Chinese and Japanese count one
//               per character: every Han, Hiragana or Katakana character is a word of its
//               own. A number with separators ("2,500.75") is one word; so is a word with an
//               apostrophe ("l'agriculture"). "@" separates words (ICU versions differ on
//               it): an e-mail address is two words or more.
//   characters  user-perceived characters (extended grapheme clusters), spaces and
//               punctuation included: "é" written as e + combining accent is one.
//
// Text that is not valid UTF-8 is counted as ICU reads it (each bad byte a U+FFFD).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace casecall::text {

enum class unit { words, characters };

std::size_t count_words(std::string_view utf8);
std::size_t count_characters(std::string_view utf8);
std::size_t count(std::string_view utf8, unit u);

// The words of a text by ICU's word rules, which segment Chinese and Japanese with ICU's
// dictionary: each word's first code point and its length, both counted in code points.
// Spaces, punctuation and symbols are not words.
struct word_span {
  std::size_t start;
  std::size_t length;
  bool operator==(const word_span&) const = default;
};
std::vector<word_span> word_spans(std::string_view utf8);

}  // namespace casecall::text
