#include "http/percent.hpp"

#include <gtest/gtest.h>

#include <string_view>

using casecall::http::percent_decode;

TEST(percent, escapes_are_decoded_and_the_rest_kept) {
  EXPECT_EQ(percent_decode("GS7-0042"), "GS7-0042");
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("%E6%A1%88"), "\xE6\xA1\x88");
  EXPECT_EQ(percent_decode(""), "");
}

TEST(percent, a_bad_or_cut_escape_is_refused) {
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%2"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%"), std::nullopt);
}

TEST(percent, a_view_is_decoded_only_up_to_its_size) {
  std::string_view whole = "case%20one/%zz";
  EXPECT_EQ(percent_decode(whole.substr(0, 10)), "case one");
}
