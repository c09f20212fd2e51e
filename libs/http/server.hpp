// The HTTP/1.1 server every service runs: one io_context on N threads, a strand and a
// coroutine per connection, limits and timeouts on every read, problem+json for every error,
// and a graceful drain on SIGTERM. Beast and Asio stay behind this header.
#pragma once

#include "http/metrics.hpp"
#include "http/router.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace casecall::http {

struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port; see server::port()
  int threads = 1;
  // Longest a request's header may take to arrive, and longest the body may go without a byte.
  std::chrono::milliseconds read_timeout{30'000};
  // Longest a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{75'000};
  // Longest a drain waits for requests in flight before closing their connections.
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::uint32_t header_limit = 16 * 1024;
  std::int64_t max_in_flight = 1024;
  unsigned overload_retry_after_seconds = 1;
  std::vector<std::string> trusted_proxies{"127.0.0.1", "::1"};
  bool access_log = true;
};

class server {
 public:
  // Binds and listens; throws std::system_error when the address cannot be bound and
  // std::invalid_argument for a bad trusted proxy entry. The router must outlive the server.
  server(server_config config, const router& routes, metrics& registry);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  std::uint16_t port() const;

  // Serves until SIGTERM, SIGINT or stop(); then stops accepting, lets requests in flight
  // finish (closing idle keep-alive connections at once) and returns when all are done, or
  // when shutdown_timeout has passed, after which the rest are cut.
  void run();

  // Thread-safe: begins the same drain as SIGTERM.
  void stop();

  // Called once, on a server thread, when the drain begins.
  void on_drain(std::function<void()> hook);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace casecall::http
