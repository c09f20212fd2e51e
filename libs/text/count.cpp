#include "text/count.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>

#include <memory>
#include <vector>
#include <stdexcept>

namespace casecall::text {

namespace {

// Break iterators are costly to make and not thread-safe: one per thread, reused.
icu::BreakIterator& iterator(bool words) {
  thread_local std::unique_ptr<icu::BreakIterator> word_it;
  thread_local std::unique_ptr<icu::BreakIterator> char_it;
  auto& it = words ? word_it : char_it;
  if (!it) {
    UErrorCode status = U_ZERO_ERROR;
    it.reset(words ? icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status)
                   : icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !it) throw std::runtime_error(std::string("ICU break iterator: ") + u_errorName(status));
  }
  return *it;
}

bool counts_per_character(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  auto script = uscript_getScript(c, &status);
  return U_SUCCESS(status) && (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA);
}

}  // namespace

std::size_t count_words(std::string_view utf8) {
  auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  // ICU versions disagree on whether "@" joins words (72 keeps an e-mail address whole, 78
  // splits it); browsers carry their own ICU, so "@" separates words on both sides.
  text.findAndReplace(u"@", u" ");
  auto& it = iterator(true);
  it.setText(text);
  std::size_t n = 0;
  int32_t start = it.first();
  for (int32_t end = it.next(); end != icu::BreakIterator::DONE; start = end, end = it.next()) {
    if (it.getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation, symbols
    std::size_t per_character = 0;
    bool other = false;
    for (int32_t i = start; i < end;) {
      UChar32 c = text.char32At(i);
      if (counts_per_character(c)) {
        ++per_character;
      } else {
        other = true;
      }
      i += U16_LENGTH(c);
    }
    n += per_character + (other ? 1 : 0);
  }
  return n;
}

std::size_t count_characters(std::string_view utf8) {
  auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  auto& it = iterator(false);
  it.setText(text);
  std::size_t n = 0;
  it.first();
  while (it.next() != icu::BreakIterator::DONE) ++n;
  return n;
}

std::vector<word_span> word_spans(std::string_view utf8) {
  auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  auto& it = iterator(true);
  it.setText(text);
  std::vector<word_span> out;
  std::size_t code_points = 0;  // before `start`
  int32_t start = it.first();
  for (int32_t end = it.next(); end != icu::BreakIterator::DONE; start = end, end = it.next()) {
    const auto length = static_cast<std::size_t>(text.countChar32(start, end - start));
    if (it.getRuleStatus() >= UBRK_WORD_NONE_LIMIT) out.push_back({code_points, length});
    code_points += length;
  }
  return out;
}

std::size_t count(std::string_view utf8, unit u) {
  return u == unit::words ? count_words(utf8) : count_characters(utf8);
}

}  // namespace casecall::text
