// The HTTP core as a client sees it, against the real intake binary (with test routes) on a
// real Postgres: limits, timeouts, errors as problem+json, keep-alive, load shedding, metrics.
#include "environment.hpp"
#include "http_client.hpp"
#include "prometheus.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <thread>

using namespace casecall::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string api = "/api/intake/v1";

class http_server : public ::testing::Test {
 protected:
  scratch_database db;
  running_service svc{"casecall-intake-testhooks", "intake", db.name(),
                      {{"CASECALL_HTTP_READ_TIMEOUT_MS", "1000"}, {"CASECALL_HTTP_MAX_IN_FLIGHT", "4"}}};

  http_response get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return http_request(svc.port(), "GET", target, headers);
  }

  static void expect_problem(const http_response& res, unsigned status, const std::string& code) {
    EXPECT_EQ(res.status, status);
    EXPECT_EQ(res.header("Content-Type"), "application/problem+json");
    auto body = json::parse(res.body);
    EXPECT_EQ(body.at("status"), status);
    EXPECT_EQ(body.at("code"), code);
    EXPECT_EQ(body.at("type"), "urn:casecall:problem:" + code);
    EXPECT_FALSE(body.at("title").get<std::string>().empty());
    EXPECT_EQ(body.at("request_id"), res.header("X-Request-Id"));
  }

  std::string raw_get(const std::string& target, const std::string& extra = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
  }

  double in_flight() {
    auto text = get("/metrics").body;
    for (const auto& s : parse_prometheus(text).samples) {
      if (s.name == "casecall_http_requests_in_flight") return s.value - 1;  // minus this scrape
    }
    return -1;
  }
};

TEST_F(http_server, healthz_answers_json_on_the_root_and_under_the_api_prefix) {
  for (const auto& path : {std::string("/healthz"), api + "/healthz"}) {
    auto res = get(path);
    EXPECT_EQ(res.status, 200u) << path;
    EXPECT_EQ(res.header("Content-Type"), "application/json");
    auto body = json::parse(res.body);
    EXPECT_EQ(body.at("status"), "ok");
    EXPECT_EQ(body.at("service"), "intake");
  }
}

TEST_F(http_server, readyz_is_200_when_the_database_answers) {
  auto res = get(api + "/readyz");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(json::parse(res.body).at("checks").at("database"), "ok");
}

TEST_F(http_server, many_database_backed_requests_on_one_keep_alive_connection_are_all_answered) {
  // Each readyz resumes its coroutine from a database thread; a fault in that hand-over
  // once freed the connection's strand after a dozen requests.
  http_connection c(svc.port());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(c.send(raw_get(api + "/readyz"))) << "request " << i;
    auto res = c.read_response(10s);
    ASSERT_TRUE(res) << "no answer to request " << i;
    ASSERT_EQ(res->status, 200u) << "request " << i;
  }
  EXPECT_FALSE(svc.process().wait_exit(0ms));
}

TEST_F(http_server, unknown_path_is_a_404_problem) {
  expect_problem(get(api + "/no-such-thing"), 404, "not_found");
  expect_problem(get("/healthz/"), 404, "not_found");
}

TEST_F(http_server, wrong_method_is_a_405_problem_listing_the_allowed_methods) {
  auto res = http_request(svc.port(), "DELETE", api + "/healthz");
  expect_problem(res, 405, "method_not_allowed");
  EXPECT_EQ(res.header("Allow"), "GET, HEAD");
}

TEST_F(http_server, unknown_method_is_a_501_problem) {
  expect_problem(http_request(svc.port(), "BREW", api + "/healthz"), 501, "method_not_implemented");
}

TEST_F(http_server, head_of_a_get_route_has_the_length_but_no_body) {
  http_connection c(svc.port());
  c.send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n" + raw_get("/healthz"));
  auto head = c.read_response(5s, /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200u);
  EXPECT_TRUE(head->body.empty());
  // Had the HEAD answer carried a body, the next response would not parse from here.
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200u);
  EXPECT_EQ(std::to_string(next->body.size()), head->header("Content-Length"));
}

