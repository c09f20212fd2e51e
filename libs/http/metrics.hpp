// Prometheus text exposition (format 0.0.4) of a service's counters, gauges and histograms.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace casecall::http {

using label_list = std::vector<std::pair<std::string_view, std::string_view>>;

// Writes metric families in the text format; escapes label values.
class exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const label_list& labels, double value);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class metrics {
 public:
  static constexpr std::array<double, 14> latency_buckets{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       double seconds);

  // Adds families computed at scrape time (the database pool's state, for example).
  void add_collector(std::function<void(exposition&)> collector);

  std::string render() const;

  std::atomic<std::int64_t> requests_in_flight{0};
  std::atomic<std::int64_t> streams_in_flight{0};  // requests whose handler reads a streamed body
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> requests_shed_total{0};

 private:
  struct series {
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, latency_buckets.size()> buckets{};
  };
  using key = std::tuple<std::string, std::string, unsigned>;  // route, method, status

  // Each server thread records into its own shard, so threads do not contend; a scrape adds
  // the shards up.
  static constexpr std::size_t shard_count = 8;
  struct alignas(64) shard {
    std::mutex mutex;
    std::map<key, series, std::less<>> by_key;
  };
  static std::size_t shard_index();

  mutable std::array<shard, shard_count> shards_;
  mutable std::mutex collectors_mutex_;
  std::vector<std::function<void(exposition&)>> collectors_;
};

}  // namespace casecall::http
