#include "db/migrations.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

using casecall::db::checksum;
using casecall::db::migration_error;
using casecall::db::version_of;

TEST(migrations, version_of_reads_the_four_digit_prefix) {
  EXPECT_EQ(version_of("0001_schema.sql"), 1);
  EXPECT_EQ(version_of("0012_x.sql"), 12);
  EXPECT_EQ(version_of("0100_add_deadlines.sql"), 100);
  EXPECT_EQ(version_of("9999_last.sql"), 9999);
}

TEST(migrations, version_of_reads_leading_zeros_as_decimal_not_octal) {
  EXPECT_EQ(version_of("0008_x.sql"), 8);
  EXPECT_EQ(version_of("0010_x.sql"), 10);
  EXPECT_EQ(version_of("0099_x.sql"), 99);
}

TEST(migrations, version_of_allows_underscores_and_digits_in_the_name) {
  EXPECT_EQ(version_of("0003_add_case_refs_2.sql"), 3);
  EXPECT_EQ(version_of("0004_2024_backfill.sql"), 4);
}

TEST(migrations, version_of_wants_a_bare_file_name) {
  EXPECT_THROW((void)version_of("migrations/0001_schema.sql"), migration_error);
  EXPECT_THROW((void)version_of("/0001_schema.sql"), migration_error);
}

TEST(migrations, version_of_refuses_other_file_names) {
  for (const char* name : {"1_x.sql", "0001.sql", "0001_x.txt", "abcd_x.sql", "001_x.sql",
                           "00001_x.sql", "0001_.sql", "0001_x.sql.bak", "0001_x.SQL", "",
                           "_0001_x.sql", "00a1_x.sql", "0001-x.sql"}) {
    EXPECT_THROW((void)version_of(name), migration_error) << '"' << name << '"';
  }
}

TEST(migrations, version_of_error_names_the_file) {
  try {
    (void)version_of("schema.sql");
    FAIL() << "schema.sql was accepted";
  } catch (const migration_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema.sql"), std::string::npos) << e.what();
  }
}

TEST(migrations, checksum_of_empty_text_is_the_sha256_test_vector) {
  EXPECT_EQ(checksum(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(migrations, checksum_of_abc_is_the_sha256_test_vector) {
  EXPECT_EQ(checksum("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(migrations, checksum_of_the_two_block_vector) {
  EXPECT_EQ(checksum("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(migrations, checksum_of_a_million_a_spans_many_blocks) {
  EXPECT_EQ(checksum(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(migrations, checksum_hashes_the_utf8_bytes_as_they_are) {
  // "é\n" as in a migration comment: bytes above 0x7f must not be sign-extended or re-encoded.
  EXPECT_EQ(checksum("\xC3\xA9\n"), "edd3a863872a04239eb29ad4bc12fc892b3d4ae57cc7e786a3697816f8e141c2");
}

TEST(migrations, checksum_is_64_lowercase_hex_and_sees_every_byte) {
  static const std::regex hex64("[0-9a-f]{64}");
  std::string sql = "CREATE TABLE cases (id uuid PRIMARY KEY);\n";
  auto original = checksum(sql);
  EXPECT_TRUE(std::regex_match(original, hex64)) << original;
  EXPECT_NE(checksum(sql + " "), original);
  EXPECT_NE(checksum(std::string("a\0b", 3)), checksum("a"));
  EXPECT_EQ(checksum(sql), original);
}
