#include "http/json_schema.hpp"

#include "http/json_body.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>

namespace casecall::http {

namespace {

using json = nlohmann::json;

const std::set<std::string, std::less<>>& known_keywords() {
  static const std::set<std::string, std::less<>> keys{
      "type", "properties", "required", "additionalProperties", "propertyNames", "minProperties",
      "maxProperties", "items", "minItems", "maxItems", "uniqueItems", "enum", "const",
      "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "$ref",
      "definitions", "$schema", "$id", "$comment", "title", "description", "examples", "default"};
  return keys;
}

const std::set<std::string, std::less<>>& known_formats() {
  static const std::set<std::string, std::less<>> formats{"email", "uri", "uuid", "date-time", "language"};
  return formats;
}

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string type_of(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "unknown";
  }
}

bool has_type(const json& v, std::string_view t) {
  auto actual = type_of(v);
  if (t == actual) return true;
  if (t == "number" && actual == "integer") return true;
  if (t == "integer" && actual == "number") {
    double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool valid_uri(std::string_view s) {
  static const std::regex uri(R"(^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$)");
  return std::regex_match(s.begin(), s.end(), uri);
}

bool valid_uuid(std::string_view s) {
  static const std::regex uuid(R"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)");
  return std::regex_match(s.begin(), s.end(), uuid);
}

bool valid_date_time(std::string_view s) {
  static const std::regex dt(
      R"(^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s.begin(), s.end(), dt);
}

bool valid_language(std::string_view s) {
  static const std::regex tag(R"(^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$)");
  return std::regex_match(s.begin(), s.end(), tag);
}

}  // namespace

bool valid_email(std::string_view s) {
  // The addresses mail servers take without SMTPUTF8, as JSON Schema tools check `email`:
  // dot-separated atoms of the RFC 5322 local-part characters, '@', a host name of labels.
  static const std::regex address(
      R"(^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$)",
      std::regex::icase);
  return s.size() <= 254 && std::regex_match(s.begin(), s.end(), address);
}

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Longest string a pattern or format is run on: std::regex recurses once per character.
constexpr std::size_t regex_limit = 4096;

struct json_schema::impl {
  json root;
  std::map<std::string, std::regex, std::less<>> patterns;

  void check(const json& schema, const std::string& where) {
    if (schema.is_boolean()) return;
    if (!schema.is_object()) throw std::invalid_argument(where + ": a schema must be an object or a boolean");
    for (const auto& [key, value] : schema.items()) {
      if (!known_keywords().count(key)) {
        throw std::invalid_argument(where + ": unsupported keyword '" + key + "'");
      }
      if (key == "properties" || key == "definitions") {
        for (const auto& [name, sub] : value.items()) check(sub, where + "/" + key + "/" + name);
      } else if (key == "additionalProperties" || key == "items" || key == "propertyNames") {
        check(value, where + "/" + key);
      } else if (key == "pattern") {
        auto p = value.get<std::string>();
        patterns.emplace(p, std::regex(p, std::regex::ECMAScript));
      } else if (key == "format") {
        if (!known_formats().count(value.get<std::string>())) {
          throw std::invalid_argument(where + ": unsupported format '" + value.get<std::string>() + "'");
        }
      } else if (key == "$ref") {
        resolve(value.get<std::string>(), where);
      }
    }
  }

  const json& resolve(const std::string& ref, const std::string& where) const {
    constexpr std::string_view prefix = "#/definitions/";
    if (ref.rfind(prefix, 0) != 0) throw std::invalid_argument(where + ": only #/definitions/ references are supported");
    auto name = ref.substr(prefix.size());
    if (!root.contains("definitions") || !root["definitions"].contains(name)) {
      throw std::invalid_argument(where + ": no definition " + name);
    }
    return root["definitions"][name];
  }

  void validate(const json& schema, const json& v, const std::string& at, std::vector<field_error>& out) const {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) out.push_back({at, "unknown_field", "This field is not accepted here."});
      return;
    }
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      validate(resolve(ref->get<std::string>(), at), v, at, out);
      return;
    }
    if (auto t = schema.find("type"); t != schema.end()) {
      bool ok = false;
      std::string expected;
      if (t->is_string()) {
        ok = has_type(v, t->get<std::string>());
        expected = t->get<std::string>();
      } else {
        for (const auto& one : *t) {
          ok = ok || has_type(v, one.get<std::string>());
          expected += (expected.empty() ? "" : " or ") + one.get<std::string>();
        }
      }
      if (!ok) {
        out.push_back({at, "wrong_type", "Expected " + expected + ", got " + type_of(v) + "."});
        return;
      }
    }
    if (auto e = schema.find("enum"); e != schema.end()) {
      if (std::find(e->begin(), e->end(), v) == e->end()) {
        out.push_back({at, "not_allowed", "Must be one of " + e->dump() + "."});
      }
    }
    if (auto c = schema.find("const"); c != schema.end() && *c != v) {
      out.push_back({at, "not_allowed", "Must be " + c->dump() + "."});
    }
    if (v.is_string()) string_rules(schema, v.get_ref<const std::string&>(), at, out);
    if (v.is_number()) {
      double d = v.get<double>();
      if (auto m = schema.find("minimum"); m != schema.end() && d < m->get<double>()) {
        out.push_back({at, "out_of_range", "Must be at least " + m->dump() + "."});
      }
      if (auto m = schema.find("maximum"); m != schema.end() && d > m->get<double>()) {
        out.push_back({at, "out_of_range", "Must be at most " + m->dump() + "."});
      }
    }
    if (v.is_array()) array_rules(schema, v, at, out);
    if (v.is_object()) object_rules(schema, v, at, out);
  }

