// Configuration from CASECALL_* environment variables, with defaults that work locally.
// Every value is checked at start; a bad one stops the service with a message naming it.
#pragma once

#include "db/pool.hpp"
#include "http/server.hpp"
#include "log/log.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casecall::service {

class config_error : public std::runtime_error {
 public:
  config_error(std::string variable, const std::string& message)
      : std::runtime_error(variable + ": " + message), variable_(std::move(variable)) {}
  const std::string& variable() const noexcept { return variable_; }

 private:
  std::string variable_;
};

using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

env_lookup process_environment();

// Sessions, tokens and rate limits (libs/identity).
struct auth_config {
  std::string public_url = "http://127.0.0.1:8080";  // where users reach the front door
  bool secure_cookies = false;                        // public_url is https: Secure, __Host-
  std::chrono::seconds session_idle{std::chrono::hours(24)};
  std::chrono::seconds session_lifetime{std::chrono::hours(24 * 14)};
  int login_failures_per_account = 10;
  int login_failures_per_address = 50;
  std::chrono::seconds login_window{15 * 60};
  int resets_per_account = 3;
  int resets_per_address = 20;
  std::chrono::seconds reset_window{60 * 60};
  std::string service_token;  // what this service presents to the others
  std::string review_url = "http://127.0.0.1:8082";  // where intake hands submitted cases
  std::string intake_url = "http://127.0.0.1:8081";  // where review and publish fetch attachments
  // name → lowercase hex SHA-256 of the token that service presents to this one
  std::vector<std::pair<std::string, std::string>> peer_token_hashes;
};

// The outbox sender (libs/mail).
struct mail_config {
  std::string smtp_url;  // smtp://host:port; empty: mails wait in the outbox
  std::string from = "casecall <noreply@casecall.invalid>";
  std::string support_address = "support@casecall.invalid";
  std::chrono::milliseconds retry_base{2'000};
  std::chrono::milliseconds retry_max{std::chrono::hours(1)};
};

// Where uploads go while they arrive and once they are whole, and how long an unfinished one
// is kept.
struct upload_config {
  std::string dir = "uploads";  // partial/ and blobs/ below it
  std::chrono::seconds expiry{72 * 3600};
  std::uint64_t max_bytes = 10ull * 1024 * 1024 * 1024;  // Tus-Max-Size
  std::chrono::milliseconds sweep_interval{60'000};
  // A long PATCH makes its offset durable after this many bytes, but no more often than
  // checkpoint_interval: a crash loses at most the larger of the two.
  std::uint64_t checkpoint_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds checkpoint_interval{1'000};
};

struct service_config {
  http::server_config http;
  db::pool_config db;
  std::string db_owner_url;  // empty: do not migrate, only verify
  log::level log_level = log::level::info;
  auth_config auth;
  mail_config mail;
  upload_config uploads;
};

// One row per variable, for --help, the README and the unknown-variable check.
struct variable_doc {
  std::string_view name;
  std::string_view default_value;  // "{service}" and "{port}" stand for the service's own
  std::string_view meaning;
};
const std::vector<variable_doc>& documented_variables();

// Throws config_error for the first variable with a bad value.
service_config load_config(const env_lookup& env, std::string_view service,
                           std::uint16_t default_port);

// CASECALL_* names in `names` that are not documented (likely typos).
std::vector<std::string> unknown_variables(const std::vector<std::string>& names);

}  // namespace casecall::service
