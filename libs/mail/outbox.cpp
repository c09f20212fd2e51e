#include "mail/outbox.hpp"

#include "log/log.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <mutex>

namespace casecall::mail {

namespace {

constexpr db::query insert_mail{
    "mail.insert",
    "INSERT INTO mail.outbox (kind, language, to_address, to_name, subject, body, request_id) "
    "VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, NULLIF($7, ''))"};

std::string base64(std::string_view raw) {
  constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), variant);
  out.resize(out.size() - 1);
  return out;
}

bool is_plain_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

std::string without_line_breaks(std::string_view s) {
  std::string clean;
  for (char c : s) clean += (c == '\r' || c == '\n') ? ' ' : c;
  return clean;
}

// Non-ASCII text as RFC 2047 encoded words of at most 75 characters each (45 bytes of
// UTF-8, never split inside a character), folded onto continuation lines.
std::string encoded_words(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + 45);
    while (end < text.size() && end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// Unstructured header text (a subject): no line breaks (header injection), encoded when not ASCII.
std::string header_text(std::string_view s) {
  auto clean = without_line_breaks(s);
  if (is_plain_ascii(clean)) return clean;
  return encoded_words(clean);
}

// A display name before an address: quoted when ASCII (so that commas and angle brackets
// stay inside it), encoded when not.
std::string display_name(std::string_view s) {
  auto clean = without_line_breaks(s);
  if (!is_plain_ascii(clean)) return encoded_words(clean);
  std::string quoted = "\"";
  for (char c : clean) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// "Name <address>" with the name made safe; a bare address as it is.
std::string mailbox(std::string_view name, std::string_view address) {
  if (name.empty()) return std::string(address);
  return display_name(name) + " <" + std::string(address) + ">";
}

std::string crlf_lines(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 40);
  for (char c : body) {
    if (c == '\r') continue;
    if (c == '\n') out += "\r\n";
    else out += c;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

std::string rfc5322_date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return buf;
}

struct upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_payload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<upload*>(user);
  std::size_t room = size * count;
  std::size_t n = std::min(room, u->data.size() - u->offset);
  std::copy_n(u->data.data() + u->offset, n, buffer);
  u->offset += n;
  return n;
}

void ensure_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Returns an empty string when the relay accepted the message, else the reason.
std::string smtp_send(const service::mail_config& cfg, const std::string& to, const std::string& payload) {
  ensure_curl();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return "curl_easy_init failed";
  const std::string from = "<" + envelope_address(cfg.from) + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(rcpt, &curl_slist_free_all);
  upload body{payload, 0};
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, cfg.smtp_url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, &read_payload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  auto rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OK) return {};
  return error[0] ? std::string(error) : std::string(curl_easy_strerror(rc));
}

}  // namespace

const db::migration_set& migrations_files();
// Other services append mail (review tells judges and partners); only the sender's service
// owns the outbox and marks mail sent.
const db::migration_set& migrations() {
  static const db::migration_set set = [] {
    auto s = migrations_files();
    s.append_tables = {"outbox"};
    return s;
  }();
  return set;
}

void enqueue(db::connection& c, pqxx::transaction_base& tx, const message& m) {
  c.exec(tx, insert_mail, m.kind, m.language, m.to_address, m.to_name, m.subject, m.body, m.request_id);
}

void enqueue_template(db::connection& c, pqxx::transaction_base& tx, std::string_view kind,
                      std::string_view language, const std::string& to_address, const std::string& to_name,
                      const values_map& values, const std::string& request_id) {
  auto text = render(kind, language, values);
  enqueue(c, tx,
          {std::string(kind), std::string(language), to_address, to_name, std::move(text.subject),
           std::move(text.body), request_id});
}

std::string envelope_address(std::string_view from) {
  auto open = from.rfind('<');
  auto close = from.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return std::string(from.substr(open + 1, close - open - 1));
  }
  return std::string(from);
}

