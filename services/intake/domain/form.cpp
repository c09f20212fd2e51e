#include "intake/domain/form.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace casecall::intake::domain {

namespace {

using json = nlohmann::json;

bool is_text(const std::string& type) { return type == "short_text" || type == "long_text"; }
bool is_choice(const std::string& type) { return type == "single_choice" || type == "multiple_choice"; }

class checker {
 public:
  explicit checker(std::vector<http::field_error>& out) : out_(out) {}

  void form(const json& f, const std::string& at) {
    std::set<std::string> section_ids;
    for (std::size_t s = 0; s < f["sections"].size(); ++s) {
      const auto& section = f["sections"][s];
      const auto where = at + "/sections/" + std::to_string(s);
      if (!section_ids.insert(section["id"].get<std::string>()).second) {
        error(where + "/id", "duplicate", "Another section has this id.");
      }
      // Field ids are unique in the whole form: a case's answers are keyed by them.
      fields(section["fields"], where + "/fields", top_level_ids_, false);
    }
  }

 private:
  void fields(const json& list, const std::string& at, std::set<std::string>& ids, bool in_group) {
    std::map<std::string, const json*> earlier;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& f = list[i];
      const auto where = at + "/" + std::to_string(i);
      const auto id = f["id"].get<std::string>();
      const auto type = f["type"].get<std::string>();
      if (!ids.insert(id).second) error(where + "/id", "duplicate", "Another field of the form has this id.");
      if (f.contains("limit") && !is_text(type)) error(where + "/limit", "not_allowed", "Only text fields have a limit.");
      if (f.contains("options") && !is_choice(type)) error(where + "/options", "not_allowed", "Only choice fields have options.");
      if (!f.contains("options") && is_choice(type)) error(where + "/options", "missing", "A choice field needs its options.");
      if (f.contains("options")) options(f["options"], where + "/options");
      if ((f.contains("min") || f.contains("max")) && type != "number") {
        error(where + (f.contains("min") ? "/min" : "/max"), "not_allowed", "Only number fields have a minimum or maximum.");
      }
      if (f.contains("min") && f.contains("max") && f["min"].get<double>() > f["max"].get<double>()) {
        error(where + "/min", "out_of_range", "The minimum is greater than the maximum.");
      }
      if (type == "group") {
        if (in_group) error(where + "/type", "not_allowed", "A group cannot hold another group.");
        if (!f.contains("fields")) {
          error(where + "/fields", "missing", "A group needs its fields.");
        } else {
          std::set<std::string> group_ids;
          fields(f["fields"], where + "/fields", group_ids, true);
        }
      } else {
        if (f.contains("fields")) error(where + "/fields", "not_allowed", "Only groups have fields.");
        if (f.contains("max_items")) error(where + "/max_items", "not_allowed", "Only groups repeat.");
      }
      if (f.contains("visible_when")) visibility(f["visible_when"], where + "/visible_when", earlier);
      earlier[id] = &f;
    }
  }

  void options(const json& list, const std::string& at) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!ids.insert(list[i]["id"].get<std::string>()).second) {
        error(at + "/" + std::to_string(i) + "/id", "duplicate", "Another option of this field has this id.");
      }
    }
  }

  void visibility(const json& rule, const std::string& at, const std::map<std::string, const json*>& earlier) {
    const bool has_equals = rule.contains("equals");
    if (has_equals == rule.contains("in")) {
      error(at, has_equals ? "not_allowed" : "missing", "Give either equals or in.");
      return;
    }
    auto it = earlier.find(rule["field"].get<std::string>());
    if (it == earlier.end()) {
      error(at + "/field", "unknown", "No earlier field of this section or group has this id.");
      return;
    }
    const auto& target = *it->second;
    const auto type = target["type"].get<std::string>();
    std::vector<json> values = has_equals ? std::vector<json>{rule["equals"]} : rule["in"].get<std::vector<json>>();
    const auto where = at + (has_equals ? "/equals" : "/in");
    for (const auto& v : values) {
      bool ok = false;
      if (is_choice(type)) {
        // (A choice field without options is reported on its own; no value names one of them.)
        const auto options = target.find("options");
        ok = v.is_string() && options != target.end() &&
             std::any_of(options->begin(), options->end(), [&](const json& o) { return o["id"] == v; });
      } else if (type == "number") {
        ok = v.is_number();
      } else if (type == "short_text" || type == "country" || type == "email" || type == "url" || type == "date") {
        ok = v.is_string();
      }
      if (!ok) {
        error(where, "unknown", "The field " + rule["field"].get<std::string>() + " cannot take the value " + v.dump() + ".");
        return;
      }
    }
  }

  void error(std::string field, std::string code, std::string message) {
    out_.push_back({std::move(field), std::move(code), std::move(message)});
  }

  std::vector<http::field_error>& out_;
  std::set<std::string> top_level_ids_;
};

