// casecall-intake-testhooks: the intake service with routes that only tests need (a handler
// that throws, a slow handler, a handler held until a test opens its gate, a JSON echo with a
// small body limit). Never shipped: it is
// built from tests/, and the shipped binaries do not contain these routes.
#include "http/json_body.hpp"
#include "intake/service.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

namespace {

namespace http = casecall::http;

std::mutex gates_mutex;
std::set<std::string> open_gates;

bool gate_open(const std::string& gate) {
  const std::lock_guard lock(gates_mutex);
  return open_gates.count(gate) > 0;
}

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

  // A request held until a test opens its gate (or 30 s pass): work in flight for as long as the
  // test needs it, without guessing at durations.
  routes.add({.verb = http::method::get, .pattern = prefix + "/hold", .name = "test.hold",
              .who = http::access::anyone},
             [](http::request& req) -> http::awaitable<http::response> {
               const auto gate = req.query_param("gate").value_or("");
               boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
               const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
               while (!gate_open(gate) && std::chrono::steady_clock::now() < give_up) {
                 timer.expires_after(std::chrono::milliseconds(2));
                 co_await timer.async_wait(boost::asio::use_awaitable);
               }
               co_return http::response::json({{"gate", gate}, {"opened", gate_open(gate)}});
             });
  // Never shed: it is how a test lets go of held work when the service is at capacity.
  routes.add({.verb = http::method::post, .pattern = prefix + "/open", .name = "test.open",
              .who = http::access::anyone, .body_limit = 1024, .sheddable = false},
             http::sync([](http::request& req) {
               const auto gate = req.query_param("gate").value_or("");
               const std::lock_guard lock(gates_mutex);
               open_gates.insert(gate);
               return http::response::json({{"gate", gate}});
             }));

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
