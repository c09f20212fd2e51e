// A scoring round's rubric (proto/schemas/rubric.json) beyond what its schema can say, and a
// review's scores checked against it. Pure: no I/O.
#pragma once

#include "http/problem.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace casecall::review::domain {

struct criterion {
  std::string id;
  int weight = 0;  // per cent
  int min = 0;
  int max = 0;
};

struct rubric {
  std::vector<criterion> criteria;
  bool confidence = false;
};

// The rubric must already be valid against rubric.json. Reports, with JSON Pointers under `at`:
//   duplicate     a criterion id, or a level's value, given twice
//   weights_sum   the weights do not add up to 100 (at `at`/criteria)
//   out_of_range  a scale's min not below its max; a level's value outside its scale
std::vector<http::field_error> check_rubric(const nlohmann::json& r, const std::string& at);

// A checked rubric as data.
rubric parse_rubric(const nlohmann::json& r);

// A review's scores, {"<criterion id>": <integer>, ...}, against the rubric. Reports, under `at`:
//   unknown_criterion  an id the rubric does not have
//   not_integer        a score that is not a whole number
//   out_of_scale       a score outside its criterion's scale (the message gives the scale)
//   missing            (when `complete`) a criterion without a score
// A draft may leave criteria out; a submitted review may not.
std::vector<http::field_error> check_scores(const rubric& r, const nlohmann::json& scores, bool complete,
                                            const std::string& at);

// The weighted score of complete, checked scores, on 0 to 10:
//   sum over the criteria of weight/100 × 10 × (score − min) / (max − min).
double weighted_score(const rubric& r, const nlohmann::json& scores);

}  // namespace casecall::review::domain
