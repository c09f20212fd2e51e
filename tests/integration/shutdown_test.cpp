// SIGTERM drains: requests in flight finish, idle connections close, the process exits 0.
#include "environment.hpp"
#include "http_client.hpp"
#include "prometheus.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <thread>

using namespace casecall::testing;
using namespace std::chrono_literals;

namespace {

double in_flight(std::uint16_t port) {
  auto text = http_request(port, "GET", "/metrics").body;
  for (const auto& s : parse_prometheus(text).samples) {
    if (s.name == "casecall_http_requests_in_flight") return s.value - 1;  // minus this scrape
  }
  return -1;
}

void wait_in_flight(std::uint16_t port, double expected) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (in_flight(port) < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(in_flight(port), expected);
}

TEST(graceful_shutdown, sigterm_with_100_requests_in_flight_completes_all_and_exits_0) {
  scratch_database db;
  running_service svc("casecall-intake-testhooks", "intake", db.name());
  std::vector<std::unique_ptr<http_connection>> clients;
  for (int i = 0; i < 100; ++i) {
    clients.push_back(std::make_unique<http_connection>(svc.port()));
    clients.back()->send("GET /api/intake/v1/_test/slow?ms=2000 HTTP/1.1\r\nHost: t\r\n\r\n");
  }
  wait_in_flight(svc.port(), 100);
  svc.process().signal(SIGTERM);
  auto signalled = std::chrono::steady_clock::now();

  int ok = 0;
  for (auto& c : clients) {
    auto res = c->read_response(15s);
    ASSERT_TRUE(res) << "a request in flight was dropped; the service said:\n" << svc.process().output();
    EXPECT_EQ(res->status, 200u);
    EXPECT_EQ(res->header("Connection"), "close");  // draining: no keep-alive
    ok += res->status == 200u;
  }
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(svc.process().wait_exit(15s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 10s);
  EXPECT_TRUE(svc.process().wait_for_line("\"msg\":\"stopped\"", 1s));
}

TEST(graceful_shutdown, idle_keep_alive_connections_do_not_hold_up_the_exit) {
  scratch_database db;
  running_service svc("casecall-intake-testhooks", "intake", db.name(),
                      {{"CASECALL_HTTP_IDLE_TIMEOUT_MS", "600000"}});
  http_connection idle(svc.port());
  idle.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(idle.read_response());
  svc.process().signal(SIGTERM);
  EXPECT_EQ(svc.process().wait_exit(5s), 0);
  EXPECT_TRUE(idle.wait_closed(1s));
}

TEST(graceful_shutdown, requests_still_running_after_the_shutdown_timeout_are_cut) {
  scratch_database db;
  running_service svc("casecall-intake-testhooks", "intake", db.name(),
                      {{"CASECALL_HTTP_SHUTDOWN_TIMEOUT_MS", "300"}});
  http_connection stuck(svc.port());
  stuck.send("GET /api/intake/v1/_test/slow?ms=60000 HTTP/1.1\r\nHost: t\r\n\r\n");
  wait_in_flight(svc.port(), 1);
  svc.process().signal(SIGTERM);
  EXPECT_EQ(svc.process().wait_exit(10s), 0);
  EXPECT_TRUE(stuck.wait_closed(1s));
  EXPECT_TRUE(svc.process().wait_for_line("shutdown timeout", 1s));
}

}  // namespace
