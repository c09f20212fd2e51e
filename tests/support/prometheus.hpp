// A strict reader of the Prometheus text format (0.0.4), for tests of /metrics.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace casecall::testing {

struct prometheus_sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct prometheus_text {
  std::map<std::string, std::string> types;  // family → counter|gauge|histogram|...
  std::vector<prometheus_sample> samples;
};

// Throws std::runtime_error naming the line at fault: a sample without a # TYPE for its
// family, a bad name, label or value, or a histogram whose buckets are not cumulative or
// whose +Inf bucket differs from _count.
prometheus_text parse_prometheus(const std::string& text);

}  // namespace casecall::testing