bool is_required(const json& field) { return field.value("required", false); }

// A section that cases submitted before it was added cannot have filled in.
std::optional<http::field_error> only_optional(const json& section, const std::string& at) {
  for (const auto& f : section["fields"]) {
    if (is_required(f)) {
      return http::field_error{at, "not_allowed", "Cases have been submitted: a new section may only hold optional fields."};
    }
  }
  return std::nullopt;
}

// Every field of `current` is in `next`, unchanged and in the same order; the fields `next`
// adds are optional.
std::optional<http::field_error> compare_fields(const json& current, const json& next, const std::string& at) {
  std::size_t j = 0;
  for (const auto& field : current) {
    const auto id = field["id"];
    while (j < next.size() && next[j]["id"] != id) {
      if (is_required(next[j])) {
        return http::field_error{at + "/" + std::to_string(j), "not_allowed",
                                 "Cases have been submitted: a new field must be optional."};
      }
      ++j;
    }
    if (j == next.size()) {
      return http::field_error{at, "not_allowed",
                               "Cases have been submitted: the field " + id.get<std::string>() + " must stay, in its place."};
    }
    if (field["type"] == "group" && next[j]["type"] == "group") {
      auto a = field;
      auto b = next[j];
      a.erase("fields");
      b.erase("fields");
      if (a != b) {
        return http::field_error{at + "/" + std::to_string(j), "not_allowed",
                                 "Cases have been submitted: the group " + id.get<std::string>() + " cannot change."};
      }
      if (auto diff = compare_fields(field["fields"], next[j]["fields"], at + "/" + std::to_string(j) + "/fields")) return diff;
    } else if (field != next[j]) {
      return http::field_error{at + "/" + std::to_string(j), "not_allowed",
                               "Cases have been submitted: the field " + id.get<std::string>() + " cannot change."};
    }
    ++j;
  }
  for (; j < next.size(); ++j) {
    if (is_required(next[j])) {
      return http::field_error{at + "/" + std::to_string(j), "not_allowed",
                               "Cases have been submitted: a new field must be optional."};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<http::field_error> check_form(const json& form, const std::string& at) {
  std::vector<http::field_error> out;
  checker(out).form(form, at);
  return out;
}

std::optional<http::field_error> check_form_change_after_submission(const json& current, const json& next,
                                                                    const std::string& at) {
  const auto& was = current["sections"];
  const auto& now = next["sections"];
  std::size_t j = 0;
  for (const auto& section : was) {
    while (j < now.size() && now[j]["id"] != section["id"]) {
      if (auto e = only_optional(now[j], at + "/sections/" + std::to_string(j))) return e;
      ++j;
    }
    if (j == now.size()) {
      return http::field_error{at + "/sections", "not_allowed",
                               "Cases have been submitted: the section " + section["id"].get<std::string>() +
                                   " must stay, in its place."};
    }
    auto a = section;
    auto b = now[j];
    a.erase("fields");
    b.erase("fields");
    if (a != b) {
      return http::field_error{at + "/sections/" + std::to_string(j), "not_allowed",
                               "Cases have been submitted: the section " + section["id"].get<std::string>() +
                                   " cannot change."};
    }
    if (auto diff = compare_fields(section["fields"], now[j]["fields"], at + "/sections/" + std::to_string(j) + "/fields")) {
      return diff;
    }
    ++j;
  }
  for (; j < now.size(); ++j) {
    if (auto e = only_optional(now[j], at + "/sections/" + std::to_string(j))) return e;
  }
  return std::nullopt;
}

}  // namespace casecall::intake::domain
