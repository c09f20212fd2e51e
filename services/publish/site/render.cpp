#include "publish/site/render.hpp"

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace casecall::publish::site {

namespace {

using nlohmann::json;

// Blank lines and lines holding only template markers go; the rest of the text stays as written.
constexpr ctemplate::Strip strip_mode = ctemplate::STRIP_BLANK_LINES;
constexpr std::string_view layout_file = "layout.tpl";
constexpr std::string_view template_extension = ".tpl";
const std::string embedded_source = "(built in)";

struct loaded_templates {
  ctemplate::TemplateCache cache;
  std::set<std::string, std::less<>> pages;  // file stems, "layout" excepted
};

std::mutex load_mutex;
std::unique_ptr<loaded_templates> loaded_storage;  // written once, under load_mutex
std::string loaded_dir;                            // likewise
std::atomic<loaded_templates*> loaded{nullptr};

std::string variable_name(std::string_view key) {
  std::string name;
  name.reserve(key.size());
  for (const char c : key) {
    if (c >= 'a' && c <= 'z')
      name += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
      name += c;
    else
      name += '_';
  }
  return name;
}

void fill(ctemplate::TemplateDictionary& dict, const std::string& name, const json& value);

void fill_members(ctemplate::TemplateDictionary& dict, const std::string& prefix, const json& object) {
  for (const auto& [key, member] : object.items()) fill(dict, prefix + variable_name(key), member);
}

void set_scalar(ctemplate::TemplateDictionary& dict, const std::string& name, const std::string& text) {
  dict.SetValue(name, text);
  if (!text.empty()) dict.ShowSection(name);
}

// The mapping documented in render.hpp.
void fill(ctemplate::TemplateDictionary& dict, const std::string& name, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
    case json::value_t::binary:
      return;
    case json::value_t::boolean:
      dict.ShowSection(value.get<bool>() ? name : "NOT_" + name);
      return;
    case json::value_t::string:
      set_scalar(dict, name, value.get_ref<const std::string&>());
      return;
    case json::value_t::number_integer:
      set_scalar(dict, name, std::to_string(value.get<std::int64_t>()));
      return;
    case json::value_t::number_unsigned:
      set_scalar(dict, name, std::to_string(value.get<std::uint64_t>()));
      return;
    case json::value_t::number_float:
      set_scalar(dict, name, value.dump());
      return;
    case json::value_t::object:
      dict.ShowSection(name);
      fill_members(dict, name + "_", value);
      return;
    case json::value_t::array:
      if (value.empty()) return;
      dict.ShowSection("HAS_" + name);
      for (const auto& item : value) {
        auto* section = dict.AddSectionDictionary(name);
        if (item.is_object())
          fill_members(*section, "", item);
        else
          fill(*section, "VALUE", item);
      }
      return;
  }
}

// Serialised JSON with "<", ">", "&", U+2028 and U+2029 as \u escapes. In valid JSON these
// characters only occur inside strings, where the escape means the same character, so applying
// this to JSON text (even twice) leaves the same JSON.
std::string escape_for_script(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void fill_view(ctemplate::TemplateDictionary& dict, const std::string& page, const json& view) {
  for (const auto& [key, value] : view.items()) {
    if (key == "json_ld") continue;
    fill(dict, variable_name(key), value);
  }
  // The one value emitted raw ({{JSON_LD:none}} in the layout): escaped here whatever the
  // caller passed, so no string can end the script element.
  if (const auto it = view.find("json_ld"); it != view.end() && !it->is_null()) {
    set_scalar(dict, "JSON_LD", it->is_string() ? escape_for_script(it->get_ref<const std::string&>()) : json_ld(*it));
  }
  dict.SetValue("PAGE_NAME", page);
  const std::pair<const char*, const char*> default_urls[] = {
      {"home_url", "/"}, {"editions_url", "/editions"}, {"search_url", "/search"}};
  for (const auto& [key, url] : default_urls) {
    if (!view.contains(key)) set_scalar(dict, variable_name(key), url);
  }
}

}  // namespace

void load_templates(const std::string& dir) {
  const std::lock_guard lock{load_mutex};
  if (loaded_storage) {
    if (dir == loaded_dir) return;
    throw std::runtime_error("site templates: already loaded from " + loaded_dir + ", not from " + dir);
  }

  auto templates = std::make_unique<loaded_templates>();
  if (!templates->cache.SetTemplateRootDirectory(dir))
    throw std::runtime_error("site templates: cannot use folder " + dir);

  std::error_code error;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const auto file = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == template_extension) files.push_back(file);
  }
  if (error) throw std::runtime_error("site templates: cannot read folder " + dir + ": " + error.message());
  if (std::find(files.begin(), files.end(), layout_file) == files.end())
    throw std::runtime_error("site templates: no " + std::string(layout_file) + " in " + dir);

  for (const auto& file : files) {
    if (!templates->cache.LoadTemplate(file, strip_mode))
      throw std::runtime_error("site templates: " + file + " in " + dir + " does not load (see the log)");
    if (file != layout_file) templates->pages.insert(file.substr(0, file.size() - template_extension.size()));
  }
  templates->cache.Freeze();  // never reread from disk: what was checked here is what is served

  loaded_storage = std::move(templates);
  loaded_dir = dir;
  loaded.store(loaded_storage.get(), std::memory_order_release);
}

