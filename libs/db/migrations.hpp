// Schema history: each service's migrations/NNNN_name.sql, embedded in its binary at build
// time, applied in order into the service's own schema by the owner role, and recorded with
// their SHA-256 in <schema>.schema_migrations. A service refuses to start when the files it
// carries and the history in the database disagree.
#pragma once

#include <pqxx/pqxx>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::db {

struct migration {
  int version = 0;
  std::string file;  // "0001_schema.sql"
  std::string sql;
};

struct migration_set {
  std::string schema;
  std::vector<migration> migrations;  // ascending versions
  // Tables a role that only appends (schema_use::append) may INSERT into.
  std::vector<std::string> append_tables{};
};

// What a service role may do in a schema.
enum class schema_use {
  own,     // read and write every table (the history excepted)
  append,  // read every table; insert into the set's append_tables; never update or delete
};

class migration_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Lowercase hex SHA-256 of the file's text.
std::string checksum(std::string_view sql);

// Parses "0001_schema.sql" into its version; throws migration_error for any other form.
int version_of(std::string_view file_name);

// As the owner role: takes an advisory lock (so replicas may start together), creates the
// schema and its history table, checks the history (verify's rules, pending allowed), applies
// each pending migration in its own transaction, and grants `service_role` use of the schema
// and the rights `use` names on its tables, never write access to the history. Returns the
// files applied.
std::vector<std::string> apply(pqxx::connection& owner, const migration_set& set,
                               const std::string& service_role, schema_use use = schema_use::own);

// As any role that can read the history: throws migration_error naming the first file that
// was applied with another checksum, is applied but unknown to this build, or is pending.
void verify(pqxx::connection& c, const migration_set& set);

}  // namespace casecall::db
