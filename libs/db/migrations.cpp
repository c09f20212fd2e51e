#include "db/migrations.hpp"

#include <openssl/evp.h>

#include <map>

namespace casecall::db {

std::string checksum(std::string_view sql) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(sql.data(), sql.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

int version_of(std::string_view file_name) {
  auto underscore = file_name.find('_');
  bool ok = underscore == 4 && file_name.size() > 9 &&
            file_name.substr(file_name.size() - 4) == ".sql";
  for (std::size_t i = 0; ok && i < 4; ++i) ok = file_name[i] >= '0' && file_name[i] <= '9';
  if (!ok) {
    throw migration_error("migration file name must look like 0001_name.sql: " +
                          std::string(file_name));
  }
  return std::stoi(std::string(file_name.substr(0, 4)));
}

namespace {

struct applied_row {
  std::string file;
  std::string checksum;
};

std::map<int, applied_row> read_history(pqxx::transaction_base& tx, const std::string& schema) {
  std::map<int, applied_row> history;
  auto rows = tx.exec("SELECT version, file, checksum FROM " + tx.quote_name(schema) +
                      ".schema_migrations ORDER BY version");
  for (const auto& row : rows) {
    history[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return history;
}

// Throws for a changed or unknown applied migration; returns how many are pending.
std::size_t check_history(const std::map<int, applied_row>& history, const migration_set& set) {
  std::map<int, const migration*> known;
  for (const auto& m : set.migrations) known[m.version] = &m;
  for (const auto& [version, row] : history) {
    auto it = known.find(version);
    if (it == known.end()) {
      throw migration_error("schema " + set.schema + ": migration " + row.file +
                            " is applied in the database but unknown to this build");
    }
    if (checksum(it->second->sql) != row.checksum) {
      throw migration_error("schema " + set.schema + ": migration " + it->second->file +
                            " was changed after it was applied (checksum differs)");
    }
  }
  std::size_t pending = 0;
  for (const auto& m : set.migrations) {
    if (!history.count(m.version)) ++pending;
  }
  return pending;
}

}  // namespace

std::vector<std::string> apply(pqxx::connection& owner, const migration_set& set,
                               const std::string& service_role, schema_use use) {
  int previous = 0;
  for (const auto& m : set.migrations) {
    if (m.version <= previous) throw migration_error("migrations out of order at " + m.file);
    previous = m.version;
  }
  std::vector<std::string> applied;
  // A session-level advisory lock outlives the transactions below; only one runner per
  // schema gets past this line at a time.
  const std::string lock_key = "casecall.migrations." + set.schema;
  {
    pqxx::nontransaction lock(owner);
    lock.exec_params("SELECT pg_advisory_lock(hashtext($1))", lock_key);
  }
  struct unlock {
    pqxx::connection& c;
    const std::string& key;
    ~unlock() {
      try {
        pqxx::nontransaction release(c);
        release.exec_params("SELECT pg_advisory_unlock(hashtext($1))", key);
      } catch (...) {
        // The lock goes with the session if the connection is gone.
      }
    }
  } release{owner, lock_key};

  const auto schema = owner.quote_name(set.schema);
  const auto role = owner.quote_name(service_role);
  std::map<int, applied_row> history;
  {
    pqxx::work setup(owner);
    setup.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
    setup.exec("CREATE TABLE IF NOT EXISTS " + schema +
               ".schema_migrations (version integer PRIMARY KEY, file text NOT NULL, "
               "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    history = read_history(setup, set.schema);
    setup.commit();
  }
  check_history(history, set);

  for (const auto& m : set.migrations) {
    if (history.count(m.version)) continue;
    try {
      pqxx::work tx(owner);
      tx.exec("SET LOCAL search_path TO " + schema + ", public");
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO " + schema + ".schema_migrations (version, file, checksum) "
                     "VALUES ($1, $2, $3)",
                     m.version, m.file, checksum(m.sql));
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      throw migration_error("schema " + set.schema + ": migration " + m.file + " failed: " +
                            e.what());
    }
    applied.push_back(m.file);
  }

  pqxx::work grants(owner);
  grants.exec("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
  if (use == schema_use::own) {
    grants.exec("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
    grants.exec("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
  } else {
    grants.exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
    grants.exec("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA " + schema + " FROM " + role);
    for (const auto& table : set.append_tables) {
      grants.exec("GRANT INSERT ON " + schema + "." + owner.quote_name(table) + " TO " + role);
    }
    // Appending draws ids from the tables' sequences (bigserial); nothing more.
    if (!set.append_tables.empty()) grants.exec("GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
  }
  grants.exec("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON " + schema + ".schema_migrations FROM " + role);
  grants.commit();
  return applied;
}

void verify(pqxx::connection& c, const migration_set& set) {
  pqxx::read_transaction tx(c);
  auto exists = tx.exec_params1("SELECT to_regclass($1) IS NOT NULL",
                                tx.quote_name(set.schema) + ".schema_migrations")[0].as<bool>();
  if (!exists) {
    throw migration_error("schema " + set.schema +
                          " has no migration history: run the migrations first "
                          "(set CASECALL_DB_OWNER_URL)");
  }
  auto history = read_history(tx, set.schema);
  if (check_history(history, set) > 0) {
    for (const auto& m : set.migrations) {
      if (!history.count(m.version)) {
        throw migration_error("schema " + set.schema + ": migration " + m.file +
                              " is not applied yet (set CASECALL_DB_OWNER_URL to apply it)");
      }
    }
  }
}

}  // namespace casecall::db
