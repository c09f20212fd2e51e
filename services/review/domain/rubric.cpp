#include "review/domain/rubric.hpp"

#include <set>

namespace casecall::review::domain {

using json = nlohmann::json;

std::vector<http::field_error> check_rubric(const json& r, const std::string& at) {
  std::vector<http::field_error> out;
  std::set<std::string> ids;
  long total = 0;
  const auto& criteria = r.at("criteria");
  for (std::size_t i = 0; i < criteria.size(); ++i) {
    const auto& c = criteria[i];
    const auto here = at + "/criteria/" + std::to_string(i);
    const auto id = c.at("id").get<std::string>();
    if (!ids.insert(id).second) out.push_back({here + "/id", "duplicate", "The criterion id " + id + " is used twice."});
    total += c.at("weight").get<long>();
    const int min = c.at("scale").at("min").get<int>();
    const int max = c.at("scale").at("max").get<int>();
    if (min >= max) {
      out.push_back({here + "/scale", "out_of_range",
                     "The scale's min (" + std::to_string(min) + ") must be below its max (" + std::to_string(max) + ")."});
    }
    std::set<int> values;
    const auto levels = c.at("scale").value("levels", json::array());
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const int v = levels[l].at("value").get<int>();
      const auto level_at = here + "/scale/levels/" + std::to_string(l) + "/value";
      if (v < min || v > max) {
        out.push_back({level_at, "out_of_range",
                       "The level " + std::to_string(v) + " is outside the scale " + std::to_string(min) + "–" + std::to_string(max) + "."});
      }
      if (!values.insert(v).second) out.push_back({level_at, "duplicate", "The level " + std::to_string(v) + " is described twice."});
    }
  }
  if (total != 100) {
    out.push_back({at + "/criteria", "weights_sum",
                   "The weights add up to " + std::to_string(total) + "; they must add up to exactly 100."});
  }
  return out;
}

rubric parse_rubric(const json& r) {
  rubric out;
  out.confidence = r.value("confidence", false);
  for (const auto& c : r.at("criteria")) {
    out.criteria.push_back({c.at("id").get<std::string>(), c.at("weight").get<int>(), c.at("scale").at("min").get<int>(),
                            c.at("scale").at("max").get<int>()});
  }
  return out;
}

std::vector<http::field_error> check_scores(const rubric& r, const json& scores, bool complete, const std::string& at) {
  std::vector<http::field_error> out;
  if (!scores.is_object()) {
    out.push_back({at, "not_object", "The scores are an object of criterion ids and whole numbers."});
    return out;
  }
  for (const auto& [id, value] : scores.items()) {
    const auto here = at + "/" + id;
    const criterion* c = nullptr;
    for (const auto& k : r.criteria) {
      if (k.id == id) c = &k;
    }
    if (!c) {
      out.push_back({here, "unknown_criterion", "The rubric has no criterion " + id + "."});
      continue;
    }
    if (!value.is_number_integer() && !value.is_number_unsigned()) {
      out.push_back({here, "not_integer", "A score is a whole number."});
      continue;
    }
    const auto v = value.get<long long>();
    if (v < c->min || v > c->max) {
      out.push_back({here, "out_of_scale",
                     "The score " + std::to_string(v) + " is outside the scale " + std::to_string(c->min) + "–" + std::to_string(c->max) + "."});
    }
  }
  if (complete) {
    for (const auto& c : r.criteria) {
      if (!scores.contains(c.id)) out.push_back({at + "/" + c.id, "missing", "A submitted review scores every criterion."});
    }
  }
  return out;
}

double weighted_score(const rubric& r, const json& scores) {
  double total = 0;
  for (const auto& c : r.criteria) {
    const double v = scores.at(c.id).get<double>();
    total += c.weight / 100.0 * 10.0 * (v - c.min) / (c.max - c.min);
  }
  return total;
}

}  // namespace casecall::review::domain
