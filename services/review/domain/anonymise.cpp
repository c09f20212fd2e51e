#include "review/domain/anonymise.hpp"

#include <algorithm>
#include <functional>
#include <regex>

namespace casecall::review::domain {

using json = nlohmann::json;

namespace {

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(const std::string& s) {
  std::string out = s;
  std::transform(out.begin(), out.end(), out.begin(), lower_ascii);
  return out;
}

// Every occurrence of each text (longest first, so that "Milpa Social Finance" goes before
// "Milpa"), ignoring ASCII case.
std::string scrub(const std::string& value, const std::vector<std::string>& texts) {
  static const std::regex email(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)");
  std::string out = std::regex_replace(value, email, withheld);
  for (const auto& text : texts) {
    const auto needle = lowered(text);
    std::string hay = lowered(out);
    std::size_t at = hay.find(needle);
    if (at == std::string::npos) continue;
    std::string next;
    std::size_t from = 0;
    while (at != std::string::npos) {
      next.append(out, from, at - from);
      next.append(withheld);
      from = at + needle.size();
      at = hay.find(needle, from);
    }
    next.append(out, from, std::string::npos);
    out = std::move(next);
  }
  return out;
}

json scrub_all(const json& value, const std::vector<std::string>& texts) {
  if (value.is_string()) return scrub(value.get<std::string>(), texts);
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(scrub_all(v, texts));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items()) out[k] = scrub_all(v, texts);
    return out;
  }
  return value;
}

}  // namespace

std::vector<std::string> identifying_texts(const json& content, const std::vector<std::string>& organisation_texts) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& t) {
    // Trimmed; short texts ("A", "FA") would scrub ordinary words.
    auto start = t.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return;
    auto end = t.find_last_not_of(" \t\r\n");
    auto s = t.substr(start, end - start + 1);
    if (s.size() >= 3) out.push_back(s);
  };
  for (const auto& t : organisation_texts) add(t);
  for (const char* list : {"co_authors", "contacts"}) {
    if (!content.contains(list) || !content[list].is_array()) continue;
    for (const auto& person : content[list]) {
      if (!person.is_object()) continue;
      for (const char* key : {"name", "email", "organisation", "phone"}) {
        if (person.contains(key) && person[key].is_string()) add(person[key].get<std::string>());
      }
    }
  }
  // The domain of every e-mail address in the case (in its people or anywhere in its text)
  // names the organisation as surely as the address: "https://milpa.example.org/case".
  static const std::regex email(R"([A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+))");
  std::function<void(const json&)> domains = [&](const json& v) {
    if (v.is_string()) {
      const auto& text = v.get_ref<const std::string&>();
      for (std::sregex_iterator it(text.begin(), text.end(), email), end; it != end; ++it) add((*it)[1].str());
    } else if (v.is_structured()) {
      for (const auto& item : v) domains(item);
    }
  };
  domains(content);
  for (const auto& t : organisation_texts) domains(json(t));
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

json anonymise(const json& content, const std::vector<std::string>& organisation_texts) {
  const auto texts = identifying_texts(content, organisation_texts);
  json out = json::object();
  for (const auto& [key, value] : content.items()) {
    if (key == "co_authors" || key == "contacts" || key == "organisation_id") continue;
    if (key == "attachments" && value.is_array()) {
      json files = json::array();
      for (const auto& a : value) {
        json kept = json::object();
        for (const char* k : {"id", "kind", "media_type", "size", "sha256"}) {
          if (a.contains(k)) kept[k] = a[k];
        }
        files.push_back(std::move(kept));
      }
      out[key] = std::move(files);
      continue;
    }
    out[key] = scrub_all(value, texts);
  }
  return out;
}

}  // namespace casecall::review::domain
