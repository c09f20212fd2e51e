// The request-body validator: the draft-07 subset it understands, the codes and field
// pointers it reports, and its refusal to load a schema that says more than it enforces.
#include "http/json_schema.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using casecall::http::field_error;
using casecall::http::json_schema;
using json = nlohmann::json;

std::vector<std::string> check(const json& schema, const json& value) {
  std::vector<std::string> out;
  for (const auto& e : json_schema(schema).validate(value)) out.push_back(e.field + " " + e.code);
  return out;
}

const json person = {
    {"type", "object"},
    {"additionalProperties", false},
    {"required", {"name", "languages"}},
    {"properties",
     {{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 5}}},
      {"email", {{"type", "string"}, {"format", "email"}}},
      {"age", {{"type", "integer"}, {"minimum", 0}, {"maximum", 150}}},
      {"languages", {{"type", "array"}, {"minItems", 1}, {"maxItems", 2}, {"uniqueItems", true},
                     {"items", {{"enum", {"en", "fr", "zh"}}}}}},
      {"home", {{"$ref", "#/definitions/place"}}}}},
    {"definitions",
     {{"place", {{"type", "object"}, {"additionalProperties", false}, {"properties", {{"country", {{"type", "string"}, {"pattern", "^[A-Z]{2}$"}}}}}}}}}};

TEST(json_schema, a_valid_document_has_no_errors) {
  EXPECT_TRUE(check(person, {{"name", "Ana"}, {"languages", {"en"}}, {"home", {{"country", "PE"}}}, {"age", 40}}).empty());
}

TEST(json_schema, each_violation_is_reported_with_its_pointer_and_code) {
  EXPECT_EQ(check(person, {{"languages", {"en"}}}), std::vector<std::string>{"/name missing"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en"}}, {"nick", "A"}}), std::vector<std::string>{"/nick unknown_field"});
  EXPECT_EQ(check(person, {{"name", 7}, {"languages", {"en"}}}), std::vector<std::string>{"/name wrong_type"});
  EXPECT_EQ(check(person, {{"name", "Anastasia"}, {"languages", {"en"}}}), std::vector<std::string>{"/name too_long"});
  EXPECT_EQ(check(person, {{"name", ""}, {"languages", {"en"}}}), std::vector<std::string>{"/name missing"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", json::array()}}), std::vector<std::string>{"/languages too_few"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en", "fr", "zh"}}}), std::vector<std::string>{"/languages too_many"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en", "en"}}}), std::vector<std::string>{"/languages/1 duplicate"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"de"}}}), std::vector<std::string>{"/languages/0 not_allowed"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en"}}, {"age", -1}}), std::vector<std::string>{"/age out_of_range"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en"}}, {"age", 1.5}}), std::vector<std::string>{"/age wrong_type"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en"}}, {"home", {{"country", "Peru"}}}}),
            std::vector<std::string>{"/home/country bad_format"});
  EXPECT_EQ(check(person, {{"name", "Ana"}, {"languages", {"en"}}, {"email", "ana@"}}), std::vector<std::string>{"/email bad_format"});
  EXPECT_EQ(check(person, json::array()), std::vector<std::string>{" wrong_type"});
}

TEST(json_schema, email_addresses_are_checked_as_json_schema_tools_check_them) {
  using casecall::http::valid_email;
  for (const char* ok : {"ana@example.org", "Li.Wei+cases@mail.example.cn", "o'neil@sub.example.co.uk"}) {
    EXPECT_TRUE(valid_email(ok)) << ok;
  }
  for (const char* bad : {"ana@", "@example.org", "ana@example", "a..b@example.org", ".a@example.org",
                          "ana @example.org", "ana@-example.org", "élise@example.fr", "a@b@example.org"}) {
    EXPECT_FALSE(valid_email(bad)) << bad;
  }
}

