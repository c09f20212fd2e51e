// casecall-intake-testhooks: the intake service with routes that only tests need (a handler
// that throws, a slow handler, a JSON echo with a small body limit). Never shipped: it is
// built from tests/, and the shipped binaries do not contain these routes.
#include "http/json_body.hpp"
#include "intake/service.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace {

namespace http = casecall::http;

void add_test_routes(http::router& routes, casecall::service::context&) {
  const std::string prefix = "/api/intake/v1/_test";
  routes.add({.verb = http::method::get, .pattern = prefix + "/throw", .name = "test.throw",
              .who = http::access::anyone},
             http::sync([](http::request&) -> http::response {
               throw std::runtime_error("secret internal detail: connection string");
             }));

  routes.add({.verb = http::method::get, .pattern = prefix + "/slow", .name = "test.slow",
              .who = http::access::anyone},
             [](http::request& req) -> http::awaitable<http::response> {
               auto ms = std::stoi(req.query_param("ms").value_or("100"));
               boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
               timer.expires_after(std::chrono::milliseconds(ms));
               co_await timer.async_wait(boost::asio::use_awaitable);
               co_return http::response::json({{"slept_ms", ms}});
             });

  routes.add({.verb = http::method::post, .pattern = prefix + "/echo", .name = "test.echo",
              .who = http::access::anyone, .body_limit = 1024},
             http::sync([](http::request& req) {
               return http::response::json({{"echo", http::parse_json_body(req)}});
             }));
}

}  // namespace

int main(int argc, char** argv) {
  auto def = casecall::intake::definition();
  auto service_routes = def.add_routes;
  def.add_routes = [service_routes](http::router& routes, casecall::service::context& ctx) {
    service_routes(routes, ctx);
    add_test_routes(routes, ctx);
  };
  return casecall::service::run(def, argc, argv);
}