TEST_F(http_server, malformed_json_is_a_400_problem) {
  auto res = http_request(svc.port(), "POST", api + "/_test/echo", {{"Content-Type", "application/json"}},
                          "{\"title\": \"unfinished");
  expect_problem(res, 400, "malformed_json");
}

TEST_F(http_server, json_sent_as_another_media_type_is_a_415_problem) {
  auto res = http_request(svc.port(), "POST", api + "/_test/echo", {{"Content-Type", "text/plain"}}, "{}");
  expect_problem(res, 415, "unsupported_media_type");
}

TEST_F(http_server, valid_json_within_the_limit_reaches_the_handler) {
  auto res = http_request(svc.port(), "POST", api + "/_test/echo",
                          {{"Content-Type", "application/json; charset=utf-8"}}, R"({"title":"案例 one"})");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(json::parse(res.body).at("echo").at("title"), "案例 one");
}

TEST_F(http_server, declared_body_over_the_route_limit_is_413_before_the_body_is_read) {
  http_connection c(svc.port());
  // Claims 100 MB and sends none of it: the answer must come from the header alone.
  c.send("POST " + api + "/_test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Content-Length: 100000000\r\n\r\n");
  auto res = c.read_response(3s);
  ASSERT_TRUE(res) << "no answer without the body";
  expect_problem(*res, 413, "payload_too_large");
  EXPECT_EQ(json::parse(res->body).at("limit"), 1024);
  EXPECT_EQ(res->header("Connection"), "close");
}

