// A thread that works through an outbox table: it holds its own connection, LISTENs on the
// table's channel, and calls `step` until nothing is due, then sleeps until the next row is
// due, a notification arrives, or stop(). Used for mail (libs/mail) and for the cases intake
// hands to review. A lost connection is reopened with growing pauses.
#pragma once

#include "db/pool.hpp"

#include <pqxx/pqxx>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace casecall::db {

class outbox_worker {
 public:
  enum class outcome { done, failed, none };  // one row handled, one row failed, nothing due
  struct hooks {
    std::string name;     // for logs
    std::string channel;  // LISTEN channel; the table's insert trigger NOTIFYs it
    // Claims and handles one due row (FOR UPDATE SKIP LOCKED), in its own transaction.
    std::function<outcome(pqxx::connection&)> step;
    // Seconds until the next row that is not due yet becomes due (60 when there is none).
    std::function<double(pqxx::connection&)> seconds_until_due;
  };

  outbox_worker(hooks h, pool_config db);
  ~outbox_worker();
  outbox_worker(const outbox_worker&) = delete;
  outbox_worker& operator=(const outbox_worker&) = delete;

  void start();
  void stop();  // wakes the thread and joins it; a step in progress completes first

 private:
  void loop();

  hooks hooks_;
  pool_config db_;
  std::atomic<bool> stopping_{false};
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace casecall::db
