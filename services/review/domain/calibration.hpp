// Calibration of judges' scores, agreement between judges, and the ranking of cases.
//
// Each review is a judge's weighted score of one case (the rubric's weighted mean, on the
// rubric's scale). A harsh judge and a lenient one must count the same, so the ranking uses a
// calibrated score, shown beside the raw mean:
//
// - z_score: each judge's scores are standardised by that judge's mean and standard deviation,
//   shrunk towards the panel's by `shrinkage` pseudo-reviews (a judge with few reviews is
//   mostly taken at the panel's measure), then put back on the panel's scale:
//     mean_j' = (n_j mean_j + k0 M) / (n_j + k0),  var_j' = (n_j var_j + k0 S²) / (n_j + k0),
//     calibrated = M + S (x − mean_j') / sd_j'
//   where M and S are the mean and standard deviation of every review of the panel.
// - rank: each judge's scores become percentiles among that judge's own reviews ((rank − ½) / n,
//   ties sharing their mean rank), so only each judge's order counts; shown on 0..100.
//
// A case's calibrated score is the mean of its reviews' calibrated scores. The ranking is by
// calibrated score, highest first; ties go to the higher raw mean, then to the case with more
// reviews, then to the smaller case id, so that it is total and reproducible. A case whose
// reviews' calibrated scores spread (max − min) beyond `disagreement_threshold` standard
// deviations of all calibrated review scores is flagged for discussion (in those units the
// threshold means the same for both methods). Agreement is Krippendorff's alpha with the interval metric, over the cases with
// at least two reviews.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace casecall::review::calibration {

struct review {
  std::string judge;
  std::string case_id;
  double score = 0;  // weighted score on the rubric's scale
};

enum class method { z_score, rank };

struct parameters {
  method how = method::z_score;
  double shrinkage = 3.0;               // k0: pseudo-reviews at the panel's mean and spread
  double disagreement_threshold = 1.5;  // in standard deviations of the calibrated scores
};

struct case_result {
  std::string case_id;
  int reviews = 0;
  double raw_mean = 0;
  double calibrated = 0;
  double spread = 0;  // max − min of its reviews' calibrated scores
  bool flagged = false;
  int rank = 0;       // 1 = best
};

struct judge_result {
  std::string judge;
  int reviews = 0;
  double mean = 0;  // raw
  double sd = 0;    // raw, population
  double calibrated_mean = 0;  // the shrunk mean used (z_score)
  double calibrated_sd = 0;    // the shrunk standard deviation used (z_score)
  // Pearson correlation of the judge's scores with the mean of the other judges' scores of
  // the same cases; none when fewer than 3 such cases or no variation.
  std::optional<double> agreement;
};

struct result {
  parameters used;
  double panel_mean = 0;
  double panel_sd = 0;
  double calibrated_sd = 0;  // of every review's calibrated score: the unit of the threshold
  std::vector<case_result> ranking;  // by rank
  std::vector<judge_result> judges;  // by judge id
  std::optional<double> alpha;       // Krippendorff's alpha (interval); none without disagreement data
};

// Throws std::invalid_argument on a non-finite score, a negative shrinkage or threshold, or a
// judge reviewing one case twice.
result calibrate(const std::vector<review>& reviews, const parameters& p = {});

// Krippendorff's alpha, interval metric: `units` holds, per case, the values given to it; units
// with fewer than two values are not pairable and left out. None when no two pairable values
// differ (the expected disagreement is zero).
std::optional<double> krippendorff_alpha_interval(const std::vector<std::vector<double>>& units);

}  // namespace casecall::review::calibration
