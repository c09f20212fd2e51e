// A round's decision record: what closing a round freezes, so that a year later the
// administrators can show how the ranking was made. It holds the rubric, every submitted
// review's scores, the calibration method and parameters, the ranking it gave (raw and
// calibrated side by side) and the decisions with their reasons, and the SHA-256 of its
// canonical form (the record without `sha256`, serialised compactly with object keys sorted;
// numbers rounded to 6 decimals before hashing). verify() recomputes the weighted scores, the
// calibration and the ranking from the reviews as they are now, and names every difference.
// Pure: no I/O.
#pragma once

#include "review/domain/calibration.hpp"
#include "review/domain/rubric.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace casecall::review::domain {

struct scored_review {
  std::string judge;
  std::string case_id;
  nlohmann::json scores;  // {"<criterion id>": integer, ...}, complete and checked
};

struct decision {
  std::string case_id;
  std::string outcome;  // accept, shortlist, reject, advance
  std::string reason;
};

struct round_facts {
  std::string round_id;
  std::string call_id;
  std::string kind;       // screening, scoring, final
  std::string closed_at;  // RFC 3339, UTC
};

// The record, with its "sha256". Throws std::invalid_argument when a review does not fit the
// rubric or a decision names a case without reviews or an unknown outcome.
nlohmann::json build_record(const round_facts& round, const nlohmann::json& rubric_json,
                            const std::vector<scored_review>& reviews, const calibration::parameters& method,
                            const std::vector<decision>& decisions);

// Numbers as records and results show them: rounded to 6 decimals.
double round6(double x);
// "z_score" or "rank".
const char* method_name(calibration::method m);

// The SHA-256 (lowercase hex) of a record's canonical form, its "sha256" left out.
std::string record_hash(const nlohmann::json& record);

struct mismatch {
  std::string what;    // hash, review_missing, review_added, score, ranking
  std::string detail;  // for a human
};

// Checks a stored record against itself (its hash) and against the reviews as they are now:
// the same reviews with the same scores, and the ranking recomputed from them by the recorded
// method equal to the recorded one. Empty when all holds.
std::vector<mismatch> verify_record(const nlohmann::json& record, const std::vector<scored_review>& reviews_now);

}  // namespace casecall::review::domain
