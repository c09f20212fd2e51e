// What every service's main() does: read the configuration, bring the schema up to date (or
// check it is), open the database pool, serve the routes until SIGTERM, drain, exit 0.
#pragma once

#include "db/migrations.hpp"
#include "db/pool.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "service/config.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace casecall::service {

// What a service's handlers are given.
struct context {
  const service_config& config;
  db::pool& db;
  http::metrics& metrics;
  const std::atomic<bool>& draining;
};

struct definition {
  std::string name;  // "intake": schema, API prefix /api/intake/v1, role casecall_intake
  std::uint16_t default_port = 0;
  const db::migration_set& (*migrations)() = nullptr;
  std::function<void(http::router&, context&)> add_routes;
};

// The API prefix of a service: "/api/intake/v1".
std::string api_prefix(const definition& def);

// GET /healthz, /readyz and /metrics at the root and under the API prefix.
void add_system_routes(http::router& routes, const definition& def, context& ctx);

// Exit codes: 0 after a clean drain, 1 when start-up fails (database, migrations, port),
// 2 for a bad configuration or command line.
int run(const definition& def, int argc, char** argv);

}  // namespace casecall::service