  void string_rules(const json& schema, const std::string& s, const std::string& at,
                    std::vector<field_error>& out) const {
    auto length = code_points(s);
    if (auto m = schema.find("minLength"); m != schema.end() && length < m->get<std::size_t>()) {
      out.push_back({at, s.empty() ? "missing" : "too_short",
                     "Must be at least " + m->dump() + " characters long."});
    }
    if (auto m = schema.find("maxLength"); m != schema.end() && length > m->get<std::size_t>()) {
      out.push_back({at, "too_long", "Must be at most " + m->dump() + " characters long (it is " +
                                         std::to_string(length) + ")."});
      return;  // its form is not worth checking, and std::regex recurses per character
    }
    const bool has_form = schema.contains("pattern") || schema.contains("format");
    if (has_form && s.size() > regex_limit) {
      out.push_back({at, "too_long", "Too long to be of the expected form."});
      return;
    }
    if (auto p = schema.find("pattern"); p != schema.end()) {
      const auto& re = patterns.find(p->get<std::string>())->second;
      if (!std::regex_search(s, re)) out.push_back({at, "bad_format", "Does not have the expected form."});
    }
    if (auto f = schema.find("format"); f != schema.end()) {
      const auto& format = f->get_ref<const std::string&>();
      bool ok = format == "email"       ? valid_email(s)
                : format == "uri"       ? valid_uri(s)
                : format == "uuid"      ? valid_uuid(s)
                : format == "date-time" ? valid_date_time(s)
                                        : valid_language(s);
      if (!ok) out.push_back({at, "bad_format", "Is not a valid " + format + "."});
    }
  }

  void array_rules(const json& schema, const json& v, const std::string& at, std::vector<field_error>& out) const {
    if (auto m = schema.find("minItems"); m != schema.end() && v.size() < m->get<std::size_t>()) {
      out.push_back({at, "too_few", "Needs at least " + m->dump() + " items."});
    }
    if (auto m = schema.find("maxItems"); m != schema.end() && v.size() > m->get<std::size_t>()) {
      out.push_back({at, "too_many", "Takes at most " + m->dump() + " items."});
      return;  // the items of an array that is too long are not looked at one by one
    }
    if (auto u = schema.find("uniqueItems"); u != schema.end() && u->get<bool>()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (v[i] == v[j]) {
            out.push_back({at + "/" + std::to_string(i), "duplicate", "Repeats item " + std::to_string(j) + "."});
            break;
          }
        }
      }
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < v.size(); ++i) validate(*items, v[i], at + "/" + std::to_string(i), out);
    }
  }

  void object_rules(const json& schema, const json& v, const std::string& at, std::vector<field_error>& out) const {
    static const json empty = json::object();
    const auto props = schema.find("properties");
    const json& properties = props == schema.end() ? empty : *props;
    if (auto r = schema.find("required"); r != schema.end()) {
      for (const auto& name : *r) {
        if (!v.contains(name.get<std::string>())) {
          out.push_back({at + "/" + pointer_escape(name.get<std::string>()), "missing", "This field is required."});
        }
      }
    }
    if (auto m = schema.find("minProperties"); m != schema.end() && v.size() < m->get<std::size_t>()) {
      out.push_back({at, "too_few", "Needs at least " + m->dump() + " entries."});
    }
    if (auto m = schema.find("maxProperties"); m != schema.end() && v.size() > m->get<std::size_t>()) {
      out.push_back({at, "too_many", "Takes at most " + m->dump() + " entries."});
    }
    const auto additional = schema.find("additionalProperties");
    const auto names = schema.find("propertyNames");
    for (const auto& [key, value] : v.items()) {
      const auto where = at + "/" + pointer_escape(key);
      if (names != schema.end()) {
        std::vector<field_error> name_errors;
        validate(*names, json(key), where, name_errors);
        for (auto& e : name_errors) {
          e.code = e.code == "unknown_field" ? e.code : "bad_format";
          e.message = "The name '" + key + "' is not accepted here: " + e.message;
          out.push_back(std::move(e));
        }
      }
      if (auto p = properties.find(key); p != properties.end()) {
        validate(*p, value, where, out);
      } else if (additional != schema.end()) {
        validate(*additional, value, where, out);
      }
    }
  }
};

json_schema::json_schema(nlohmann::json schema) : impl_(std::make_unique<impl>()) {
  impl_->root = std::move(schema);
  impl_->check(impl_->root, "#");
}
json_schema::~json_schema() = default;
json_schema::json_schema(json_schema&&) noexcept = default;
json_schema& json_schema::operator=(json_schema&&) noexcept = default;

std::vector<field_error> json_schema::validate(const nlohmann::json& instance) const {
  std::vector<field_error> errors;
  impl_->validate(impl_->root, instance, "", errors);
  return errors;
}

schema_set::schema_set(const std::vector<std::pair<std::string_view, std::string_view>>& files) {
  for (const auto& [name, text] : files) {
    nlohmann::json parsed;
    try {
      parsed = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(std::string(name) + ": " + e.what());
    }
    try {
      schemas_.emplace(std::string(name), json_schema(std::move(parsed)));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(name) + ": " + e.what());
    }
  }
}

const json_schema& schema_set::at(std::string_view name) const {
  auto it = schemas_.find(name);
  if (it == schemas_.end()) throw std::out_of_range("no schema " + std::string(name));
  return it->second;
}

nlohmann::json parse_json_body(const request& req, const json_schema& schema) {
  auto body = parse_json_body(req);
  auto errors = schema.validate(body);
  if (!errors.empty()) throw problem_error(problems::validation_failed(std::move(errors)));
  return body;
}

}  // namespace casecall::http
