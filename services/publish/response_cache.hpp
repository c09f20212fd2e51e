// Rendered answers kept in memory: a numbered version's page never changes, and the current
// pages, the search answers and the lists change only when something is published. An entry
// is served while it is younger than its time to live and nothing has been published since
// (by this process: publishing bumps the generation; another replica's publication shows
// within the time to live, which the answers' Cache-Control already allows for).
#pragma once

#include "http/message.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace casecall::publish {

class response_cache {
 public:
  explicit response_cache(std::size_t capacity) : capacity_(capacity) {}

  // The answer kept under `key`, if still good. When it has grown stale, the first caller
  // gets nothing (and makes the answer again, then put()s it) while the others get the stale
  // copy meanwhile: a popular page or query that expires is made once, not by every
  // connection at the same moment. A refresh not done within ten seconds (its caller failed)
  // is handed to the next caller.
  std::optional<http::response> get(const std::string& key);
  // Keeps a copy of the answer under `key` for `ttl` (zero: until something is published).
  void put(const std::string& key, const http::response& res, std::chrono::milliseconds ttl);

  // Everything kept so far is stale: called after each publication.
  static void published() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  struct entry {
    http::response res;
    std::chrono::steady_clock::time_point expires;  // max(): no expiry
    std::uint64_t generation;
    std::list<std::string>::iterator order;
    bool refreshing = false;
    std::chrono::steady_clock::time_point refresh_started;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::list<std::string> lru_;  // most recently used first
  std::size_t capacity_;
  static inline std::atomic<std::uint64_t> generation_{0};
};

}  // namespace casecall::publish
