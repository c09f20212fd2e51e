#include "intake/domain/content.hpp"

#include "http/json_schema.hpp"
#include "text/count.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace casecall::intake::domain {

namespace {

using json = nlohmann::json;

bool is_empty(const json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_array() && v.empty());
}

bool has_option(const json& field, const json& v) {
  const auto options = field.find("options");
  return v.is_string() && options != field.end() &&
         std::any_of(options->begin(), options->end(), [&](const json& o) { return o["id"] == v; });
}

bool valid_date(const std::string& s) {
  static const std::regex date(R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$)");
  return s.size() == 10 && std::regex_match(s, date);
}

bool valid_url(const std::string& s) {
  static const std::regex url(R"(^https?://[^\s/?#]+[^\s]*$)", std::regex::icase);
  return s.size() <= 2000 && std::regex_match(s, url);
}

void check_value(const json& field, const json& v, const std::string& at, std::vector<http::field_error>& out) {
  if (v.is_null()) return;
  const auto type = field["type"].get<std::string>();
  auto wrong = [&](std::string expected) { out.push_back({at, "wrong_type", "Expected " + expected + "."}); };
  if (type == "number") {
    if (!v.is_number()) wrong("a number");
    return;
  }
  if (type == "multiple_choice") {
    if (!v.is_array()) return wrong("a list of option ids");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!has_option(field, v[i]) || !seen.insert(v[i].get<std::string>()).second) {
        out.push_back({at + "/" + std::to_string(i), "not_allowed", "Not one of the field's options, or given twice."});
      }
    }
    return;
  }
  if (type == "group") {
    if (!v.is_array()) return wrong("a list of entries");
    if (field.contains("max_items") && v.size() > field["max_items"].get<std::size_t>()) {
      out.push_back({at, "too_many", "Takes at most " + field["max_items"].dump() + " entries."});
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_object()) {
        out.push_back({at + "/" + std::to_string(i), "wrong_type", "Expected an object of answers."});
        continue;
      }
      auto sub = check_answers(json{{"sections", {{{"fields", field["fields"]}}}}}, v[i], at + "/" + std::to_string(i));
      out.insert(out.end(), sub.begin(), sub.end());
    }
    return;
  }
  if (!v.is_string()) return wrong("text");
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty()) return;
  if (type == "single_choice" && !has_option(field, v)) {
    out.push_back({at, "not_allowed", "Not one of the field's options."});
  } else if (type == "date" && !valid_date(s)) {
    out.push_back({at, "bad_format", "Expected a date as YYYY-MM-DD."});
  } else if (type == "country" && !std::regex_match(s, std::regex("^[A-Z]{2}$"))) {
    out.push_back({at, "bad_format", "Expected an ISO 3166 country code such as KE."});
  } else if (type == "url" && !valid_url(s)) {
    out.push_back({at, "bad_format", "Expected an http:// or https:// address."});
  } else if (type == "email" && !http::valid_email(s)) {
    out.push_back({at, "bad_format", "Expected an e-mail address."});
  }
}

// Whether the field's visible_when holds, given the answers of its scope (section or entry).
bool visible(const json& field, const json& scope) {
  const auto rule = field.find("visible_when");
  if (rule == field.end()) return true;
  const auto& target = (*rule)["field"].get_ref<const std::string&>();
  if (!scope.contains(target)) return false;
  const auto& answer = scope[target];
  std::vector<json> accepted = rule->contains("equals") ? std::vector<json>{(*rule)["equals"]}
                                                        : (*rule)["in"].get<std::vector<json>>();
  auto matches = [&](const json& value) { return std::find(accepted.begin(), accepted.end(), value) != accepted.end(); };
  if (answer.is_array()) return std::any_of(answer.begin(), answer.end(), matches);
  return matches(answer);
}

void states_of(const json& fields, const json& answers, const std::string& prefix, json& out) {
  for (const auto& field : fields) {
    const auto id = field["id"].get<std::string>();
    const auto at = prefix + "/" + id;
    const json answer = answers.is_object() && answers.contains(id) ? answers[id] : json();
    if (!visible(field, answers)) {
      out[at] = {{"state", "hidden"}};
      continue;
    }
    const bool required = field.value("required", false);
    if (is_empty(answer)) {
      out[at] = {{"state", required ? "missing" : "empty"}};
      continue;
    }
    json state = {{"state", "complete"}};
    if (field.contains("limit") && answer.is_string()) {
      const auto unit = field["limit"]["unit"].get<std::string>();
      const auto count = text::count(answer.get_ref<const std::string&>(),
                                     unit == "words" ? text::unit::words : text::unit::characters);
      const auto max = field["limit"]["max"].get<std::size_t>();
      state["count"] = count;
      state["unit"] = unit;
      state["max"] = max;
      if (count > max) state["state"] = "over_limit";
    }
    out[at] = state;
    if (field["type"] == "group" && answer.is_array()) {
      for (std::size_t i = 0; i < answer.size(); ++i) states_of(field["fields"], answer[i], at + "/" + std::to_string(i), out);
    }
  }
}

}  // namespace

std::vector<http::field_error> check_answers(const json& form, const json& answers, const std::string& at) {
  std::vector<http::field_error> out;
  if (!answers.is_object()) {
    out.push_back({at, "wrong_type", "Expected an object of answers keyed by field id."});
    return out;
  }
  std::map<std::string, const json*> fields;
  for (const auto& section : form["sections"]) {
    for (const auto& f : section["fields"]) fields[f["id"].get<std::string>()] = &f;
  }
  for (const auto& [id, value] : answers.items()) {
    auto it = fields.find(id);
    if (it == fields.end()) {
      out.push_back({at + "/" + id, "unknown_field", "The call's form has no field with this id."});
      continue;
    }
    check_value(*it->second, value, at + "/" + id, out);
  }
  return out;
}

json field_states(const json& form, const json& answers) {
  json out = json::object();
  for (const auto& section : form["sections"]) states_of(section["fields"], answers, "", out);
  return out;
}

std::vector<http::field_error> blocking(const json& states, const std::string& at) {
  std::vector<http::field_error> out;
  for (const auto& [pointer, s] : states.items()) {
    const auto state = s["state"].get<std::string>();
    if (state == "missing") {
      out.push_back({at + pointer, "missing", "This field is required."});
    } else if (state == "over_limit") {
      out.push_back({at + pointer, "over_limit",
                     "Over the limit: " + s["count"].dump() + " " + s["unit"].get<std::string>() + " for at most " +
                         s["max"].dump() + "."});
    }
  }
  return out;
}

}  // namespace casecall::intake::domain
