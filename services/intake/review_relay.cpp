#include "intake/review_relay.hpp"

#include "log/log.hpp"
#include "service/peer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace casecall::intake {

review_relay::review_relay(service::auth_config auth, std::chrono::milliseconds retry_base, db::pool_config db)
    : auth_(std::move(auth)),
      retry_base_(retry_base),
      worker_({.name = "review relay",
               .channel = "review_outbox",
               .step = [this](pqxx::connection& c) { return deliver_one(c); },
               .seconds_until_due =
                   [](pqxx::connection& c) {
                     pqxx::nontransaction q(c);
                     return q.exec1("SELECT coalesce(extract(epoch FROM min(next_attempt_at) - now()), 60) "
                                    "FROM intake.review_outbox WHERE delivered_at IS NULL AND next_attempt_at > now()")[0]
                         .as<double>();
                   }},
              std::move(db)) {}

db::outbox_worker::outcome review_relay::deliver_one(pqxx::connection& c) {
  using outcome = db::outbox_worker::outcome;
  pqxx::work tx(c);
  // A case's events go in order: a row waits while an earlier row of the same case is undelivered.
  auto rows = tx.exec(
      "SELECT o.id, o.case_id, o.event, o.case_number, o.payload::text, o.attempts FROM intake.review_outbox o "
      "WHERE o.delivered_at IS NULL AND o.next_attempt_at <= now() "
      "AND NOT EXISTS (SELECT 1 FROM intake.review_outbox e WHERE e.case_id = o.case_id AND e.id < o.id "
      "AND e.delivered_at IS NULL) "
      "ORDER BY o.id LIMIT 1 FOR UPDATE SKIP LOCKED");
  if (rows.empty()) return outcome::none;
  const auto id = rows[0][0].as<std::int64_t>();
  const auto case_id = rows[0][1].as<std::string>();
  auto payload = nlohmann::json::parse(rows[0][4].c_str());
  nlohmann::json body = {{"event", rows[0][2].as<std::string>()}, {"number", rows[0][3].as<int>()}};
  for (const auto& key : {"organisation_id", "sha256", "content"}) {
    if (payload.contains(key)) body[key] = payload[key];
  }
  const auto attempts = rows[0][5].as<int>() + 1;
  auto answer = service::put_json(auth_.review_url + "/internal/v1/cases/" + case_id, auth_.service_token, body.dump());
  if (answer.status >= 200 && answer.status < 300) {
    tx.exec_params("UPDATE intake.review_outbox SET delivered_at = now(), attempts = $2, last_error = NULL WHERE id = $1", id,
                   attempts);
    tx.commit();
    auto total = delivered_.fetch_add(1) + 1;
    log::info("case delivered to review", {{"outbox_id", id}, {"case_id", case_id}, {"delivered_total", total}});
    return outcome::done;
  }
  const auto error = answer.status ? "review answered " + std::to_string(answer.status) + ": " + answer.body.substr(0, 300)
                                   : answer.error;
  const double pause = std::min(3600.0, static_cast<double>(retry_base_.count()) / 1000.0 * std::pow(2.0, std::min(attempts - 1, 30)));
  tx.exec_params(
      "UPDATE intake.review_outbox SET attempts = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4) "
      "WHERE id = $1",
      id, attempts, error, pause);
  tx.commit();
  failed_.fetch_add(1);
  log::warn("review did not take the case; will retry",
            {{"outbox_id", id}, {"case_id", case_id}, {"attempts", attempts}, {"retry_in_s", pause}, {"error", error}});
  return outcome::failed;
}

}  // namespace casecall::intake
