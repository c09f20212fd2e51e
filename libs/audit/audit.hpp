// The audit log (schema `audit`, see migrations/0001_chain.sql and 0002_seal.sql): every
// state change and every refusal worth knowing about, appended in the same transaction as
// the change it records, one hash chain per stream. An append waits for no one: the row is
// chained ("sealed") after its commit, by the sealer every service runs in the background
// (start_sealer) or by seal(). verify() walks the chains and names the first row that does not
// hold.
#pragma once

#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "db/pool.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace casecall::audit {

const db::migration_set& migrations();

struct event {
  std::string stream;                    // "intake"; later per call: "review:call:<id>"
  std::string actor_kind = "anonymous";  // user, api_token, service, anonymous, system
  std::string actor_id;                  // user id, token id or service name; empty: none
  std::string action;                    // "identity.login", "identity.login_failed", ...
  std::string object_type;               // "user", "organisation", ...; empty: none
  std::string object_id;
  std::string request_id;
  std::string client_address;
  std::optional<nlohmann::json> before;  // stored as a digest only
  std::optional<nlohmann::json> after;
  nlohmann::json detail = nlohmann::json::object();  // small, never secrets
};

// Lowercase hex SHA-256 of the JSON value's compact serialisation (object keys sorted).
std::string digest(const nlohmann::json& value);

// Appends the event in `tx`; it is committed, or rolled back, with the change it records.
void record(db::connection& c, pqxx::transaction_base& tx, const event& e);

struct broken_row {
  std::string stream;
  std::int64_t seq = 0;
  std::string reason;
};

struct verification {
  std::int64_t rows = 0;
  std::int64_t unsealed = 0;  // committed rows not chained yet, outside what was checked
  std::vector<std::string> streams;
  std::optional<broken_row> first_broken;  // by stream name, then seq
  nlohmann::json to_json() const;
};

// Reads every stream in order and recomputes each hash. Needs SELECT on the schema only.
verification verify(pqxx::connection& c);

// Chains every committed unsealed row of every stream, in its own transaction; returns how
// many. Verification seals first, so that it covers everything committed until then.
std::int64_t seal(pqxx::connection& c);

// A thread of its own that seals every `interval` (and on until nothing is left); the
// returned object's destruction stops it. Replicas share the work: a stream another session
// is sealing is skipped.
std::shared_ptr<void> start_sealer(const db::pool_config& db,
                                   std::chrono::milliseconds interval = std::chrono::milliseconds(500));

}  // namespace casecall::audit
