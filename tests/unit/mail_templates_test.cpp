#include "mail/templates.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mail = casecall::mail;

namespace {

// Values of a usual length, each distinct so that each can be found in the output.
mail::values_map sample_values() {
  return {
      {"name", "Maria Fernanda Okafor"},
      {"link", "https://casecall.example.org/verify?token=Zq3xYw8KpL2mN7vB4cR9tH6sJ1dF5gA0"},
      {"hours", "48"},
      {"inviter", "Adebayo Chen-Laurent"},
      {"organisation", "Rural Livelihoods Foundation"},
      {"support", "support@casecall.example.org"},
      {"reference", "GS7-0042"},
      {"call", "7th Global Solicitation"},
      {"submitted_at", "2026-09-30T15:04:05Z"},
      {"hash", "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"},
      {"count", "3"},
      {"round", "GS7 2026 — scoring"},
      {"total", "12"},
      {"decision", "Advanced to the next round"},
      {"reason", "Clear evidence of results; the costs per household need more detail."},
  };
}

mail::values_map values_for(std::string_view kind) {
  const auto all = sample_values();
  mail::values_map out;
  for (const auto& name : mail::placeholders(kind)) out[name] = all.at(name);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Columns a line takes in a fixed-width font: CJK two, combining marks none, the rest one.
std::size_t columns(std::string_view line) {
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    const auto lead = static_cast<unsigned char>(line[i]);
    std::size_t length = 1;
    std::uint32_t cp = lead;
    if (lead >= 0xF0) {
      length = 4;
      cp = lead & 0x07u;
    } else if (lead >= 0xE0) {
      length = 3;
      cp = lead & 0x0Fu;
    } else if (lead >= 0xC0) {
      length = 2;
      cp = lead & 0x1Fu;
    }
    for (std::size_t k = 1; k < length && i + k < line.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(line[i + k]) & 0x3Fu);
    }
    i += length;
    const bool combining = (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x064B && cp <= 0x065F) ||
                           cp == 0x0670;
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6);
    width += combining ? 0 : wide ? 2 : 1;
  }
  return width;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xC2 && lead < 0xE0) {
      length = 2;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      length = 3;
    } else if (lead >= 0xF0 && lead < 0xF5) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > s.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0u) != 0x80u) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

TEST(mail_templates, the_kinds_and_languages_are_listed) {
  EXPECT_EQ(mail::kinds(), (std::vector<std::string_view>{"verify_email", "invitation", "password_reset",
                                                          "password_changed", "case_receipt",
                                                          "review_assignment", "case_decision"}));
  EXPECT_EQ(mail::languages(), (std::vector<std::string_view>{"en", "fr", "es", "zh", "ar"}));
}

TEST(mail_templates, each_kind_uses_its_documented_placeholders) {
  using names = std::vector<std::string>;
  EXPECT_EQ(mail::placeholders("verify_email"), (names{"hours", "link", "name"}));
  EXPECT_EQ(mail::placeholders("invitation"),
            (names{"hours", "inviter", "link", "name", "organisation"}));
  EXPECT_EQ(mail::placeholders("password_reset"), (names{"hours", "link", "name"}));
  EXPECT_EQ(mail::placeholders("password_changed"), (names{"name", "support"}));
  EXPECT_EQ(mail::placeholders("case_receipt"), (names{"call", "hash", "link", "name", "reference", "submitted_at"}));
  EXPECT_EQ(mail::placeholders("review_assignment"), (names{"count", "link", "name", "round", "total"}));
  EXPECT_EQ(mail::placeholders("case_decision"),
            (names{"call", "decision", "link", "name", "reason", "reference"}));
}

TEST(mail_templates, every_language_uses_exactly_the_placeholders_of_the_kind) {
  for (const auto kind : mail::kinds()) {
    for (const auto language : mail::languages()) {
      SCOPED_TRACE(std::string(kind) + "/" + std::string(language));
      EXPECT_EQ(mail::placeholders_in(kind, language), mail::placeholders(kind));
    }
  }
}

