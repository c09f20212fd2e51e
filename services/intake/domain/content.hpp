// A case's answers to its call's form, and what can be said of them: whether they are of the
// right kind (checked on every save), and, field by field, whether they are complete,
// missing or over their limit (reported on every save, enforced at submission). Pure.
//
// Answers are one JSON object keyed by field id, the fields of every section together; a
// group's answer is an array of objects keyed by the group's field ids:
//   short_text, long_text, url, email, date (YYYY-MM-DD), country (ISO 3166 alpha-2):
//   strings; number: a number; single_choice: an option id; multiple_choice: an array of
//   option ids; group: an array of at most max_items objects.
// An empty string, an empty array or null is no answer.
#pragma once

#include "http/problem.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace casecall::intake::domain {

// What a save refuses, with JSON Pointers under `at`: unknown_field, wrong_type, bad_format
// (date, country, url, e-mail), not_allowed (an option the field does not have, or twice),
// too_many (group items over max_items). Missing answers and texts over their limit are not
// refused here.
std::vector<http::field_error> check_answers(const nlohmann::json& form, const nlohmann::json& answers,
                                             const std::string& at);

// Where each field stands, keyed by the JSON Pointer of its answer ("/title",
// "/partners/0/name"): {"state": "complete" | "missing" | "over_limit" | "empty" | "hidden"}
// with, for limited text fields, "count", "unit" and "max". `hidden` is a field whose
// visible_when does not hold (its answer, if any, is ignored); `empty` an optional field
// without an answer; `missing` a required one.
nlohmann::json field_states(const nlohmann::json& form, const nlohmann::json& answers);

// The states that stop a submission, as field errors (code missing or over_limit).
std::vector<http::field_error> blocking(const nlohmann::json& states, const std::string& at);

}  // namespace casecall::intake::domain