TEST_F(http_server, expect_100_continue_over_the_limit_gets_413_instead_of_continue) {
  http_connection c(svc.port());
  c.send("POST " + api + "/_test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  auto res = c.read_response(3s);
  ASSERT_TRUE(res);
  expect_problem(*res, 413, "payload_too_large");
}

TEST_F(http_server, chunked_body_growing_past_the_limit_is_413) {
  http_connection c(svc.port());
  std::string chunk(800, 'a');
  c.send("POST " + api + "/_test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n");
  auto res = c.read_response(3s);
  ASSERT_TRUE(res);
  expect_problem(*res, 413, "payload_too_large");
}

TEST_F(http_server, header_of_20_kib_is_a_431_problem) {
  auto res = get(api + "/healthz", {{"X-Padding", std::string(20 * 1024, 'x')}});
  expect_problem(res, 431, "header_too_large");
}

TEST_F(http_server, garbage_instead_of_http_is_a_400_problem) {
  http_connection c(svc.port());
  c.send("HELLO THERE\r\n\r\n");
  auto res = c.read_response(3s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400u);
  EXPECT_EQ(json::parse(res->body).at("code"), "malformed_request");
}

TEST_F(http_server, client_that_sends_half_a_header_and_stalls_is_disconnected_after_the_read_timeout) {
  http_connection c(svc.port());
  auto start = std::chrono::steady_clock::now();
  c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n");  // no blank line: the header never ends
  EXPECT_TRUE(c.wait_closed(5s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);  // the configured read timeout is 1000 ms
}

TEST_F(http_server, client_that_stalls_in_the_body_is_disconnected_after_the_read_timeout) {
  http_connection c(svc.port());
  auto start = std::chrono::steady_clock::now();
  c.send("POST " + api + "/_test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Content-Length: 100\r\n\r\n{\"a\":");
  EXPECT_TRUE(c.wait_closed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
}

TEST_F(http_server, handler_that_throws_gives_500_without_internals_and_the_next_request_is_served) {
  http_connection c(svc.port());
  c.send(raw_get(api + "/_test/throw"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  expect_problem(*res, 500, "internal_error");
  EXPECT_EQ(res->body.find("secret"), std::string::npos);
  c.send(raw_get(api + "/healthz"));  // same connection
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200u);
  EXPECT_EQ(get(api + "/healthz").status, 200u);  // and a new one
}

TEST_F(http_server, request_id_is_echoed_when_acceptable_and_generated_otherwise) {
  auto given = get("/healthz", {{"X-Request-Id", "partner-upload.42"}});
  EXPECT_EQ(given.header("X-Request-Id"), "partner-upload.42");
  auto refused = get("/healthz", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_EQ(refused.header("X-Request-Id").size(), 32u);
  auto generated = get("/healthz");
  EXPECT_EQ(generated.header("X-Request-Id").size(), 32u);
  EXPECT_NE(generated.header("X-Request-Id"), refused.header("X-Request-Id"));
  // and the access log names it
  EXPECT_TRUE(svc.process().wait_for_line("partner-upload.42", 5s));
}

TEST_F(http_server, access_log_is_one_json_line_per_request) {
  get(api + "/healthz", {{"X-Request-Id", "log-line-check"}});
  auto line = svc.process().wait_for_line("log-line-check", 5s);
  ASSERT_TRUE(line);
  auto entry = json::parse(*line);
  EXPECT_EQ(entry.at("msg"), "request");
  EXPECT_EQ(entry.at("status"), 200);
  EXPECT_EQ(entry.at("route"), "intake.api.healthz");
  EXPECT_EQ(entry.at("method"), "GET");
  EXPECT_TRUE(entry.contains("duration_ms"));
  EXPECT_TRUE(entry.at("ts").get<std::string>().ends_with("Z"));
}

TEST_F(http_server, keep_alive_and_pipelined_requests_are_answered_in_order) {
  http_connection c(svc.port());
  c.send(raw_get("/healthz") + raw_get(api + "/nope") + raw_get(api + "/readyz"));
  auto a = c.read_response();
  auto b = c.read_response();
  auto d = c.read_response();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->status, 200u);
  EXPECT_EQ(b->status, 404u);
  EXPECT_EQ(d->status, 200u);
}

TEST_F(http_server, work_beyond_the_in_flight_bound_is_refused_with_503_and_retry_after) {
  // Four requests held in the service fill the bound of four; the fifth is shed; health still
  // answers; once the held ones are let go, each is answered.
  std::vector<std::unique_ptr<http_connection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<http_connection>(svc.port()));
    held.back()->send(raw_get(api + "/_test/hold?gate=bound"));
  }
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (in_flight() < 4 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(in_flight(), 4);
  auto shed = get(api + "/_test/slow?ms=1");
  expect_problem(shed, 503, "overloaded");
  EXPECT_EQ(shed.header("Retry-After"), "1");
  EXPECT_EQ(get(api + "/healthz").status, 200u);
  EXPECT_EQ(in_flight(), 4) << "still held while the fifth was shed";
  EXPECT_EQ(http_request(svc.port(), "POST", api + "/_test/open?gate=bound", {}, "").status, 200u);
  for (auto& c : held) {
    auto res = c->read_response(10s);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200u);
    EXPECT_NE(res->body.find("\"opened\":true"), std::string::npos) << res->body;
  }
}

TEST_F(http_server, metrics_is_prometheus_text_with_requests_latency_in_flight_and_pool) {
  get(api + "/healthz");
  get(api + "/missing");
  auto res = get("/metrics");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  auto parsed = parse_prometheus(res.body);
  EXPECT_EQ(parsed.types.at("casecall_http_requests_total"), "counter");
  EXPECT_EQ(parsed.types.at("casecall_http_request_duration_seconds"), "histogram");
  EXPECT_EQ(parsed.types.at("casecall_http_requests_in_flight"), "gauge");
  EXPECT_EQ(parsed.types.at("casecall_db_pool_connections"), "gauge");
  bool healthz = false, missing = false;
  for (const auto& s : parsed.samples) {
    if (s.name != "casecall_http_requests_total") continue;
    if (s.labels.at("route") == "intake.api.healthz" && s.labels.at("status") == "200") healthz = s.value >= 1;
    if (s.labels.at("route") == "unmatched" && s.labels.at("status") == "404") missing = s.value >= 1;
  }
  EXPECT_TRUE(healthz);
  EXPECT_TRUE(missing);
}

}  // namespace
