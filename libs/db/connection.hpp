// A pooled connection as a job sees it: the libpqxx 6.4 connection, and named statements
// prepared on it lazily, the first time a job on this connection uses them.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <unordered_set>
#include <utility>

namespace casecall::db {

// A named SQL statement; store/ files declare these as constants beside their row mapping.
struct query {
  const char* name;
  const char* sql;
};

class connection {
 public:
  explicit connection(pqxx::connection& raw) : raw_(raw) {}

  pqxx::connection& raw() { return raw_; }

  // Runs a named statement in `tx`, preparing it on this connection first if need be.
  template <class... Args>
  pqxx::result exec(pqxx::transaction_base& tx, const query& q, Args&&... args) {
    if (prepared_.insert(q.name).second) raw_.prepare(q.name, q.sql);
    return tx.exec_prepared(q.name, std::forward<Args>(args)...);
  }

 private:
  pqxx::connection& raw_;
  std::unordered_set<std::string> prepared_;
};

}  // namespace casecall::db
