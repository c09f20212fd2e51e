#include "publish/response_cache.hpp"

namespace casecall::publish {

std::optional<http::response> response_cache::get(const std::string& key) {
  const std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.generation != generation_.load(std::memory_order_acquire) ||
      std::chrono::steady_clock::now() >= it->second.expires) {
    const auto now = std::chrono::steady_clock::now();
    if (it->second.refreshing && now - it->second.refresh_started < std::chrono::seconds(10)) {
      return it->second.res;  // another caller is making it anew
    }
    it->second.refreshing = true;
    it->second.refresh_started = now;
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.order);
  return it->second.res;
}

void response_cache::put(const std::string& key, const http::response& res, std::chrono::milliseconds ttl) {
  const auto expires = ttl.count() == 0 ? std::chrono::steady_clock::time_point::max() : std::chrono::steady_clock::now() + ttl;
  const std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    lru_.erase(it->second.order);
    entries_.erase(it);
  }
  lru_.push_front(key);
  entries_.emplace(key, entry{res, expires, generation_.load(std::memory_order_acquire), lru_.begin(), false, {}});
  while (entries_.size() > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace casecall::publish