TEST(mail_templates, every_template_renders_completely) {
  for (const auto kind : mail::kinds()) {
    const auto values = values_for(kind);
    const bool has_link = values.count("link") == 1;
    for (const auto language : mail::languages()) {
      SCOPED_TRACE(std::string(kind) + "/" + std::string(language));
      const auto mail_out = mail::render(kind, language, values);

      EXPECT_FALSE(mail_out.subject.empty());
      EXPECT_EQ(mail_out.subject.find('\n'), std::string::npos);
      EXPECT_EQ(mail_out.subject.find('\r'), std::string::npos);
      EXPECT_EQ(mail_out.subject.find("{{"), std::string::npos);

      EXPECT_EQ(mail_out.body.find("{{"), std::string::npos);
      EXPECT_EQ(mail_out.body.find('\r'), std::string::npos);
      EXPECT_TRUE(is_valid_utf8(mail_out.subject));
      EXPECT_TRUE(is_valid_utf8(mail_out.body));
      ASSERT_FALSE(mail_out.body.empty());
      EXPECT_EQ(mail_out.body.back(), '\n');
      EXPECT_NE(mail_out.body.find("casecall"), std::string::npos);

      const auto whole = mail_out.subject + "\n" + mail_out.body;
      for (const auto& [name, value] : values) {
        EXPECT_NE(whole.find(value), std::string::npos) << "value of {{" << name << "}}";
      }

      const auto lines = lines_of(mail_out.body);
      if (has_link) {
        const auto& link = values.at("link");
        std::size_t alone = 0;
        for (const auto& line : lines) {
          if (line == link) ++alone;
          if (line != link) {
            EXPECT_EQ(line.find(link), std::string::npos) << "link shares a line: " << line;
          }
        }
        EXPECT_EQ(alone, 1u);
      }
      for (const auto& line : lines) {
        if (has_link && line == values.at("link")) continue;
        EXPECT_LE(columns(line), 76u) << line;
        EXPECT_TRUE(line.empty() || line.back() != ' ') << "trailing space: " << line;
      }
    }
  }
}

TEST(mail_templates, an_unknown_language_falls_back_to_english) {
  for (const auto kind : mail::kinds()) {
    SCOPED_TRACE(std::string(kind));
    const auto values = values_for(kind);
    const auto english = mail::render(kind, "en", values);
    for (const std::string_view language : {"de", "", "xx-YY", "english"}) {
      const auto other = mail::render(kind, language, values);
      EXPECT_EQ(other.subject, english.subject);
      EXPECT_EQ(other.body, english.body);
    }
    EXPECT_EQ(mail::placeholders_in(kind, "de"), mail::placeholders_in(kind, "en"));
  }
}

TEST(mail_templates, the_languages_really_differ) {
  for (const auto kind : mail::kinds()) {
    SCOPED_TRACE(std::string(kind));
    const auto values = values_for(kind);
    const auto english = mail::render(kind, "en", values);
    for (const auto language : mail::languages()) {
      if (language == "en") continue;
      EXPECT_NE(mail::render(kind, language, values).body, english.body) << language;
    }
  }
}

TEST(mail_templates, an_unknown_kind_is_refused_by_name) {
  try {
    mail::render("welcome_party", "en", sample_values());
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("welcome_party"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mail::render("", "fr", sample_values()), std::invalid_argument);
  EXPECT_THROW(mail::placeholders("welcome_party"), std::invalid_argument);
  EXPECT_THROW(mail::placeholders_in("welcome_party", "en"), std::invalid_argument);
}

TEST(mail_templates, a_missing_value_is_refused_naming_the_placeholder) {
  for (const auto kind : mail::kinds()) {
    for (const auto language : mail::languages()) {
      for (const auto& missing : mail::placeholders(kind)) {
        SCOPED_TRACE(std::string(kind) + "/" + std::string(language) + " without " + missing);
        auto values = values_for(kind);
        values.erase(missing);
        try {
          mail::render(kind, language, values);
          FAIL() << "no exception";
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("{{" + missing + "}}"), std::string::npos)
              << e.what();
        }
      }
    }
  }
}

TEST(mail_templates, values_are_inserted_literally_and_not_expanded_again) {
  for (const auto language : mail::languages()) {
    SCOPED_TRACE(std::string(language));
    auto values = values_for("password_changed");
    values["name"] = "{{support}} & <b>{{x}}</b> {{";
    values["support"] = "help@example.org {{name}}";
    const auto mail_out = mail::render("password_changed", language, values);
    EXPECT_NE(mail_out.body.find("{{support}} & <b>{{x}}</b> {{"), std::string::npos);
    EXPECT_NE(mail_out.body.find("help@example.org {{name}}"), std::string::npos);
  }
}

TEST(mail_templates, values_not_used_by_the_template_are_ignored) {
  const auto with_extra = mail::render("password_reset", "fr", sample_values());
  const auto exact = mail::render("password_reset", "fr", values_for("password_reset"));
  EXPECT_EQ(with_extra.subject, exact.subject);
  EXPECT_EQ(with_extra.body, exact.body);
}

