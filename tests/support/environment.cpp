#include "environment.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace casecall::testing {

std::string env_or_fail(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) {
    throw std::runtime_error(std::string(name) + " is not set: run the suite with ./casecall test");
  }
  return value;
}

std::string bin_dir() { return env_or_fail("CASECALL_TEST_BIN_DIR"); }

std::uint16_t pg_port() { return static_cast<std::uint16_t>(std::stoi(env_or_fail("CASECALL_TEST_PG_PORT"))); }

std::string role_url(const std::string& role, const std::string& database, std::uint16_t port) {
  return "postgresql://" + role + "@127.0.0.1:" + std::to_string(port ? port : pg_port()) + "/" + database;
}

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string sha256_hex(const std::string& text) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string base64(const std::string& raw) {
  std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

void admin_exec(const std::string& database, const std::string& sql) {
  pqxx::connection c(role_url("casecall_admin", database));
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

scratch_database::scratch_database() {
  static std::atomic<int> counter{0};
  name_ = "casecall_t" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  admin_exec("postgres", "CREATE DATABASE " + name_ + " OWNER casecall_owner");
  admin_exec(name_,
             "REVOKE ALL ON DATABASE " + name_ + " FROM PUBLIC;"
             "GRANT CONNECT, TEMPORARY ON DATABASE " + name_ +
                 " TO casecall_intake, casecall_review, casecall_publish;"
                 "REVOKE ALL ON SCHEMA public FROM PUBLIC;");
}

scratch_database::~scratch_database() {
  try {
    admin_exec("postgres", "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The cluster goes away with the test run anyway.
  }
}

running_service::running_service(const std::string& binary, const std::string& service,
                                 const std::string& db_name, std::map<std::string, std::string> env,
                                 std::uint16_t pg) {
  env.emplace("CASECALL_HTTP_PORT", "0");
  env.emplace("CASECALL_HTTP_THREADS", "2");
  env.emplace("CASECALL_DB_POOL_SIZE", "2");
  env.emplace("CASECALL_DB_URL", role_url("casecall_" + service, db_name, pg));
  env.emplace("CASECALL_DB_OWNER_URL", role_url("casecall_owner", db_name, pg));
  // Uploads of this database's service in a folder of their own, under the run's scratch.
  if (const char* scratch = std::getenv("CASECALL_TEST_SCRATCH")) {
    env.emplace("CASECALL_UPLOAD_DIR", std::string(scratch) + "/uploads-" + db_name);
  }
  env_ = env;
  process_ = std::make_unique<child_process>(bin_dir() + "/" + binary, std::vector<std::string>{}, env);
  auto line = process_->wait_for_line("\"msg\":\"listening\"", std::chrono::seconds(30));
  if (!line) {
    throw std::runtime_error(binary + " did not start listening; its output:\n" + process_->output());
  }
  port_ = nlohmann::json::parse(*line).at("port").get<std::uint16_t>();
}

}  // namespace casecall::testing
