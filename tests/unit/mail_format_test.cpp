// The message the SMTP relay receives.
#include "mail/outbox.hpp"

#include <gtest/gtest.h>

namespace {

using casecall::mail::format_rfc5322;
using casecall::mail::message;

TEST(mail_format, headers_are_crlf_terminated_and_non_ascii_subjects_are_encoded_words) {
  casecall::service::mail_config cfg;
  cfg.from = "casecall <noreply@cases.example>";
  message m{"verify_email", "zh", "li@example.cn", "李伟", "请确认您的电子邮件地址", "第一行\n第二行\n", "req-1"};
  auto text = format_rfc5322(cfg, m, 42, "Tue, 01 Dec 2026 15:00:00 +0000");
  EXPECT_NE(text.find("From: \"casecall\" <noreply@cases.example>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("To: =?UTF-8?B?5p2O5Lyf?= <li@example.cn>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(text.find("Message-ID: <outbox.42.verify_email@cases.example>\r\n"), std::string::npos);
  EXPECT_NE(text.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(text.find("Content-Language: zh\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\n第一行\r\n第二行\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos) << "every line ends in CRLF";
}

TEST(mail_format, a_line_break_in_a_header_value_cannot_add_a_header) {
  casecall::service::mail_config cfg;
  message m{"invitation", "en", "x@example.org", "Eve\r\nBcc: victim@example.org", "Hello\nBcc: other@example.org", "b", ""};
  auto text = format_rfc5322(cfg, m, 1, "Tue, 01 Dec 2026 15:00:00 +0000");
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos) << text;
  EXPECT_EQ(text.find("\nBcc:"), std::string::npos) << text;
}

TEST(mail_format, ascii_display_names_are_quoted_and_long_subjects_are_folded_words) {
  casecall::service::mail_config cfg;
  cfg.from = "Global Solicitation, casecall <noreply@cases.example>";
  std::string subject;
  for (int i = 0; i < 40; ++i) subject += "减贫";
  message m{"invitation", "en", "x@example.org", "Doe, \"J\" <boss@example.org>", subject, "b", ""};
  auto text = format_rfc5322(cfg, m, 1, "Tue, 01 Dec 2026 15:00:00 +0000");
  EXPECT_NE(text.find("From: \"Global Solicitation, casecall\" <noreply@cases.example>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("To: \"Doe, \\\"J\\\" <boss@example.org>\" <x@example.org>\r\n"), std::string::npos) << text;
  // Every line of the header, folded subject included, stays short; every word is complete.
  auto head = text.substr(0, text.find("\r\n\r\n"));
  std::size_t start = 0;
  int subject_lines = 0;
  while (start < head.size()) {
    auto end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    auto line = head.substr(start, end - start);
    EXPECT_LE(line.size(), 998u);
    if (line.rfind("Subject: ", 0) == 0 || line.rfind(" =?UTF-8?B?", 0) == 0) {
      ++subject_lines;
      auto word = line.substr(line.find("=?"));
      EXPECT_LE(word.size(), 75u) << word;
      EXPECT_EQ(word.substr(word.size() - 2), "?=");
    }
    start = end + 2;
  }
  EXPECT_GT(subject_lines, 1);
}

TEST(mail_format, the_envelope_address_is_taken_from_the_angle_brackets) {
  EXPECT_EQ(casecall::mail::envelope_address("casecall <noreply@cases.example>"), "noreply@cases.example");
  EXPECT_EQ(casecall::mail::envelope_address("plain@cases.example"), "plain@cases.example");
}

}  // namespace
