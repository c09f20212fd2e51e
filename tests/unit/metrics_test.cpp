#include "http/metrics.hpp"
#include "prometheus.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace {

using casecall::http::exposition;
using casecall::http::metrics;

constexpr double infinity = std::numeric_limits<double>::infinity();

using sample = casecall::testing::prometheus_sample;
using parsed = casecall::testing::prometheus_text;

// The strict reader the integration tests use too (tests/support/prometheus.hpp): it
// refuses untyped samples, bad names, labels, escapes and values, and histograms whose
// buckets are not cumulative or do not end at _count.
parsed parse_exposition(const std::string& text) {
  try {
    return casecall::testing::parse_prometheus(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return {};
  }
}

void expect_every_sample_is_typed(const parsed& p) {
  EXPECT_FALSE(p.types.empty());  // parse_prometheus refuses a sample without its # TYPE
}

std::vector<const sample*> find(const parsed& p, const std::string& name,
                                const std::map<std::string, std::string>& labels) {
  std::vector<const sample*> found;
  for (const auto& s : p.samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      all = all && it != s.labels.end() && it->second == v;
    }
    if (all) found.push_back(&s);
  }
  return found;
}

}  // namespace

TEST(metrics, empty_registry_renders_valid_text_with_typed_families) {
  metrics m;
  auto p = parse_exposition(m.render());
  expect_every_sample_is_typed(p);
  EXPECT_EQ(p.types.at("casecall_http_requests_total"), "counter");
  EXPECT_EQ(p.types.at("casecall_http_request_duration_seconds"), "histogram");
  EXPECT_EQ(p.types.at("casecall_http_requests_in_flight"), "gauge");
  EXPECT_EQ(p.types.at("casecall_http_connections_open"), "gauge");
  EXPECT_EQ(p.types.at("casecall_http_connections_total"), "counter");
  EXPECT_EQ(p.types.at("casecall_http_requests_shed_total"), "counter");
}

TEST(metrics, observe_request_counts_by_route_method_and_status) {
  metrics m;
  m.observe_request("intake.get", "GET", 200, 0.002);
  m.observe_request("intake.get", "GET", 200, 0.004);
  m.observe_request("intake.get", "GET", 404, 0.001);
  m.observe_request("intake.create", "POST", 201, 0.02);
  auto p = parse_exposition(m.render());
  expect_every_sample_is_typed(p);

  auto count = [&](const char* route, const char* method, const char* status) {
    auto found = find(p, "casecall_http_requests_total",
                      {{"route", route}, {"method", method}, {"status", status}});
    EXPECT_EQ(found.size(), 1u) << route << " " << method << " " << status;
    return found.empty() ? -1.0 : found.front()->value;
  };
  EXPECT_EQ(count("intake.get", "GET", "200"), 2.0);
  EXPECT_EQ(count("intake.get", "GET", "404"), 1.0);
  EXPECT_EQ(count("intake.create", "POST", "201"), 1.0);
  EXPECT_EQ(find(p, "casecall_http_requests_total", {}).size(), 3u);
}

TEST(metrics, histogram_buckets_are_cumulative_and_end_at_count) {
  metrics m;
  for (double seconds : {0.0001, 0.003, 0.003, 0.07, 0.9, 4.0, 30.0}) {
    m.observe_request("r", "GET", 200, seconds);
  }
  auto p = parse_exposition(m.render());
  expect_every_sample_is_typed(p);
  auto buckets = find(p, "casecall_http_request_duration_seconds_bucket", {{"route", "r"}});
  ASSERT_EQ(buckets.size(), metrics::latency_buckets.size() + 1);

  double previous = 0;
  double previous_le = -infinity;
  for (const auto* b : buckets) {
    double le = b->labels.at("le") == "+Inf" ? infinity : std::stod(b->labels.at("le"));
    EXPECT_GT(le, previous_le) << "le must increase";
    EXPECT_GE(b->value, previous) << "bucket le=" << b->labels.at("le") << " decreased";
    previous = b->value;
    previous_le = le;
  }
  EXPECT_EQ(buckets.back()->labels.at("le"), "+Inf");
  auto count = find(p, "casecall_http_request_duration_seconds_count", {{"route", "r"}});
  auto sum = find(p, "casecall_http_request_duration_seconds_sum", {{"route", "r"}});
  ASSERT_EQ(count.size(), 1u);
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(buckets.back()->value, count.front()->value);
  EXPECT_EQ(count.front()->value, 7.0);
  EXPECT_NEAR(sum.front()->value, 0.0001 + 0.003 * 2 + 0.07 + 0.9 + 4.0 + 30.0, 1e-9);

  auto at = [&](const char* le) {
    auto found = find(p, "casecall_http_request_duration_seconds_bucket", {{"route", "r"}, {"le", le}});
    return found.size() == 1 ? found.front()->value : -1.0;
  };
  EXPECT_EQ(at("0.0005"), 1.0);
  EXPECT_EQ(at("0.005"), 3.0);
  EXPECT_EQ(at("0.1"), 4.0);
  EXPECT_EQ(at("1"), 5.0);
  EXPECT_EQ(at("5"), 6.0);
  EXPECT_EQ(at("10"), 6.0);
}