TEST(mail_templates, the_review_mails_render_every_value_in_every_language) {
  // Values found nowhere else in the templates, nor in one another.
  const std::vector<std::pair<std::string_view, mail::values_map>> cases = {
      {"review_assignment",
       {{"name", "Dr. Aisha Rahman-Lopez"},
        {"count", "17"},
        {"round", "GS7 2026 — scoring"},
        {"total", "43"},
        {"link", "https://casecall.example.org/review/assignments"}}},
      {"case_decision",
       {{"name", "Thandiwe Nakamura"},
        {"reference", "GS7-0815"},
        {"call", "7th Global Solicitation"},
        {"decision", ""},  // set per language below
        {"reason", "A well documented approach; replication costs remain unclear."},
        {"link", "https://casecall.example.org/cases/GS7-0815/decision"}}},
  };
  for (const auto& [kind, base] : cases) {
    for (const auto language : mail::languages()) {
      SCOPED_TRACE(std::string(kind) + "/" + std::string(language));
      auto values = base;
      if (values.count("decision") == 1) values["decision"] = mail::decision_label("shortlist", language);
      std::vector<std::string> given;
      for (const auto& [name, value] : values) given.push_back(name);
      EXPECT_EQ(given, mail::placeholders(kind));

      const auto mail_out = mail::render(kind, language, values);
      EXPECT_EQ(mail_out.subject.find("{{"), std::string::npos);
      EXPECT_EQ(mail_out.body.find("{{"), std::string::npos);
      for (const auto& [name, value] : values) {
        EXPECT_NE(mail_out.body.find(value), std::string::npos) << "value of {{" << name << "}}";
      }
      if (kind == "case_decision") {
        EXPECT_NE(mail_out.subject.find(values.at("reference")), std::string::npos);
        // The reason, of any length, stands alone on its line.
        const auto lines = lines_of(mail_out.body);
        EXPECT_NE(std::find(lines.begin(), lines.end(), values.at("reason")), lines.end());
      } else {
        EXPECT_NE(mail_out.subject.find(values.at("round")), std::string::npos);
      }
    }
  }
}

TEST(mail_templates, decision_labels_in_english) {
  EXPECT_EQ(mail::decision_label("accept", "en"), "Accepted");
  EXPECT_EQ(mail::decision_label("shortlist", "en"), "Shortlisted");
  EXPECT_EQ(mail::decision_label("reject", "en"), "Not selected");
  EXPECT_EQ(mail::decision_label("advance", "en"), "Advanced to the next round");
}

TEST(mail_templates, every_decision_has_a_distinct_label_in_every_language) {
  const std::vector<std::string_view> decisions = {"accept", "shortlist", "reject", "advance"};
  for (const auto language : mail::languages()) {
    SCOPED_TRACE(std::string(language));
    std::vector<std::string> labels;
    for (const auto decision : decisions) {
      const auto label = mail::decision_label(decision, language);
      EXPECT_FALSE(label.empty()) << decision;
      EXPECT_TRUE(is_valid_utf8(label)) << decision;
      EXPECT_EQ(label.find('\n'), std::string::npos) << decision;
      EXPECT_LE(columns(label), 40u) << decision;
      if (language != "en") {
        EXPECT_NE(label, mail::decision_label(decision, "en")) << decision;
      }
      labels.push_back(label);
    }
    std::sort(labels.begin(), labels.end());
    EXPECT_EQ(std::adjacent_find(labels.begin(), labels.end()), labels.end());
  }
  EXPECT_EQ(mail::decision_label("accept", "fr"), "Accepté");
  EXPECT_EQ(mail::decision_label("reject", "zh"), "未入选");
}

TEST(mail_templates, decision_labels_fall_back_to_english) {
  for (const std::string_view decision : {"accept", "shortlist", "reject", "advance"}) {
    for (const std::string_view language : {"de", "", "xx-YY", "english", "EN"}) {
      EXPECT_EQ(mail::decision_label(decision, language), mail::decision_label(decision, "en"))
          << decision << "/" << language;
    }
  }
}

TEST(mail_templates, an_unknown_decision_is_refused_by_name) {
  for (const auto language : mail::languages()) {
    try {
      mail::decision_label("postpone", language);
      FAIL() << "no exception in " << language;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("postpone"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(mail::decision_label("", "en"), std::invalid_argument);
  EXPECT_THROW(mail::decision_label("Accept", "en"), std::invalid_argument);
  EXPECT_THROW(mail::decision_label("Accepted", "de"), std::invalid_argument);
}
