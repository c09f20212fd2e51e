// What ./casecall test provides to integration tests: where the binaries are, and the
// throwaway Postgres cluster (superuser casecall_admin; passwords through PGPASSFILE).
#pragma once

#include "process.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace casecall::testing {

std::string env_or_fail(const char* name);
std::string bin_dir();
std::uint16_t pg_port();
std::string role_url(const std::string& role, const std::string& database,
                     std::uint16_t port = 0 /* 0: the suite's cluster */);

// A fresh database on the suite's cluster, laid out as pg-cluster lays out `casecall`
// (owned by casecall_owner, the service roles may connect); dropped at the end.
class scratch_database {
 public:
  scratch_database();
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  const std::string& name() const { return name_; }
  std::string url(const std::string& role) const { return role_url(role, name_); }

 private:
  std::string name_;
};

// A TCP port on 127.0.0.1 that nothing listens on (free when asked; the caller binds it soon).
std::uint16_t free_port();

// Lowercase hex SHA-256 of the text.
std::string sha256_hex(const std::string& text);
// Standard base64 with padding (as in tus Upload-Metadata and Upload-Checksum).
std::string base64(const std::string& raw);

// Runs `sql` as the cluster's superuser in `database`.
void admin_exec(const std::string& database, const std::string& sql);

// A service binary (a shipped one, or a test build with test hooks) on a free port,
// pointed at a database; ready once it has logged "listening".
class running_service {
 public:
  running_service(const std::string& binary, const std::string& service, const std::string& db_name,
                  std::map<std::string, std::string> env = {}, std::uint16_t pg = 0);

  std::uint16_t port() const { return port_; }
  child_process& process() { return *process_; }
  // The environment it was started with, defaults included.
  const std::map<std::string, std::string>& env() const { return env_; }

 private:
  std::map<std::string, std::string> env_;
  std::unique_ptr<child_process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace casecall::testing
