#include "review/domain/record.hpp"

#include "identity/crypto.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace casecall::review::domain {

using json = nlohmann::json;

namespace {

calibration::method method_of(const std::string& name) {
  if (name == "z_score") return calibration::method::z_score;
  if (name == "rank") return calibration::method::rank;
  throw std::invalid_argument("unknown calibration method " + name);
}

// Reviews sorted by case, then judge: the record's order.
std::vector<scored_review> sorted(std::vector<scored_review> reviews) {
  std::sort(reviews.begin(), reviews.end(), [](const scored_review& a, const scored_review& b) {
    return a.case_id != b.case_id ? a.case_id < b.case_id : a.judge < b.judge;
  });
  return reviews;
}

json ranking_json(const rubric& r, const std::vector<scored_review>& reviews, const calibration::parameters& method) {
  std::vector<calibration::review> input;
  for (const auto& rv : reviews) input.push_back({rv.judge, rv.case_id, weighted_score(r, rv.scores)});
  const auto result = calibration::calibrate(input, method);
  json out = json::array();
  for (const auto& c : result.ranking) {
    out.push_back({{"rank", c.rank},
                   {"case_id", c.case_id},
                   {"reviews", c.reviews},
                   {"raw_mean", round6(c.raw_mean)},
                   {"calibrated", round6(c.calibrated)},
                   {"spread", round6(c.spread)},
                   {"flagged", c.flagged}});
  }
  return out;
}

}  // namespace

double round6(double x) { return std::round(x * 1e6) / 1e6; }

const char* method_name(calibration::method m) { return m == calibration::method::z_score ? "z_score" : "rank"; }

std::string record_hash(const json& record) {
  auto body = record;
  body.erase("sha256");
  return identity::sha256_hex(body.dump());
}

json build_record(const round_facts& round, const json& rubric_json, const std::vector<scored_review>& reviews,
                  const calibration::parameters& method, const std::vector<decision>& decisions) {
  const auto r = parse_rubric(rubric_json);
  const auto ordered = sorted(reviews);
  json review_list = json::array();
  std::set<std::string> reviewed;
  for (const auto& rv : ordered) {
    if (!check_scores(r, rv.scores, true, "/scores").empty()) {
      throw std::invalid_argument("the review of " + rv.case_id + " by " + rv.judge + " does not fit the rubric");
    }
    review_list.push_back({{"case_id", rv.case_id},
                           {"judge", rv.judge},
                           {"scores", rv.scores},
                           {"weighted", round6(weighted_score(r, rv.scores))}});
    reviewed.insert(rv.case_id);
  }
  static const std::set<std::string> outcomes = {"accept", "shortlist", "reject", "advance"};
  std::vector<decision> ds = decisions;
  std::sort(ds.begin(), ds.end(), [](const decision& a, const decision& b) { return a.case_id < b.case_id; });
  json decision_list = json::array();
  for (const auto& d : ds) {
    if (!outcomes.count(d.outcome)) throw std::invalid_argument("unknown decision " + d.outcome);
    if (!reviewed.count(d.case_id)) throw std::invalid_argument("a decision on " + d.case_id + ", which has no review");
    decision_list.push_back({{"case_id", d.case_id}, {"decision", d.outcome}, {"reason", d.reason}});
  }
  json record = {{"format", "casecall-decision-record/1"},
                 {"round", {{"id", round.round_id}, {"call_id", round.call_id}, {"kind", round.kind}, {"closed_at", round.closed_at}}},
                 {"rubric", rubric_json},
                 {"method",
                  {{"name", method_name(method.how)},
                   {"shrinkage", method.shrinkage},
                   {"disagreement_threshold", method.disagreement_threshold},
                   {"weighted_score", "sum of weight/100 × 10 × (score − min)/(max − min), on 0 to 10"},
                   {"tie_break", "calibrated, then raw mean, then more reviews, then case id"}}},
                 {"reviews", review_list},
                 {"ranking", ranking_json(r, ordered, method)},
                 {"decisions", decision_list}};
  record["sha256"] = record_hash(record);
  return record;
}

std::vector<mismatch> verify_record(const json& record, const std::vector<scored_review>& reviews_now) {
  std::vector<mismatch> out;
  if (record.value("sha256", "") != record_hash(record)) {
    out.push_back({"hash", "The record's content no longer matches its SHA-256: the record itself was changed."});
  }
  std::map<std::pair<std::string, std::string>, json> recorded;
  for (const auto& rv : record.at("reviews")) {
    recorded[{rv.at("case_id").get<std::string>(), rv.at("judge").get<std::string>()}] = rv.at("scores");
  }
  std::map<std::pair<std::string, std::string>, json> now;
  for (const auto& rv : reviews_now) now[{rv.case_id, rv.judge}] = rv.scores;
  for (const auto& [key, scores] : recorded) {
    auto it = now.find(key);
    if (it == now.end()) {
      out.push_back({"review_missing", "The review of " + key.first + " by " + key.second + " is in the record but no longer stored."});
      continue;
    }
    for (const auto& [criterion, value] : scores.items()) {
      const auto current = it->second.contains(criterion) ? it->second.at(criterion).dump() : std::string("nothing");
      if (!it->second.contains(criterion) || it->second.at(criterion) != value) {
        out.push_back({"score", "The review of " + key.first + " by " + key.second + " gave " + criterion + " " + value.dump() +
                                    " in the record; it is " + current + " now."});
      }
    }
  }
  for (const auto& [key, scores] : now) {
    if (!recorded.count(key)) {
      out.push_back({"review_added", "The review of " + key.first + " by " + key.second + " is stored but not in the record."});
    }
  }
  // The ranking again, from the reviews as they are now, by the recorded method.
  const auto& m = record.at("method");
  const calibration::parameters method{method_of(m.at("name").get<std::string>()), m.at("shrinkage").get<double>(),
                                       m.at("disagreement_threshold").get<double>()};
  try {
    const auto again = ranking_json(parse_rubric(record.at("rubric")), sorted(reviews_now), method);
    if (again != record.at("ranking")) {
      std::string first;
      const auto& was = record.at("ranking");
      for (std::size_t i = 0; i < std::max(was.size(), again.size()); ++i) {
        if (i >= was.size() || i >= again.size() || was[i] != again[i]) {
          first = "rank " + std::to_string(i + 1) + ": recorded " + (i < was.size() ? was[i].dump() : "nothing") +
                  ", recomputed " + (i < again.size() ? again[i].dump() : "nothing");
          break;
        }
      }
      out.push_back({"ranking", "The ranking recomputed from the stored reviews differs from the recorded one; first at " + first + "."});
    }
  } catch (const std::exception& e) {
    out.push_back({"ranking", std::string("The ranking could not be recomputed: ") + e.what()});
  }
  return out;
}

}  // namespace casecall::review::domain
