// /readyz follows the database: 503 while Postgres is down, 200 again once it is back,
// without restarting the service. This test runs its own cluster, so stopping it touches
// nothing else.
#include "environment.hpp"
#include "http_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

using namespace casecall::testing;
using namespace std::chrono_literals;

namespace {


class own_cluster {
 public:
  own_cluster()
      : base_(env_or_fail("CASECALL_TEST_SCRATCH") + "/readiness-" + std::to_string(::getpid())),
        port_(free_port()) {
    run("init " + base_ + " " + std::to_string(port_));
  }
  ~own_cluster() {
    std::system((script() + " stop " + base_ + " >/dev/null 2>&1; rm -rf " + base_).c_str());
  }
  void stop() { run("stop " + base_); }
  void start() { run("start " + base_ + " " + std::to_string(port_)); }
  std::uint16_t port() const { return port_; }
  std::string pgpass() const { return base_ + "/pgpass"; }

 private:
  static std::string script() { return env_or_fail("CASECALL_TEST_PG_CLUSTER"); }
  void run(const std::string& args) {
    int rc = std::system((script() + " " + args + " >/dev/null").c_str());
    if (rc != 0) throw std::runtime_error("pg-cluster " + args + " failed");
  }
  std::string base_;
  std::uint16_t port_;
};

unsigned readyz(std::uint16_t port) { return http_request(port, "GET", "/api/intake/v1/readyz").status; }

TEST(readiness, readyz_is_503_while_postgres_is_stopped_and_200_once_it_is_back) {
  own_cluster cluster;
  running_service svc("casecall-intake", "intake", "casecall", {{"PGPASSFILE", cluster.pgpass()}},
                      cluster.port());
  ASSERT_EQ(readyz(svc.port()), 200u);

  cluster.stop();
  auto down = http_request(svc.port(), "GET", "/api/intake/v1/readyz");
  EXPECT_EQ(down.status, 503u);
  EXPECT_EQ(down.header("Content-Type"), "application/problem+json");
  auto body = nlohmann::json::parse(down.body);
  EXPECT_EQ(body.at("code"), "not_ready");
  EXPECT_EQ(body.at("checks").at("database"), "unreachable");
  EXPECT_FALSE(down.header("Retry-After").empty());
  EXPECT_EQ(http_request(svc.port(), "GET", "/healthz").status, 200u);  // alive, not ready

  cluster.start();
  // The first query after the restart may find the old connection dead; the pool reconnects.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  unsigned status = 0;
  while ((status = readyz(svc.port())) != 200u && std::chrono::steady_clock::now() < deadline) {
  }
  EXPECT_EQ(status, 200u);
  EXPECT_FALSE(svc.process().wait_exit(0ms)) << "the service restarted";
}

}  // namespace
