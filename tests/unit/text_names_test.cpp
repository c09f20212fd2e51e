// Country names in the six languages of the site, from ICU's locale data.
#include "text/names.hpp"

#include <gtest/gtest.h>

namespace {

using casecall::text::country_name;

TEST(text_names, a_country_is_named_in_each_language_of_the_site) {
  EXPECT_EQ(country_name("KE", "en"), "Kenya");
  EXPECT_EQ(country_name("PE", "fr"), "Pérou");
  EXPECT_EQ(country_name("KE", "es"), "Kenia");
  EXPECT_EQ(country_name("CN", "zh"), "中国");
  EXPECT_EQ(country_name("CN", "ar"), "الصين");
  EXPECT_EQ(country_name("PE", "ru"), "Перу");
  EXPECT_EQ(country_name("sn", "fr"), "Sénégal") << "lower case is read as upper";
  EXPECT_EQ(country_name("SN", "fr-CA"), "Sénégal");
}

TEST(text_names, what_is_not_a_country_code_comes_back_as_it_was) {
  EXPECT_EQ(country_name("", "en"), "");
  EXPECT_EQ(country_name("KEN", "en"), "KEN");
  EXPECT_EQ(country_name("K1", "en"), "K1");
  EXPECT_EQ(country_name("QM", "en"), "QM");  // user-assigned: ICU has no name
}

}  // namespace
