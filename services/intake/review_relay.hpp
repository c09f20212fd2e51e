// Hands submitted and withdrawn cases to review: each row of intake.review_outbox (written
// with the submission) is PUT to review's /internal/v1/cases/{id} with intake's service
// token, retried with doubling pauses until review accepts it. Rows are claimed FOR UPDATE
// SKIP LOCKED, so several intake replicas share the work; review's side is idempotent.
#pragma once

#include "db/outbox_worker.hpp"
#include "service/config.hpp"

#include <atomic>
#include <cstdint>

namespace casecall::intake {

class review_relay {
 public:
  review_relay(service::auth_config auth, std::chrono::milliseconds retry_base, db::pool_config db);
  void start() { worker_.start(); }
  void stop() { worker_.stop(); }

  std::uint64_t delivered() const { return delivered_.load(); }
  std::uint64_t failed_attempts() const { return failed_.load(); }

 private:
  db::outbox_worker::outcome deliver_one(pqxx::connection& c);

  service::auth_config auth_;
  std::chrono::milliseconds retry_base_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  db::outbox_worker worker_;
};

}  // namespace casecall::intake
