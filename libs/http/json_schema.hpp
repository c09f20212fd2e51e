// Request bodies checked against their JSON Schema in proto/schemas/ (draft-07), so that
// the contract a client reads is the one the service enforces. Only the keywords below are
// understood; a schema using any other is refused when loaded, never silently ignored:
//   type, properties, required, additionalProperties, propertyNames, minProperties,
//   maxProperties, items, minItems, maxItems, uniqueItems, enum, const, minLength,
//   maxLength (in characters, i.e. code points), pattern, format (email, uri, uuid,
//   date-time, language), minimum, maximum, $ref (to #/definitions/...), definitions,
//   and the annotations $schema, $id, $comment, title, description, examples, default.
#pragma once

#include "http/message.hpp"
#include "http/problem.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::http {

class json_schema {
 public:
  // Throws std::invalid_argument naming the keyword and its place for anything unsupported.
  explicit json_schema(nlohmann::json schema);
  ~json_schema();
  json_schema(json_schema&&) noexcept;
  json_schema& operator=(json_schema&&) noexcept;

  // Every violation, each with the JSON Pointer of the field at fault and a stable code.
  // A string over its maxLength (or over 4096 bytes, where a pattern or format applies) is
  // too_long and its form is not checked; an array over its maxItems is too_many and its
  // items are not checked. Codes:
  // missing, unknown_field, wrong_type, too_short, too_long, bad_format, not_allowed,
  // too_few, too_many, duplicate, out_of_range.
  std::vector<field_error> validate(const nlohmann::json& instance) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Schemas by file name ("registration.json"), compiled once at start.
class schema_set {
 public:
  schema_set() = default;
  // files: name → text. Throws std::invalid_argument for a file that does not parse or
  // uses an unsupported keyword.
  explicit schema_set(const std::vector<std::pair<std::string_view, std::string_view>>& files);
  // Throws std::out_of_range for an unknown name.
  const json_schema& at(std::string_view name) const;

 private:
  std::map<std::string, json_schema, std::less<>> schemas_;
};

// The body as JSON, valid against `schema`: 415/400 as parse_json_body, then 422
// `validation_failed` listing every field at fault.
nlohmann::json parse_json_body(const request& req, const json_schema& schema);

// Whether the text is an e-mail address as `format: email` understands it (ASCII only).
bool valid_email(std::string_view s);

// Number of Unicode code points in valid UTF-8 (what maxLength counts).
std::size_t code_points(std::string_view utf8);

}  // namespace casecall::http
