// Word and character counts in the five languages of the call, and mixed text.
#include "text/count.hpp"

#include <gtest/gtest.h>

namespace {

using casecall::text::count;
using casecall::text::count_characters;
using casecall::text::count_words;
using casecall::text::unit;

TEST(text_count, english_counts_words_and_numbers_not_punctuation) {
  EXPECT_EQ(count_words("Farmers in Yunnan sold 2,500 kg of tea."), 8u);
  EXPECT_EQ(count_words("  Results:   income rose by 35% — twice the target!  "), 8u) << "35 is a word, % is not";
  EXPECT_EQ(count_words("e-commerce"), 2u) << "a hyphen separates words";
  EXPECT_EQ(count_words("write to info@example.org"), 4u) << "@ separates words";
  EXPECT_EQ(count_words(""), 0u);
  EXPECT_EQ(count_words("... — !!"), 0u);
}

TEST(text_count, chinese_counts_one_per_character) {
  EXPECT_EQ(count_words("电商扶贫让农民增收。"), 9u);
  EXPECT_EQ(count_words("2019年，合作社成立。"), 7u) << "2019 is one word, then 6 characters";
}

TEST(text_count, mixed_chinese_and_english_count_each_by_its_own_rule) {
  EXPECT_EQ(count_words("我们用WeChat销售茶叶"), 8u);
  EXPECT_EQ(count_words("The village (村) joined Taobao 淘宝 in 2016."), 9u);
}

TEST(text_count, japanese_kana_and_kanji_count_one_per_character) {
  EXPECT_EQ(count_words("ひらがなカタカナ漢字"), 10u);
}

TEST(text_count, arabic_counts_words) {
  EXPECT_EQ(count_words("تمكين المرأة الريفية من خلال التعاونيات."), 6u);
}

TEST(text_count, french_keeps_elisions_in_one_word) {
  EXPECT_EQ(count_words("L'agriculture durable aide les éleveurs d'Afrique."), 6u);
  EXPECT_EQ(count_words("Les femmes gèrent aujourd’hui 40 % des coopératives."), 7u);
}

TEST(text_count, spanish_counts_words) {
  EXPECT_EQ(count_words("¿Cómo mejoró la nutrición infantil en Chiapas?"), 7u);
}

TEST(text_count, characters_are_what_a_reader_sees_as_one) {
  EXPECT_EQ(count_characters("abc def"), 7u);
  EXPECT_EQ(count_characters("电商扶贫。"), 5u);
  EXPECT_EQ(count_characters("e\xCC\x81t\xC3\xA9"), 3u) << "e + combining acute, t, precomposed é";
  EXPECT_EQ(count_characters("👩🏽‍🌾 farmer"), 8u) << "a woman farmer with a skin tone is one";
  EXPECT_EQ(count_characters("مرحبا"), 5u);
  EXPECT_EQ(count("a b", unit::characters), 3u);
  EXPECT_EQ(count("a b", unit::words), 2u);
}

}  // namespace

TEST(text_count, word_spans_are_counted_in_code_points_and_skip_spaces_and_punctuation) {
  using casecall::text::word_spans;
  using span = casecall::text::word_span;
  EXPECT_EQ(word_spans("Tea, 2,500 kg."), (std::vector<span>{{0, 3}, {5, 5}, {11, 2}}));
  // ICU's dictionary segments Chinese: 村里 | 修建 | 了 | 光 | 伏 | 电力 | 设施, then the full stop.
  EXPECT_EQ(word_spans("村里修建了光伏电力设施。"),
            (std::vector<span>{{0, 2}, {2, 2}, {4, 1}, {5, 1}, {6, 1}, {7, 2}, {9, 2}}));
  // A character outside the Basic Multilingual Plane is one code point (two UTF-16 units).
  EXPECT_EQ(word_spans("𠀀 ab"), (std::vector<span>{{0, 1}, {2, 2}}));
  EXPECT_EQ(word_spans(""), std::vector<span>{});
}
