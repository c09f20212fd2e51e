// What intake reads of tus headers and file names, and what it writes for downloads.
#include "intake/domain/upload_rules.hpp"

#include <gtest/gtest.h>

namespace casecall::intake::domain {
namespace {

TEST(upload_metadata, pairs_decode_from_base64_and_a_key_may_have_no_value) {
  // "case_id" = "abc", "filename" = "照片.jpg", "is_confidential" without a value (tus allows it).
  auto parsed = parse_upload_metadata("case_id YWJj, filename 54Wn54mHLmpwZw==,is_confidential");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->at("case_id"), "abc");
  EXPECT_EQ(parsed->at("filename"), "照片.jpg");
  EXPECT_EQ(parsed->at("is_confidential"), "");
  EXPECT_TRUE(parse_upload_metadata("")->empty());
}

TEST(upload_metadata, bad_base64_a_repeated_key_or_an_empty_pair_is_refused) {
  EXPECT_FALSE(parse_upload_metadata("case_id %%%"));
  EXPECT_FALSE(parse_upload_metadata("a YWJj,a YWJj"));
  EXPECT_FALSE(parse_upload_metadata("a YWJj,,b YWJj"));
  EXPECT_FALSE(parse_upload_metadata("a YWJj,"));
}

TEST(upload_metadata, what_is_formatted_parses_back) {
  const std::vector<std::pair<std::string, std::string>> pairs = {{"filename", "rapport final.pdf"}, {"kind", "document"}};
  auto text = format_upload_metadata(pairs);
  EXPECT_EQ(text, "filename cmFwcG9ydCBmaW5hbC5wZGY=,kind ZG9jdW1lbnQ=");
  auto back = parse_upload_metadata(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at("filename"), "rapport final.pdf");
}

TEST(file_names, names_are_names_not_paths) {
  EXPECT_FALSE(filename_problem("photo.jpg"));
  EXPECT_FALSE(filename_problem("صورة القرية.jpg"));
  EXPECT_FALSE(filename_problem("..hidden"));
  EXPECT_TRUE(filename_problem(""));
  EXPECT_TRUE(filename_problem("../../etc/passwd"));
  EXPECT_TRUE(filename_problem("C:\\Windows\\win.ini"));
  EXPECT_TRUE(filename_problem(std::string("photo\0.jpg", 10)));
  EXPECT_TRUE(filename_problem("tab\there"));
  EXPECT_TRUE(filename_problem("."));
  EXPECT_TRUE(filename_problem(".."));
  EXPECT_TRUE(filename_problem("\xc3\x28.jpg"));          // not UTF-8
  EXPECT_TRUE(filename_problem("\xed\xa0\x80.jpg"));      // a surrogate
  EXPECT_TRUE(filename_problem(std::string(256, 'a')));
  EXPECT_FALSE(filename_problem(std::string(255, 'a')));
}

TEST(checksums, sha1_and_sha256_with_a_digest_of_their_size) {
  checksum out;
  EXPECT_EQ(parse_checksum("sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", out), checksum_error::none);
  EXPECT_EQ(out.algorithm, "sha1");
  EXPECT_EQ(out.digest.size(), 20u);
  EXPECT_EQ(parse_checksum("SHA256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", out), checksum_error::none);
  EXPECT_EQ(out.algorithm, "sha256");
  EXPECT_EQ(parse_checksum("md5 1B2M2Y8AsgTpgAmY7PhCfg==", out), checksum_error::unsupported);
  EXPECT_EQ(parse_checksum("sha1 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", out), checksum_error::malformed);
  EXPECT_EQ(parse_checksum("sha1", out), checksum_error::malformed);
  EXPECT_EQ(parse_checksum("sha1 !!!", out), checksum_error::malformed);
}

TEST(lengths, only_plain_non_negative_decimals) {
  EXPECT_EQ(parse_length("0"), 0u);
  EXPECT_EQ(parse_length("10737418240"), 10737418240u);
  EXPECT_FALSE(parse_length(""));
  EXPECT_FALSE(parse_length("-1"));
  EXPECT_FALSE(parse_length("+1"));
  EXPECT_FALSE(parse_length("1 "));
  EXPECT_FALSE(parse_length("99999999999999999999"));
}

TEST(downloads, content_disposition_has_an_ascii_stand_in_and_the_utf8_name) {
  EXPECT_EQ(content_disposition("report.pdf"), "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
  EXPECT_EQ(content_disposition("rapport d'été \"final\".pdf"),
            "attachment; filename=\"rapport d'_t_ _final_.pdf\"; "
            "filename*=UTF-8''rapport%20d%27%C3%A9t%C3%A9%20%22final%22.pdf");
}

TEST(downloads, http_dates_are_imf_fixdate) {
  EXPECT_EQ(http_date(std::chrono::system_clock::from_time_t(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(kinds, each_kind_allows_its_media_types_only) {
  EXPECT_EQ(media_types_of("photo"), (std::vector<std::string_view>{"image/jpeg", "image/png", "image/webp"}));
  EXPECT_EQ(media_types_of("video"), (std::vector<std::string_view>{"video/mp4", "video/webm"}));
  EXPECT_TRUE(media_types_of("script").empty());
  EXPECT_FALSE(is_attachment_kind("script"));
}

}  // namespace
}  // namespace casecall::intake::domain