TEST(json_schema, lengths_count_characters_not_bytes) {
  // Five Chinese characters are 15 bytes and fit a maxLength of 5.
  EXPECT_TRUE(check(person, {{"name", "全球减贫案"}, {"languages", {"zh"}}}).empty());
  EXPECT_EQ(check(person, {{"name", "全球减贫案例"}, {"languages", {"zh"}}}), std::vector<std::string>{"/name too_long"});
  EXPECT_EQ(casecall::http::code_points("مرحبا"), 5u);
}

TEST(json_schema, every_error_of_a_document_is_reported_not_only_the_first) {
  auto errors = check(person, {{"name", 7}, {"languages", {"xx"}}, {"extra", true}});
  EXPECT_EQ(errors, (std::vector<std::string>{"/extra unknown_field", "/languages/0 not_allowed", "/name wrong_type"}));
}

TEST(json_schema, huge_values_are_refused_without_running_their_patterns_or_items) {
  // std::regex recurses once per character: 100,000 characters would overflow the stack.
  json uri = {{"type", "string"}, {"format", "uri"}};
  EXPECT_EQ(check(uri, std::string("https://") + std::string(100'000, 'a')), std::vector<std::string>{" too_long"});
  json bounded = {{"type", "string"}, {"maxLength", 10}, {"pattern", "^(a|b)+$"}};
  EXPECT_EQ(check(bounded, std::string(100'000, 'a')), std::vector<std::string>{" too_long"});
  json list = {{"type", "array"}, {"maxItems", 3}, {"uniqueItems", true}, {"items", {{"type", "string"}}}};
  json many = json::array();
  for (int i = 0; i < 20'000; ++i) many.push_back(i);
  EXPECT_EQ(check(list, many), std::vector<std::string>{" too_many"});
}

TEST(json_schema, pointer_segments_are_escaped) {
  json schema = {{"type", "object"}, {"additionalProperties", false}};
  EXPECT_EQ(check(schema, {{"a/b~c", 1}}), std::vector<std::string>{"/a~1b~0c unknown_field"});
}

TEST(json_schema, property_names_and_additional_property_schemas_apply_to_maps) {
  json names = {{"type", "object"},
                {"minProperties", 1},
                {"propertyNames", {{"format", "language"}}},
                {"additionalProperties", {{"type", "string"}, {"maxLength", 3}}}};
  EXPECT_TRUE(check(names, {{"en", "abc"}, {"zh-Hans", "村"}}).empty());
  EXPECT_EQ(check(names, {{"English", "abc"}}), std::vector<std::string>{"/English bad_format"});
  EXPECT_EQ(check(names, {{"en", "abcd"}}), std::vector<std::string>{"/en too_long"});
  EXPECT_EQ(check(names, json::object()), std::vector<std::string>{" too_few"});
}

TEST(json_schema, a_schema_with_a_keyword_it_does_not_enforce_is_refused) {
  EXPECT_THROW(json_schema(json{{"type", "object"}, {"oneOf", json::array()}}), std::invalid_argument);
  EXPECT_THROW(json_schema(json{{"properties", {{"x", {{"exclusiveMaximum", 3}}}}}}), std::invalid_argument);
  EXPECT_THROW(json_schema(json{{"type", "string"}, {"format", "hostname"}}), std::invalid_argument);
  EXPECT_THROW(json_schema(json{{"$ref", "other.json#/x"}}), std::invalid_argument);
  EXPECT_THROW(json_schema(json{{"$ref", "#/definitions/missing"}}), std::invalid_argument);
}

TEST(json_schema, every_request_schema_in_proto_loads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CASECALL_PROTO_SCHEMAS)) {
    const auto name = entry.path().filename().string();
    if (name.size() < 13 || name.substr(name.size() - 13) != "-request.json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NO_THROW(json_schema(json::parse(text.str()))) << name;
    ++loaded;
  }
  EXPECT_GE(loaded, 10);
}

}  // namespace
