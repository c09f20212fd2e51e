// Work that blocks (fsync, reading a whole file back) run off the server threads, so that
// one slow disk operation does not hold up the other connections of a server thread.
#pragma once

#include "http/awaitable.hpp"

#include <cstddef>
#include <functional>
#include <memory>

namespace casecall::http {

class blocking_pool {
 public:
  explicit blocking_pool(std::size_t threads);
  ~blocking_pool();  // waits for the work already given
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  // Runs fn on one of the pool's threads. The awaiting coroutine resumes on its own executor,
  // with fn's exception if it threw one.
  awaitable<void> run(std::function<void()> fn);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace casecall::http
