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
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace casecall::service {

// What a service's handlers are given.
struct context {
  const service_config& config;
  db::pool& db;
  http::metrics& metrics;
  const std::atomic<bool>& draining;
};

// A schema that libs/ code owns (audit, identity, mail) and a service uses.
struct shared_schema {
  const db::migration_set& (*migrations)() = nullptr;
  db::schema_use use = db::schema_use::own;
};

struct definition {
  std::string name;  // "intake": schema, API prefix /api/intake/v1, role casecall_intake
  std::uint16_t default_port = 0;
  const db::migration_set& (*migrations)() = nullptr;
  std::vector<shared_schema> shared_schemas{};  // brought up to date before the service's own
  std::function<void(http::router&, context&)> add_routes;
  // Work beside the HTTP server (e.g. the mail sender), started once the schema is ready;
  // the returned object's destruction stops it, before the database pool stops.
  std::function<std::shared_ptr<void>(context&)> background{};
  // Subcommands (`casecall-intake create-admin ...`): run once the schema is ready; the
  // return value is the exit code.
  std::map<std::string, std::function<int(context&, const std::vector<std::string>&)>, std::less<>> commands{};
};

// The API prefix of a service: "/api/intake/v1".
std::string api_prefix(const definition& def);

// GET /healthz, /readyz and /metrics at the root and under the API prefix.
void add_system_routes(http::router& routes, const definition& def, context& ctx);

// Exit codes: 0 after a clean drain, 1 when start-up fails (database, migrations, port),
// 2 for a bad configuration or command line.
int run(const definition& def, int argc, char** argv);

}  // namespace casecall::service
