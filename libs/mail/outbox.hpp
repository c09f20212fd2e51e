// Mail goes out through an outbox (schema `mail`): a change and the mail it causes are
// committed together, and a sender thread hands each row to the SMTP relay, retrying with
// backoff until the relay accepts it. A mail is marked sent only after the relay's "250";
// a crash in between sends it twice rather than never.
#pragma once

#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "db/outbox_worker.hpp"
#include "db/pool.hpp"
#include "mail/templates.hpp"
#include "service/config.hpp"

#include <pqxx/pqxx>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace casecall::mail {

const db::migration_set& migrations();

struct message {
  std::string kind;
  std::string language;
  std::string to_address;
  std::string to_name;
  std::string subject;
  std::string body;
  std::string request_id;
};

// Adds the mail to the outbox in `tx`.
void enqueue(db::connection& c, pqxx::transaction_base& tx, const message& m);

// Renders the template in the language (mail/templates.hpp) and adds it.
void enqueue_template(db::connection& c, pqxx::transaction_base& tx, std::string_view kind,
                      std::string_view language, const std::string& to_address, const std::string& to_name,
                      const values_map& values, const std::string& request_id);

// The message as the relay receives it (RFC 5322, CRLF line ends, UTF-8 body in 8bit,
// encoded-word subject).
std::string format_rfc5322(const service::mail_config& cfg, const message& m, std::int64_t id,
                           std::string_view date);

// The address inside "Name <address>", or the text itself.
std::string envelope_address(std::string_view from);

class sender {
 public:
  // Connects with its own database connection (db.url); does nothing until start().
  sender(service::mail_config cfg, db::pool_config db);

  void start() { worker_.start(); }
  // Wakes the thread and waits for it; a send in progress completes first.
  void stop() { worker_.stop(); }

  struct counters {
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> failed_attempts{0};
  };
  const counters& stats() const { return counters_; }

 private:
  db::outbox_worker::outcome send_one(pqxx::connection& c);

  service::mail_config cfg_;
  counters counters_;
  db::outbox_worker worker_;
};

}  // namespace casecall::mail
