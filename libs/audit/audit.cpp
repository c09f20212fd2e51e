#include "audit/audit.hpp"

#include "db/outbox_worker.hpp"

#include <sodium.h>

#include <array>
#include <string_view>

namespace casecall::audit {

namespace {

constexpr db::query insert_event{
    "audit.insert_event",
    "INSERT INTO audit.events (stream, actor_kind, actor_id, action, object_type, object_id, "
    "request_id, client_address, before_digest, after_digest, detail) "
    "VALUES ($1, $2, NULLIF($3, ''), $4, NULLIF($5, ''), NULLIF($6, ''), NULLIF($7, ''), "
    "NULLIF($8, ''), NULLIF($9, ''), NULLIF($10, ''), $11::jsonb)"};  // the trigger does the rest

using hash_bytes = std::array<unsigned char, crypto_hash_sha256_BYTES>;

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0x0f]);
  }
  return out;
}

hash_bytes chain_hash(std::string_view prev, std::string_view canonical) {
  hash_bytes out{};
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(prev.data()), prev.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(canonical.data()),
                            canonical.size());
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

std::string_view as_view(const pqxx::binarystring& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

const db::migration_set& migrations_files();

const db::migration_set& migrations() {
  static const db::migration_set set = [] {
    auto s = migrations_files();
    s.append_tables = {"events"};
    return s;
  }();
  return set;
}

std::string digest(const nlohmann::json& value) {
  const std::string text = value.dump();
  hash_bytes out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return hex(out.data(), out.size());
}

void record(db::connection& c, pqxx::transaction_base& tx, const event& e) {
  c.exec(tx, insert_event, e.stream, e.actor_kind, e.actor_id, e.action, e.object_type, e.object_id,
         e.request_id, e.client_address, e.before ? digest(*e.before) : std::string(),
         e.after ? digest(*e.after) : std::string(), e.detail.dump());
}

nlohmann::json verification::to_json() const {
  nlohmann::json out = {{"ok", !first_broken}, {"rows", rows}, {"unsealed", unsealed}, {"streams", streams}};
  if (first_broken) {
    out["first_broken"] = {
        {"stream", first_broken->stream}, {"seq", first_broken->seq}, {"reason", first_broken->reason}};
  } else {
    out["first_broken"] = nullptr;
  }
  return out;
}

verification verify(pqxx::connection& c) {
  constexpr int batch = 5000;
  verification result;
  // One snapshot for the whole walk: rows appended meanwhile are neither seen nor missed.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
  result.unsealed = tx.exec1("SELECT count(*) FROM audit.events WHERE hash IS NULL")[0].as<std::int64_t>();
  auto heads = tx.exec("SELECT stream, seq, hash FROM audit.heads ORDER BY stream");
  for (const auto& head : heads) {
    const auto stream = head[0].as<std::string>();
    result.streams.push_back(stream);
    if (result.first_broken) continue;
    std::string prev(crypto_hash_sha256_BYTES, '\0');
    std::int64_t expected = 1;
    auto fail = [&](std::int64_t seq, std::string reason) {
      result.first_broken = broken_row{stream, seq, std::move(reason)};
    };
    while (!result.first_broken) {
      auto rows = tx.exec_params(
          "SELECT e.seq, e.prev_hash, e.hash, audit.canonical(e) FROM audit.events e "
          "WHERE e.stream = $1 AND e.seq >= $2 ORDER BY e.seq LIMIT $3",
          stream, expected, batch);
      for (const auto& row : rows) {
        const auto seq = row[0].as<std::int64_t>();
        if (seq != expected) {
          fail(expected, "row missing: the stream jumps from " + std::to_string(expected - 1) +
                             " to " + std::to_string(seq));
          break;
        }
        pqxx::binarystring prev_hash(row[1]);
        pqxx::binarystring hash(row[2]);
        if (as_view(prev_hash) != prev) {
          fail(seq, "prev_hash is not the hash of the row before");
          break;
        }
        auto computed = chain_hash(prev, row[3].c_str());
        std::string_view computed_view(reinterpret_cast<const char*>(computed.data()), computed.size());
        if (as_view(hash) != computed_view) {
          fail(seq, "content does not match its hash");
          break;
        }
        prev.assign(computed_view);
        ++result.rows;
        ++expected;
      }
      if (result.first_broken || rows.size() < static_cast<std::size_t>(batch)) break;
    }
    if (result.first_broken) continue;
    const auto head_seq = head[1].as<std::int64_t>();
    pqxx::binarystring head_hash(head[2]);
    if (head_seq != expected - 1 || as_view(head_hash) != prev) {
      fail(expected, "the stream ends at " + std::to_string(expected - 1) + " but its head says " +
                         std::to_string(head_seq) + ": rows were removed from its end");
    }
  }
  return result;
}

std::int64_t seal(pqxx::connection& c) {
  pqxx::work tx(c);
  const auto sealed = tx.exec1("SELECT audit.seal_all()")[0].as<std::int64_t>();
  tx.commit();
  return sealed;
}

namespace {

class sealer {
 public:
  sealer(db::pool_config db, std::chrono::milliseconds interval)
      : interval_(std::chrono::duration<double>(interval).count()),
        worker_({.name = "audit sealer",
                 .channel = "audit_seal",
                 .step = [](pqxx::connection& c) { return step(c); },
                 .seconds_until_due = [this](pqxx::connection&) { return interval_; }},
                std::move(db)) {}

  void start() { worker_.start(); }
  void stop() { worker_.stop(); }

 private:
  // One batch of the first stream with unsealed rows.
  static db::outbox_worker::outcome step(pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec(
        "SELECT audit.seal(stream) FROM (SELECT stream FROM audit.events WHERE hash IS NULL LIMIT 1) s");
    const auto sealed = rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
    tx.commit();
    return sealed > 0 ? db::outbox_worker::outcome::done : db::outbox_worker::outcome::none;
  }

  double interval_;
  db::outbox_worker worker_;
};

}  // namespace

std::shared_ptr<void> start_sealer(const db::pool_config& db, std::chrono::milliseconds interval) {
  auto s = std::make_shared<sealer>(db, interval);
  s->start();
  return std::shared_ptr<void>(s.get(), [s](void*) mutable { s->stop(); });
}

}  // namespace casecall::audit
