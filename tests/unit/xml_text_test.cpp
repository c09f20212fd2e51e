// XML 1.0 text as publish writes it for OAI-PMH, Atom and the sitemap.
#include "publish/domain/xml.hpp"

#include <gtest/gtest.h>

namespace casecall::publish::xml {
namespace {

using namespace std::string_literals;

TEST(xml_text, markup_characters_are_escaped_and_white_space_kept_as_a_parser_would_give_it_back) {
  EXPECT_EQ(escaped("<a href=\"x\">Tom & Jerry</a>"), "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;");
  EXPECT_EQ(escaped("a\r\nb\tc"), "a&#xD;\nb\tc");
  EXPECT_EQ(escaped("a\r\nb\tc", context::attribute), "a&#xD;&#xA;b&#x9;c");
  EXPECT_EQ(escaped("电商 'ok'"), "电商 'ok'");
}

TEST(xml_text, bytes_that_are_not_utf8_show_as_replacement_and_forbidden_characters_go) {
  EXPECT_EQ(escaped("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(escaped("a\x01\x0b" "b\0c"s), "abc");
  EXPECT_EQ(clean("x\xEF\xBF\xBEy\xed\xa0\x80z"), "xy\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");  // U+FFFE dropped; a surrogate is 3 bad bytes
  EXPECT_EQ(clean("<&>"), "<&>") << "clean does not escape";
  EXPECT_TRUE(is_utf8("电商 é"));
  EXPECT_FALSE(is_utf8("\xc0\xaf"));  // overlong
  EXPECT_FALSE(is_utf8("\xe7\x94"));  // truncated
}

}  // namespace
}  // namespace casecall::publish::xml
