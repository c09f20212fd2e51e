// An anonymous round: nothing a judge is shown of a case holds the submitting organisation's
// names or website, its people's names, e-mails, organisations or phones — searched for in
// the bytes of the result, ignoring case — while the substance of the case stays.
#include "review/domain/anonymise.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace casecall::review::domain {
namespace {

using json = nlohmann::json;

const std::vector<std::string> organisation = {"Milpa Social Finance", "Milpa Finanzas Sociales", "米尔帕社会金融",
                                               "https://milpa.example"};

json submitted() {
  return json{
      {"case_id", "0b4b5a77-9f0e-4f5e-9d3a-2f8e6c1d2a10"},
      {"reference", "GS7-0042"},
      {"organisation_id", "5a1c3e0e-3c43-4a1a-8a4e-1b2c3d4e5f60"},
      {"answers",
       {{"title", "Harvest-timed credit for maize farmers"},
        {"background", "Since 2018 MILPA SOCIAL FINANCE has lent to smallholders; write to info@milpa.example or see "
                       "https://milpa.example/annual-report."},
        {"approach", "María López visited every ejido. Milpa Finanzas Sociales trains loan officers."},
        {"summary_zh", "米尔帕社会金融为玉米农户提供贷款。"},
        {"partners", json::array({{{"name", "Fondo Regional de Garantía"}, {"role", "guarantee fund"}}})},
        {"beneficiaries", 6700}}},
      {"co_authors", json::array({{{"name", "María López"}, {"email", "maria.lopez@milpa.example"}, {"organisation", "Milpa Social Finance"}}})},
      {"contacts", json::array({{{"name", "Juan Pérez"}, {"email", "jp@milpa.example"}, {"phone", "+52 951 123 4567"}}})},
      {"declarations", json::array({"copyright", "consent", "licence"})},
      {"attachments", json::array({{{"id", "u-1"}, {"kind", "document"}, {"filename", "milpa-annual-report-2024.pdf"},
                                    {"media_type", "application/pdf"}, {"size", 123456}, {"sha256", std::string(64, 'a')}}})}};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return s;
}

TEST(anonymise, no_name_email_phone_or_website_of_the_submitter_is_left_in_the_bytes) {
  const auto bytes = lower(anonymise(submitted(), organisation).dump());
  for (const std::string secret : {"milpa social finance", "milpa finanzas sociales", "米尔帕社会金融", "milpa.example",
                                   "maría lópez", "juan pérez", "maria.lopez", "jp@", "+52 951 123 4567",
                                   "5a1c3e0e-3c43-4a1a-8a4e-1b2c3d4e5f60", "milpa-annual-report"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "found " << secret << " in " << bytes;
  }
}

TEST(anonymise, the_substance_of_the_case_stays) {
  const auto out = anonymise(submitted(), organisation);
  EXPECT_EQ(out["reference"], "GS7-0042");
  EXPECT_EQ(out["answers"]["title"], "Harvest-timed credit for maize farmers");
  EXPECT_EQ(out["answers"]["background"],
            "Since 2018 [withheld] has lent to smallholders; write to [withheld] or see [withheld]/annual-report.");
  EXPECT_EQ(out["answers"]["approach"], "[withheld] visited every ejido. [withheld] trains loan officers.");
  EXPECT_EQ(out["answers"]["summary_zh"], "[withheld]为玉米农户提供贷款。");
  EXPECT_EQ(out["answers"]["beneficiaries"], 6700);
  // Partners of the project are not the submitter: they stay.
  EXPECT_EQ(out["answers"]["partners"][0]["name"], "Fondo Regional de Garantía");
  EXPECT_FALSE(out.contains("co_authors"));
  EXPECT_FALSE(out.contains("contacts"));
  EXPECT_EQ(out["attachments"][0], (json{{"id", "u-1"}, {"kind", "document"}, {"media_type", "application/pdf"},
                                         {"size", 123456}, {"sha256", std::string(64, 'a')}}));
  EXPECT_EQ(out["declarations"].size(), 3u);
}

TEST(anonymise, identifying_texts_are_collected_longest_first_and_short_ones_left_out) {
  auto content = submitted();
  content["co_authors"].push_back({{"name", "Al"}});
  const auto texts = identifying_texts(content, {"  Milpa  ", "Milpa Social Finance"});
  const auto whole = std::find(texts.begin(), texts.end(), "Milpa Social Finance");
  const auto part = std::find(texts.begin(), texts.end(), "Milpa");
  ASSERT_NE(part, texts.end());
  EXPECT_LT(whole, part);  // the longer first, so that the whole name goes in one piece
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "Milpa Social Finance"), 1);
  EXPECT_EQ(std::find(texts.begin(), texts.end(), "Al"), texts.end());
  EXPECT_NE(std::find(texts.begin(), texts.end(), "+52 951 123 4567"), texts.end());
}

TEST(anonymise, the_domain_of_any_email_in_the_case_is_withheld_wherever_it_appears) {
  // The organisation's known website differs; its people write from another domain, which the
  // project's own site shares.
  json content = {{"answers",
                   {{"website", "https://projects.tierra-viva.example/seeds"},
                    {"contact_email", "ana@tierra-viva.example"},
                    {"approach", "See TIERRA-VIVA.EXAMPLE for the seed bank's records."}}}};
  const auto out = anonymise(content, {"Fundación Tierra Viva"});
  EXPECT_EQ(out["answers"]["website"], "https://projects.[withheld]/seeds");
  EXPECT_EQ(out["answers"]["contact_email"], "[withheld]");
  EXPECT_EQ(out["answers"]["approach"], "See [withheld] for the seed bank's records.");
  // And a domain given among the organisation's texts as an address counts too.
  const auto by_org = anonymise(json{{"answers", {{"site", "www.milpa-org.example"}}}}, {"postmaster@milpa-org.example"});
  EXPECT_EQ(by_org["answers"]["site"], "www.[withheld]");
}

}  // namespace
}  // namespace casecall::review::domain
