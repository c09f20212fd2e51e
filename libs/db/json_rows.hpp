// Rows whose first column is a JSON text (what `SELECT schema.thing_json(t)::text` gives), as
// JSON: the way every list endpoint reads its items.
#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace casecall::db {

// The first column of each row, parsed, as a JSON array.
inline nlohmann::json json_items(const pqxx::result& rows) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : rows) items.push_back(nlohmann::json::parse(r[0].c_str()));
  return items;
}

}  // namespace casecall::db