TEST(metrics, observation_on_a_bucket_bound_falls_in_that_bucket) {
  metrics m;
  m.observe_request("r", "GET", 200, 0.25);
  auto p = parse_exposition(m.render());
  auto below = find(p, "casecall_http_request_duration_seconds_bucket", {{"le", "0.1"}});
  auto on = find(p, "casecall_http_request_duration_seconds_bucket", {{"le", "0.25"}});
  ASSERT_EQ(below.size(), 1u);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(below.front()->value, 0.0);
  EXPECT_EQ(on.front()->value, 1.0);
}

TEST(metrics, label_values_with_quotes_backslashes_and_newlines_are_escaped) {
  metrics m;
  const std::string route = "a\"b\\c\nd";
  m.observe_request(route, "GET", 200, 0.01);
  auto text = m.render();
  EXPECT_NE(text.find(R"(route="a\"b\\c\nd")"), std::string::npos) << text;
  auto p = parse_exposition(text);
  EXPECT_EQ(find(p, "casecall_http_requests_total", {{"route", route}}).size(), 1u);
}

TEST(metrics, gauges_and_counters_show_their_current_values) {
  metrics m;
  m.requests_in_flight = 3;
  m.connections_open = 2;
  m.connections_total = 41;
  m.requests_shed_total = 5;
  auto p = parse_exposition(m.render());
  auto value = [&](const char* name) {
    auto found = find(p, name, {});
    return found.size() == 1 ? found.front()->value : -1.0;
  };
  EXPECT_EQ(value("casecall_http_requests_in_flight"), 3.0);
  EXPECT_EQ(value("casecall_http_connections_open"), 2.0);
  EXPECT_EQ(value("casecall_http_connections_total"), 41.0);
  EXPECT_EQ(value("casecall_http_requests_shed_total"), 5.0);
}

TEST(metrics, collectors_output_appears_in_render) {
  metrics m;
  m.add_collector([](exposition& out) {
    out.family("casecall_db_pool_connections", "gauge", "Connections by state.");
    out.sample("casecall_db_pool_connections", {{"state", "idle"}}, 3);
    out.sample("casecall_db_pool_connections", {{"state", "busy"}}, 1);
  });
  m.add_collector([](exposition& out) {
    out.family("casecall_db_jobs_total", "counter", "Jobs run.");
    out.sample("casecall_db_jobs_total", {}, 12);
  });
  auto p = parse_exposition(m.render());
  expect_every_sample_is_typed(p);
  EXPECT_EQ(p.types.at("casecall_db_pool_connections"), "gauge");
  ASSERT_EQ(find(p, "casecall_db_pool_connections", {{"state", "idle"}}).size(), 1u);
  EXPECT_EQ(find(p, "casecall_db_pool_connections", {{"state", "idle"}}).front()->value, 3.0);
  ASSERT_EQ(find(p, "casecall_db_jobs_total", {}).size(), 1u);
  EXPECT_EQ(find(p, "casecall_db_jobs_total", {}).front()->value, 12.0);
}

TEST(exposition, writes_help_type_and_samples_in_text_format) {
  exposition out;
  out.family("x_total", "counter", "Things.");
  out.sample("x_total", {{"kind", "a"}, {"zone", "b"}}, 2);
  out.sample("x_total", {}, 0.5);
  EXPECT_EQ(out.take(),
            "# HELP x_total Things.\n# TYPE x_total counter\n"
            "x_total{kind=\"a\",zone=\"b\"} 2\nx_total 0.5\n");
}

TEST(exposition, writes_special_values_as_prometheus_spells_them) {
  exposition out;
  out.sample("g", {}, infinity);
  out.sample("g", {}, -infinity);
  out.sample("g", {}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(out.take(), "g +Inf\ng -Inf\ng NaN\n");
}
