// The search index of the published collection (publish.search): one row per case, for its
// current version, with its facets; and the query over it.
#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <map>
#include <string>
#include <vector>

namespace casecall::publish {

// Makes the row of a newly published version (domain/collection.hpp's public record), replacing
// the case's earlier one. Its document: the title (weight A) and the sections (B) by the case's
// language; each translation by its own language (C); the Chinese and Japanese characters as
// bigrams and single characters.
void index_version(pqxx::work& tx, const std::string& edition_id, const nlohmann::json& record);

// The facets, by the name the API and the site use, and their column.
const std::vector<std::pair<std::string, std::string>>& facet_columns();

struct search_query {
  std::string q;
  std::map<std::string, std::string> filters;  // facet name → value
  int page = 1;
  int per_page = 20;
};

// Matching cases (best first, then the newest), the total, and each facet's values with their
// counts among the matching cases (the other facets' filters applied, not its own).
nlohmann::json search(pqxx::work& tx, const search_query& q);

}  // namespace casecall::publish
