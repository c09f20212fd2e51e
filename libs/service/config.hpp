// Configuration from CASECALL_* environment variables, with defaults that work locally.
// Every value is checked at start; a bad one stops the service with a message naming it.
#pragma once

#include "db/pool.hpp"
#include "http/server.hpp"
#include "log/log.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

struct service_config {
  http::server_config http;
  db::pool_config db;
  std::string db_owner_url;  // empty: do not migrate, only verify
  log::level log_level = log::level::info;
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
