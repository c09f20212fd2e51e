// What the editions call things: their titles, and their calls' names for themes and regions
// (publish.editions.vocabulary), for the site, the feeds and OAI-PMH.
#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <string>

namespace casecall::publish {

struct edition_names {
  // {"theme": {id: {lang: name}}, "region": {…}}: every edition's, a later edition's name for
  // an id taking the place of an earlier one's.
  nlohmann::json vocabulary = {{"theme", nlohmann::json::object()}, {"region", nlohmann::json::object()}};
  std::map<std::string, nlohmann::json> titles;  // slug → title by language

  // Adds an edition's vocabulary ({"theme": {id: names}, "region": {…}}), its names taking the
  // place of those already known for the same ids; other kinds are ignored.
  void add_vocabulary(const nlohmann::json& edition_vocabulary);

  // A theme's name in a language (the call's in that language, else in English, else any),
  // or none when no call named it.
  std::optional<std::string> theme(const std::string& id, const std::string& lang) const;
};

// Every edition's (a handful of rows).
edition_names load_edition_names(pqxx::work& tx);

}  // namespace casecall::publish
