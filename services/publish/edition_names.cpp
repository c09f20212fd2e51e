#include "publish/edition_names.hpp"

#include "publish/domain/collection.hpp"

namespace casecall::publish {

using json = nlohmann::json;

std::optional<std::string> edition_names::theme(const std::string& id, const std::string& lang) const {
  const auto& names = vocabulary["theme"].value(id, json::object());
  if (!names.is_object() || names.empty()) return std::nullopt;
  return collection::in_language(names, lang);
}

void edition_names::add_vocabulary(const json& edition_vocabulary) {
  if (!edition_vocabulary.is_object()) return;
  for (const auto& [kind, terms] : edition_vocabulary.items()) {
    if (!vocabulary.contains(kind) || !terms.is_object()) continue;
    for (const auto& [id, names] : terms.items()) vocabulary[kind][id] = names;
  }
}

edition_names load_edition_names(pqxx::work& tx) {
  edition_names out;
  for (const auto& row : tx.exec("SELECT slug, title::text, vocabulary::text FROM publish.editions ORDER BY created_at, slug")) {
    out.titles[row[0].as<std::string>()] = json::parse(row[1].c_str());
    out.add_vocabulary(json::parse(row[2].c_str()));
  }
  return out;
}

}  // namespace casecall::publish