std::string format_rfc5322(const service::mail_config& cfg, const message& m, std::int64_t id,
                           std::string_view date) {
  const auto from_address = envelope_address(cfg.from);
  const auto domain = from_address.substr(from_address.find('@') + 1);
  auto open = cfg.from.rfind('<');
  std::string from_name = open == std::string::npos ? std::string() : cfg.from.substr(0, open);
  while (!from_name.empty() && from_name.back() == ' ') from_name.pop_back();
  std::string out;
  out += "Date: " + std::string(date) + "\r\n";
  out += "From: " + mailbox(from_name, from_address) + "\r\n";
  out += "To: " + mailbox(m.to_name, m.to_address) + "\r\n";
  out += "Subject: " + header_text(m.subject) + "\r\n";
  out += "Message-ID: <outbox." + std::to_string(id) + "." + m.kind + "@" + domain + ">\r\n";
  out += "Content-Language: " + m.language + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  if (!m.request_id.empty()) out += "X-Casecall-Request-Id: " + header_text(m.request_id) + "\r\n";
  out += "\r\n";
  out += crlf_lines(m.body);
  return out;
}

sender::sender(service::mail_config cfg, db::pool_config db)
    : cfg_(std::move(cfg)),
      worker_({.name = "mail sender",
               .channel = "mail_outbox",
               .step = [this](pqxx::connection& c) { return send_one(c); },
               // Rows due now but held by another sender are theirs: wait for the next one
               // due later (or for a notification of a new row).
               .seconds_until_due =
                   [](pqxx::connection& c) {
                     pqxx::nontransaction q(c);
                     return q.exec1("SELECT coalesce(extract(epoch FROM min(next_attempt_at) - now()), 60) "
                                    "FROM mail.outbox WHERE sent_at IS NULL AND next_attempt_at > now()")[0]
                         .as<double>();
                   }},
              std::move(db)) {}

db::outbox_worker::outcome sender::send_one(pqxx::connection& c) {
  pqxx::work tx(c);
  auto rows = tx.exec(
      "SELECT id, kind, language, to_address, coalesce(to_name, ''), subject, body, coalesce(request_id, ''), "
      "attempts FROM mail.outbox WHERE sent_at IS NULL AND next_attempt_at <= now() "
      "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");
  if (rows.empty()) return db::outbox_worker::outcome::none;
  const auto& row = rows[0];
  const auto id = row[0].as<std::int64_t>();
  message m{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
            row[4].as<std::string>(), row[5].as<std::string>(), row[6].as<std::string>(),
            row[7].as<std::string>()};
  const auto attempts = row[8].as<int>() + 1;
  auto error = smtp_send(cfg_, m.to_address, format_rfc5322(cfg_, m, id, rfc5322_date()));
  if (error.empty()) {
    tx.exec_params("UPDATE mail.outbox SET sent_at = now(), attempts = $2, last_error = NULL, body = '' WHERE id = $1",
                   id, attempts);
    tx.commit();
    counters_.sent.fetch_add(1);
    log::info("mail sent", {{"outbox_id", id}, {"kind", m.kind}, {"request_id", m.request_id}});
    return db::outbox_worker::outcome::done;
  }
  const double base = static_cast<double>(cfg_.retry_base.count()) / 1000.0;
  const double cap = static_cast<double>(cfg_.retry_max.count()) / 1000.0;
  const double pause = std::min(cap, base * std::pow(2.0, std::min(attempts - 1, 30)));
  tx.exec_params(
      "UPDATE mail.outbox SET attempts = $2, last_error = $3, "
      "next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1",
      id, attempts, error, pause);
  tx.commit();
  counters_.failed_attempts.fetch_add(1);
  log::warn("mail not accepted; will retry",
            {{"outbox_id", id}, {"attempts", attempts}, {"retry_in_s", pause}, {"error", error}});
  return db::outbox_worker::outcome::failed;
}

}  // namespace casecall::mail