void load_templates(const std::vector<std::pair<std::string_view, std::string_view>>& files) {
  const std::lock_guard lock{load_mutex};
  if (loaded_storage) {
    if (loaded_dir == embedded_source) return;
    throw std::runtime_error("site templates: already loaded from " + loaded_dir);
  }
  auto templates = std::make_unique<loaded_templates>();
  bool layout = false;
  for (const auto& [name, text] : files) {
    const std::string file(name);
    if (file.size() <= template_extension.size() ||
        file.compare(file.size() - template_extension.size(), template_extension.size(), template_extension) != 0) {
      continue;
    }
    if (!templates->cache.StringToTemplateCache(file, std::string(text), strip_mode)) {
      throw std::runtime_error("site templates: " + file + " does not load (see the log)");
    }
    if (file == layout_file) {
      layout = true;
    } else {
      templates->pages.insert(file.substr(0, file.size() - template_extension.size()));
    }
  }
  if (!layout) throw std::runtime_error("site templates: no " + std::string(layout_file));
  templates->cache.Freeze();
  loaded_storage = std::move(templates);
  loaded_dir = embedded_source;
  loaded.store(loaded_storage.get(), std::memory_order_release);
}

std::string render_page(const std::string& name, const nlohmann::json& view) {
  auto* templates = loaded.load(std::memory_order_acquire);
  if (templates == nullptr) throw std::runtime_error("site templates: render_page before load_templates");
  if (!templates->pages.contains(name)) throw std::runtime_error("site templates: no page template " + name);
  if (!view.is_object()) throw std::runtime_error("site templates: the view of " + name + " is not an object");

  ctemplate::TemplateDictionary dict("page");
  fill_view(dict, name, view);
  // An included template does not inherit its includer's values, so the page gets the view too.
  auto* content = dict.AddIncludeDictionary("PAGE_CONTENT");
  content->SetFilename(name + std::string(template_extension));
  fill_view(*content, name, view);

  std::string html;
  if (!templates->cache.ExpandWithData(std::string(layout_file), strip_mode, &dict, nullptr, &html))
    throw std::runtime_error("site templates: cannot expand page " + name);
  return html;
}

std::string render_document(const std::string& name, const nlohmann::json& view) {
  auto* templates = loaded.load(std::memory_order_acquire);
  if (templates == nullptr) throw std::runtime_error("site templates: render_document before load_templates");
  if (!templates->pages.contains(name)) throw std::runtime_error("site templates: no template " + name);
  if (!view.is_object()) throw std::runtime_error("site templates: the view of " + name + " is not an object");
  ctemplate::TemplateDictionary dict("document");
  fill_view(dict, name, view);
  std::string html;
  if (!templates->cache.ExpandWithData(name + std::string(template_extension), strip_mode, &dict, nullptr, &html)) {
    throw std::runtime_error("site templates: cannot expand " + name);
  }
  return html;
}

std::string json_ld(const nlohmann::json& value) {
  return escape_for_script(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace casecall::publish::site
