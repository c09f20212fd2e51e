#include "db/outbox_worker.hpp"

#include "log/log.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace casecall::db {

outbox_worker::outbox_worker(hooks h, pool_config db) : hooks_(std::move(h)), db_(std::move(db)) {}

outbox_worker::~outbox_worker() { stop(); }

void outbox_worker::start() {
  if (thread_.joinable()) return;
  if (::pipe(wake_) != 0) throw std::runtime_error(hooks_.name + ": pipe failed");
  thread_ = std::thread([this] { loop(); });
}

void outbox_worker::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  char byte = 1;
  (void)!::write(wake_[1], &byte, 1);
  thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
  wake_[0] = wake_[1] = -1;
}

void outbox_worker::loop() {
  double reconnect_pause = 0.5;
  while (!stopping_.load()) {
    try {
      pqxx::connection c(effective_url(db_));
      pqxx::nontransaction(c).exec("LISTEN " + c.quote_name(hooks_.channel));
      reconnect_pause = 0.5;
      while (!stopping_.load()) {
        // Everything due that no other worker holds; a failure leaves its row for later.
        while (!stopping_.load() && hooks_.step(c) != outcome::none) {
        }
        const auto wait = std::clamp(hooks_.seconds_until_due(c), 0.0, 60.0);
        // A notification read in with a query's result would not wake poll(): look first.
        if (c.get_notifs() > 0) continue;
        pollfd fds[2] = {{c.sock(), POLLIN, 0}, {wake_[0], POLLIN, 0}};
        ::poll(fds, 2, static_cast<int>(std::ceil(wait * 1000.0)));
        c.get_notifs();
      }
    } catch (const std::exception& e) {
      if (stopping_.load()) break;
      log::warn(hooks_.name + ": database connection lost; reconnecting", {{"error", e.what()}});
      pollfd wake{wake_[0], POLLIN, 0};
      ::poll(&wake, 1, static_cast<int>(reconnect_pause * 1000.0));
      reconnect_pause = std::min(reconnect_pause * 2, 30.0);
    }
  }
}

}  // namespace casecall::db
