#include "db/await.hpp"
#include "http/problem.hpp"
#include "service/run.hpp"

namespace casecall::service {

std::string api_prefix(const definition& def) { return "/api/" + def.name + "/v1"; }

void add_system_routes(http::router& routes, const definition& def, context& ctx) {
  // Answered on the service's own port and under its API prefix; the front door never
  // forwards the root ones, nor /metrics (see deploy/nginx).
  for (const std::string& prefix : {std::string(), api_prefix(def)}) {
    const std::string scope = prefix.empty() ? "root" : "api";
    routes.add({.verb = http::method::get,
                .pattern = prefix + "/healthz",
                .name = def.name + "." + scope + ".healthz",
                .who = http::access::anyone,
                .body_limit = 0,
                .sheddable = false},
               // The answer never changes: serialised once, copied per request. (No
               // Cache-Control: a liveness answer carries no validator and no freshness, so
               // no cache keeps it; readyz, whose answer changes, says no-store.)
               http::sync([healthy = http::response::json({{"status", "ok"},
                                                           {"service", def.name},
                                                           {"version", CASECALL_VERSION}})](
                              http::request&) { return healthy; }));

    routes.add({.verb = http::method::get,
                .pattern = prefix + "/readyz",
                .name = def.name + "." + scope + ".readyz",
                .who = http::access::anyone,
                .body_limit = 0,
                .sheddable = false},
               [&ctx, name = def.name](http::request& req) -> http::awaitable<http::response> {
                 if (ctx.draining.load()) {
                   auto p = http::problems::unavailable("draining", "The service is shutting down.", 1);
                   p.extensions["checks"] = {{"database", "not_checked"}};
                   co_return p.to_response(req.request_id);
                 }
                 std::string database = "ok";
                 try {
                   co_await db::run(ctx.db, [](db::connection& c) {
                     pqxx::nontransaction probe(c.raw());
                     probe.exec("SELECT 1");
                   });
                 } catch (const std::exception&) {
                   database = "unreachable";
                 }
                 if (database != "ok") {
                   auto p = http::problems::unavailable(
                       "not_ready", "A dependency of the service is not reachable.", 2);
                   p.extensions["checks"] = {{"database", database}};
                   co_return p.to_response(req.request_id);
                 }
                 auto res = http::response::json(
                     {{"status", "ready"}, {"service", name}, {"checks", {{"database", "ok"}}}});
                 res.set_header("Cache-Control", "no-store");
                 co_return res;
               });

    routes.add({.verb = http::method::get,
                .pattern = prefix + "/metrics",
                .name = def.name + "." + scope + ".metrics",
                .who = http::access::anyone,
                .body_limit = 0,
                .sheddable = false},
               http::sync([&ctx](http::request&) {
                 auto res = http::response::text(ctx.metrics.render(),
                                                 "text/plain; version=0.0.4; charset=utf-8");
                 res.set_header("Cache-Control", "no-store");
                 return res;
               }));
  }
}

}  // namespace casecall::service
