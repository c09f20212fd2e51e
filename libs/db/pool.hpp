// Database work runs here, off the server threads: a fixed set of threads, each owning one
// libpqxx connection (connected on first use, reconnected after a loss), fed from a bounded
// queue. Coroutines await jobs through db/await.hpp.
#pragma once

#include "db/connection.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace casecall::db {

struct pool_config {
  std::string url;  // libpq URI or key=value string; no password (use PGPASSFILE)
  int size = 4;
  std::chrono::milliseconds statement_timeout{5'000};
  std::chrono::seconds connect_timeout{3};
  std::size_t queue_limit = 1024;
  std::string application_name = "casecall";
};

// A unit of work. execute() may throw; complete() is called exactly once, with the
// exception execute() ended with (or none), on the pool thread.
class job {
 public:
  virtual ~job() = default;
  virtual void execute(connection& c) = 0;
  virtual void complete(std::exception_ptr error) = 0;
};

struct pool_stats {
  int size = 0;
  int connected = 0;
  int busy = 0;
  std::size_t queued = 0;
  std::uint64_t jobs_total = 0;
  std::uint64_t connects_total = 0;
  std::uint64_t connect_failures_total = 0;
  std::uint64_t connections_lost_total = 0;
  std::uint64_t rejected_total = 0;
};

class pool {
 public:
  explicit pool(pool_config config);
  ~pool();
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  // Queues the job. When the queue is full or the pool is stopped, the job is completed at
  // once with an `overloaded` or `database_unavailable` problem (503).
  void submit(std::unique_ptr<job> j);

  // Completes queued jobs with `database_unavailable` and joins the threads.
  void stop();

  pool_stats stats() const;
  const pool_config& config() const { return config_; }

 private:
  struct slot;
  void work(slot& s);
  void connect(slot& s);

  pool_config config_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<job>> queue_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<slot>> slots_;
  std::vector<std::thread> threads_;

  std::atomic<int> connected_{0};
  std::atomic<int> busy_{0};
  std::atomic<std::uint64_t> jobs_total_{0};
  std::atomic<std::uint64_t> connects_total_{0};
  std::atomic<std::uint64_t> connect_failures_total_{0};
  std::atomic<std::uint64_t> connections_lost_total_{0};
  std::atomic<std::uint64_t> rejected_total_{0};
};

// A short random pause (a few milliseconds, growing with `attempt`) on the pool thread, so
// that transactions that collided do not collide again in lockstep.
void pause_before_retry(int attempt);

// The connection string with connect_timeout and application_name added when absent.
std::string effective_url(const pool_config& config);

}  // namespace casecall::db
