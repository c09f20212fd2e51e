// A call's form definition (proto/schemas/form-definition.json) beyond what its schema can
// say, and what may change in it once cases have been submitted. Pure: no I/O.
#pragma once

#include "http/problem.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace casecall::intake::domain {

// The form must already be valid against form-definition.json. Reports, with JSON Pointers
// under `at` (e.g. "/form"):
//   duplicate        a section id, or a field id, used twice (field ids are unique in the
//                    whole form; a group's fields within the group)
//   not_allowed      limit on a non-text field, options on a non-choice field, fields or
//                    max_items on a non-group, min/max on a non-number, a group in a group
//   missing          options on a choice field, fields on a group
//   out_of_range     min greater than max
//   unknown          visible_when naming no earlier field of the same section or group, or
//                    a value that field cannot take
std::vector<http::field_error> check_form(const nlohmann::json& form, const std::string& at);

// Once a case has been submitted to a call, its form may only gain optional fields (and
// sections of optional fields); everything it had stays exactly as it was. nullopt when
// `next` is such a form, else the first difference, under `at`.
std::optional<http::field_error> check_form_change_after_submission(const nlohmann::json& current,
                                                                    const nlohmann::json& next,
                                                                    const std::string& at);

}  // namespace casecall::intake::domain
