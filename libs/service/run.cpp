#include "service/run.hpp"

#include "http/server.hpp"
#include "log/log.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>

extern char** environ;

namespace casecall::service {

namespace {

void print_help(const definition& def) {
  std::printf("casecall-%s %s: the %s service.\n\n", def.name.c_str(), CASECALL_VERSION,
              def.name.c_str());
  std::printf("Usage: casecall-%s [--routes | --help | --version]\n", def.name.c_str());
  for (const auto& [name, fn] : def.commands) {
    std::printf("       casecall-%s %s ...\n", def.name.c_str(), name.c_str());
  }
  std::printf("\n  --routes   print the route table as JSON and exit\n\n");
  std::printf("Configuration (environment):\n");
  for (const auto& v : documented_variables()) {
    std::string fallback(v.default_value);
    if (auto at = fallback.find("{service}"); at != std::string::npos) fallback.replace(at, 9, def.name);
    if (fallback == "{port}") fallback = std::to_string(def.default_port);
    std::printf("  %-38s %s (default: %s)\n", std::string(v.name).c_str(),
                std::string(v.meaning).c_str(), fallback.c_str());
  }
}

nlohmann::json route_table(const http::router& routes) {
  auto table = nlohmann::json::array();
  for (const auto& r : routes.routes()) {
    table.push_back({{"method", http::to_string(r.spec.verb)},
                     {"path", r.spec.pattern},
                     {"name", r.spec.name},
                     {"access", http::to_string(r.spec.who)},
                     {"body_limit", r.spec.body_limit}});
  }
  return table;
}

std::vector<std::string> environment_names() {
  std::vector<std::string> names;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    names.emplace_back(*e, eq ? static_cast<std::size_t>(eq - *e) : std::strlen(*e));
  }
  return names;
}

void register_pool_metrics(http::metrics& registry, db::pool& pool) {
  registry.add_collector([&pool](http::exposition& out) {
    auto s = pool.stats();
    out.family("casecall_db_pool_connections", "gauge", "Database connections by state.");
    out.sample("casecall_db_pool_connections", {{"state", "configured"}}, s.size);
    out.sample("casecall_db_pool_connections", {{"state", "open"}}, s.connected);
    out.sample("casecall_db_pool_connections", {{"state", "busy"}}, s.busy);
    out.family("casecall_db_pool_queue_length", "gauge", "Database jobs waiting for a connection.");
    out.sample("casecall_db_pool_queue_length", {}, static_cast<double>(s.queued));
    out.family("casecall_db_jobs_total", "counter", "Database jobs run.");
    out.sample("casecall_db_jobs_total", {}, static_cast<double>(s.jobs_total));
    out.family("casecall_db_jobs_rejected_total", "counter", "Database jobs refused: queue full.");
    out.sample("casecall_db_jobs_rejected_total", {}, static_cast<double>(s.rejected_total));
    out.family("casecall_db_connects_total", "counter", "Connection attempts, by outcome.");
    out.sample("casecall_db_connects_total", {{"outcome", "attempted"}}, static_cast<double>(s.connects_total));
    out.sample("casecall_db_connects_total", {{"outcome", "failed"}}, static_cast<double>(s.connect_failures_total));
    out.family("casecall_db_connections_lost_total", "counter", "Open connections found broken.");
    out.sample("casecall_db_connections_lost_total", {}, static_cast<double>(s.connections_lost_total));
  });
}

// Applies pending migrations when an owner URL is configured, then checks, as the service's
// own role, that the schema is exactly what this build expects.
void prepare_schema(const definition& def, const service_config& cfg) {
  std::vector<shared_schema> schemas = def.shared_schemas;
  schemas.push_back({def.migrations, db::schema_use::own});
  pqxx::connection own(db::effective_url(cfg.db));
  if (!cfg.db_owner_url.empty()) {
    std::string role = pqxx::nontransaction(own).exec1("SELECT current_user")[0].as<std::string>();
    db::pool_config owner_cfg = cfg.db;
    owner_cfg.url = cfg.db_owner_url;
    pqxx::connection owner(db::effective_url(owner_cfg));
    for (const auto& schema : schemas) {
      const auto& set = schema.migrations();
      auto applied = db::apply(owner, set, role, schema.use);
      log::info("migrations", {{"schema", set.schema}, {"applied", applied}});
    }
  }
  for (const auto& schema : schemas) db::verify(own, schema.migrations());
}

}  // namespace

int run(const definition& def, int argc, char** argv) {
  bool print_routes = false;
  const decltype(def.commands)::value_type* command = nullptr;
  std::vector<std::string> command_args;
  if (argc > 1) {
    if (auto it = def.commands.find(std::string_view(argv[1])); it != def.commands.end()) {
      command = &*it;
      command_args.assign(argv + 2, argv + argc);
      argc = 1;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_help(def);
      return 0;
    }
    if (arg == "--version") {
      std::printf("casecall-%s %s\n", def.name.c_str(), CASECALL_VERSION);
      return 0;
    }
    if (arg == "--routes") {
      print_routes = true;
      continue;
    }
    std::fprintf(stderr, "casecall-%s: unknown argument '%s' (try --help)\n", def.name.c_str(), argv[i]);
    return 2;
  }

  service_config cfg;
  try {
    cfg = load_config(process_environment(), def.name, def.default_port);
  } catch (const config_error& e) {
    std::fprintf(stderr, "casecall-%s: bad configuration: %s\n", def.name.c_str(), e.what());
    return 2;
  }

  db::pool pool(cfg.db);
  http::metrics registry;
  std::atomic<bool> draining{false};
  context ctx{cfg, pool, registry, draining};
  http::router routes;
  add_system_routes(routes, def, ctx);
  if (def.add_routes) def.add_routes(routes, ctx);

  if (print_routes) {
    std::cout << route_table(routes).dump(2) << '\n';
    return 0;
  }

  // A subcommand prints its result on stdout: only warnings and errors join it there.
  log::init({.service = def.name, .min_level = command ? std::max(cfg.log_level, log::level::warn) : cfg.log_level});
  struct flush_logs {
    ~flush_logs() { log::shutdown(); }
  } flush_at_exit;

  for (const auto& name : unknown_variables(environment_names())) {
    log::warn("unknown configuration variable ignored", {{"variable", name}});
  }

  try {
    prepare_schema(def, cfg);
  } catch (const db::migration_error& e) {
    log::error("schema check failed: refusing to start", {{"error", e.what()}});
    return 1;
  } catch (const std::exception& e) {
    log::error("database unreachable at start", {{"error", e.what()}});
    return 1;
  }

  if (command) {
    int code = 1;
    try {
      code = command->second(ctx, command_args);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "casecall-%s %s: %s\n", def.name.c_str(), command->first.c_str(), e.what());
    }
    pool.stop();
    return code;
  }

  register_pool_metrics(registry, pool);
  try {
    std::shared_ptr<void> background;
    if (def.background) background = def.background(ctx);
    http::server srv(cfg.http, routes, registry);
    srv.on_drain([&draining] { draining.store(true); });
    log::info("listening", {{"host", cfg.http.host},
                            {"port", srv.port()},
                            {"threads", cfg.http.threads},
                            {"version", CASECALL_VERSION}});
    srv.run();
    background.reset();
    // Before the server (and its io_context) goes: database jobs still running complete
    // into it, never into a destroyed one.
    pool.stop();
  } catch (const std::exception& e) {
    log::error("server failed", {{"error", e.what()}});
    return 1;
  }
  return 0;
}

}  // namespace casecall::service
