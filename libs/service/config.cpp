#include "service/config.hpp"

#include "http/client_address.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <thread>

namespace casecall::service {

const std::vector<variable_doc>& documented_variables() {
  static const std::vector<variable_doc> docs{
      {"CASECALL_HTTP_HOST", "127.0.0.1", "IP address to listen on"},
      {"CASECALL_HTTP_PORT", "{port}", "TCP port to listen on (0: any free port)"},
      {"CASECALL_HTTP_THREADS", "number of cores", "threads serving HTTP"},
      {"CASECALL_HTTP_MAX_IN_FLIGHT", "1024", "requests handled at once before answering 503"},
      {"CASECALL_HTTP_READ_TIMEOUT_MS", "30000",
       "longest a request header may take, and longest a body may stall"},
      {"CASECALL_HTTP_IDLE_TIMEOUT_MS", "75000", "longest a keep-alive connection may sit idle"},
      {"CASECALL_HTTP_SHUTDOWN_TIMEOUT_MS", "30000",
       "on SIGTERM, longest to wait for requests in flight"},
      {"CASECALL_HTTP_ACCESS_LOG", "on", "one JSON log line per request (on/off)"},
      {"CASECALL_TRUSTED_PROXIES", "127.0.0.1,::1",
       "addresses or CIDR networks whose X-Forwarded-For is believed"},
      {"CASECALL_DB_URL", "postgresql://casecall_{service}@127.0.0.1:55432/casecall",
       "the service's own database role; passwords come from PGPASSFILE"},
      {"CASECALL_DB_OWNER_URL", "(empty)",
       "the owner role; when set, pending migrations are applied at start"},
      {"CASECALL_DB_POOL_SIZE", "8", "database connections (one thread each)"},
      {"CASECALL_DB_QUEUE_LIMIT", "1024", "database jobs waiting before answering 503"},
      {"CASECALL_DB_STATEMENT_TIMEOUT_MS", "5000", "statement_timeout of every connection"},
      {"CASECALL_DB_CONNECT_TIMEOUT_S", "3", "longest a connection attempt may take"},
      {"CASECALL_LOG_LEVEL", "info", "debug, info, warn or error"},
      {"CASECALL_PUBLIC_URL", "http://127.0.0.1:8080",
       "where users reach the front door: links in mails; https makes cookies Secure and __Host-"},
      {"CASECALL_SESSION_IDLE_S", "86400", "a session unused this long ends"},
      {"CASECALL_SESSION_LIFETIME_S", "1209600", "a session ends this long after sign-in"},
      {"CASECALL_LOGIN_FAILURES_PER_ACCOUNT", "10", "failed sign-ins per account in the window before 429"},
      {"CASECALL_LOGIN_FAILURES_PER_ADDRESS", "50", "failed sign-ins per client address in the window before 429"},
      {"CASECALL_LOGIN_WINDOW_S", "900", "the sign-in rate-limit window"},
      {"CASECALL_RESETS_PER_ACCOUNT", "3", "password-reset (and, apart, verification) mails per account in the window"},
      {"CASECALL_RESETS_PER_ADDRESS", "20",
       "per client address in the window: password-reset and verification mails asked for, and registrations, each"},
      {"CASECALL_RESET_WINDOW_S", "3600", "the window of the two limits above"},
      {"CASECALL_SERVICE_TOKEN", "(empty)", "the token this service presents to the others' /internal/v1/"},
      {"CASECALL_PEER_TOKEN_HASHES", "(empty)",
       "name=sha256hex,...: the services allowed to call this one's /internal/v1/, by their token's SHA-256"},
      {"CASECALL_REVIEW_URL", "http://127.0.0.1:8082", "the review service's own address, for intake's hand-over of cases"},
      {"CASECALL_INTAKE_URL", "http://127.0.0.1:8081", "the intake service's own address, for review's and publish's internal calls"},
      {"CASECALL_SMTP_URL", "(empty)", "smtp://host:port of the mail relay; empty: mail waits in the outbox"},
      {"CASECALL_MAIL_FROM", "casecall <noreply@casecall.invalid>", "the From of every mail"},
      {"CASECALL_SUPPORT_ADDRESS", "support@casecall.invalid", "the address mails give for help"},
      {"CASECALL_MAIL_RETRY_MS", "2000", "first pause after a failed send of a mail, or hand-over to review; doubles up to an hour"},
      {"CASECALL_UPLOAD_DIR", "uploads", "intake: the folder of uploads (partial/ while they arrive, blobs/ by SHA-256 once whole)"},
      {"CASECALL_UPLOAD_EXPIRY_S", "259200", "intake: an unfinished upload untouched this long expires and its bytes are deleted"},
      {"CASECALL_UPLOAD_MAX_BYTES", "10737418240", "intake: the largest upload (Tus-Max-Size); each call's rules may allow less"},
      {"CASECALL_UPLOAD_SWEEP_MS", "60000", "intake: how often expired uploads are looked for and deleted"},
      {"CASECALL_UPLOAD_CHECKPOINT_BYTES", "8388608",
       "intake: during a long PATCH, the received offset is made durable (fsync and database) this often"},
      {"CASECALL_UPLOAD_CHECKPOINT_MS", "1000",
       "intake: and no more often than this, so that a fast upload is not held up by its checkpoints"},
  };
  return docs;
}

env_lookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

namespace {

class reader {
 public:
  explicit reader(const env_lookup& env) : env_(env) {}

  std::optional<std::string> raw(std::string_view name) const {
    auto value = env_(name);
    if (value && value->empty()) return std::nullopt;  // empty means "use the default"
    return value;
  }

  std::int64_t integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const {
    auto value = raw(name);
    if (!value) return fallback;
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
    if (ec != std::errc{} || end != value->data() + value->size() || parsed < min || parsed > max) {
      throw config_error(std::string(name), "expected a whole number from " + std::to_string(min) +
                                                " to " + std::to_string(max) + ", got '" +
                                                *value + "'");
    }
    return parsed;
  }

  bool boolean(std::string_view name, bool fallback) const {
    auto value = raw(name);
    if (!value) return fallback;
    if (*value == "on" || *value == "true" || *value == "1" || *value == "yes") return true;
    if (*value == "off" || *value == "false" || *value == "0" || *value == "no") return false;
    throw config_error(std::string(name), "expected on or off, got '" + *value + "'");
  }

  std::string text(std::string_view name, std::string fallback) const {
    return raw(name).value_or(std::move(fallback));
  }

 private:
  const env_lookup& env_;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void check_postgres_url(std::string_view name, const std::string& url) {
  bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  if (!uri) {
    throw config_error(std::string(name), "expected a postgresql:// URL, got '" + url + "'");
  }
  auto at = url.find('@');
  auto colon = url.find(':', url.find("//") + 2);
  auto query = url.find('?');
  auto authority_end = url.find_first_of("/?", url.find("//") + 2);
  bool password_in_authority = at != std::string::npos && colon != std::string::npos &&
                               colon < at && (authority_end == std::string::npos || at < authority_end);
  bool password_in_query = query != std::string::npos &&
                           (url.find("?password=", query) != std::string::npos ||
                            url.find("&password=", query) != std::string::npos);
  if (password_in_authority || password_in_query) {
    throw config_error(std::string(name),
                       "must not carry a password; put it in the file PGPASSFILE names");
  }
}

}  // namespace

service_config load_config(const env_lookup& env, std::string_view service,
                           std::uint16_t default_port) {
  reader r(env);
  service_config c;
  using std::chrono::milliseconds;
  using std::chrono::seconds;

  c.http.host = r.text("CASECALL_HTTP_HOST", "127.0.0.1");
  c.http.port = static_cast<std::uint16_t>(r.integer("CASECALL_HTTP_PORT", default_port, 0, 65535));
  auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  c.http.threads = static_cast<int>(r.integer("CASECALL_HTTP_THREADS", cores, 1, 256));
  c.http.max_in_flight = r.integer("CASECALL_HTTP_MAX_IN_FLIGHT", 1024, 1, 1'000'000);
  c.http.read_timeout = milliseconds(r.integer("CASECALL_HTTP_READ_TIMEOUT_MS", 30'000, 50, 3'600'000));
  c.http.idle_timeout = milliseconds(r.integer("CASECALL_HTTP_IDLE_TIMEOUT_MS", 75'000, 50, 3'600'000));
  c.http.shutdown_timeout =
      milliseconds(r.integer("CASECALL_HTTP_SHUTDOWN_TIMEOUT_MS", 30'000, 0, 3'600'000));
  c.http.access_log = r.boolean("CASECALL_HTTP_ACCESS_LOG", true);
  c.http.trusted_proxies = split_list(r.text("CASECALL_TRUSTED_PROXIES", "127.0.0.1,::1"));
  try {
    http::proxy_trust check(c.http.trusted_proxies);
  } catch (const std::invalid_argument& e) {
    throw config_error("CASECALL_TRUSTED_PROXIES", e.what());
  }
  // The host must be an address: resolving names at start-up would hide mistakes.
  try {
    if (c.http.host.find('/') != std::string::npos) throw std::invalid_argument(c.http.host);
    http::proxy_trust parse_only({c.http.host});
  } catch (const std::invalid_argument&) {
    throw config_error("CASECALL_HTTP_HOST", "expected an IP address, got '" + c.http.host + "'");
  }

  c.db.url = r.text("CASECALL_DB_URL",
                    "postgresql://casecall_" + std::string(service) + "@127.0.0.1:55432/casecall");
  check_postgres_url("CASECALL_DB_URL", c.db.url);
  c.db_owner_url = r.text("CASECALL_DB_OWNER_URL", "");
  if (!c.db_owner_url.empty()) check_postgres_url("CASECALL_DB_OWNER_URL", c.db_owner_url);
  c.db.size = static_cast<int>(r.integer("CASECALL_DB_POOL_SIZE", 8, 1, 256));
  c.db.queue_limit = static_cast<std::size_t>(r.integer("CASECALL_DB_QUEUE_LIMIT", 1024, 1, 1'000'000));
  c.db.statement_timeout =
      milliseconds(r.integer("CASECALL_DB_STATEMENT_TIMEOUT_MS", 5'000, 1, 3'600'000));
  c.db.connect_timeout = seconds(r.integer("CASECALL_DB_CONNECT_TIMEOUT_S", 3, 1, 600));
  c.db.application_name = "casecall-" + std::string(service);

  auto level_text = r.text("CASECALL_LOG_LEVEL", "info");
  auto level = log::parse_level(level_text);
  if (!level) {
    throw config_error("CASECALL_LOG_LEVEL",
                       "expected debug, info, warn or error, got '" + level_text + "'");
  }
  c.log_level = *level;

  auto& a = c.auth;
  a.public_url = r.text("CASECALL_PUBLIC_URL", a.public_url);
  if (a.public_url.rfind("https://", 0) == 0) {
    a.secure_cookies = true;
  } else if (a.public_url.rfind("http://", 0) != 0) {
    throw config_error("CASECALL_PUBLIC_URL", "expected an http:// or https:// URL, got '" + a.public_url + "'");
  }
  while (!a.public_url.empty() && a.public_url.back() == '/') a.public_url.pop_back();
  a.session_idle = seconds(r.integer("CASECALL_SESSION_IDLE_S", 86'400, 60, 31'536'000));
  a.session_lifetime = seconds(r.integer("CASECALL_SESSION_LIFETIME_S", 1'209'600, 60, 31'536'000));
  a.login_failures_per_account = static_cast<int>(r.integer("CASECALL_LOGIN_FAILURES_PER_ACCOUNT", 10, 1, 1'000'000));
  a.login_failures_per_address = static_cast<int>(r.integer("CASECALL_LOGIN_FAILURES_PER_ADDRESS", 50, 1, 1'000'000));
  a.login_window = seconds(r.integer("CASECALL_LOGIN_WINDOW_S", 900, 1, 86'400));
  a.resets_per_account = static_cast<int>(r.integer("CASECALL_RESETS_PER_ACCOUNT", 3, 1, 1'000'000));
  a.resets_per_address = static_cast<int>(r.integer("CASECALL_RESETS_PER_ADDRESS", 20, 1, 1'000'000));
  a.reset_window = seconds(r.integer("CASECALL_RESET_WINDOW_S", 3600, 1, 86'400));
  a.service_token = r.text("CASECALL_SERVICE_TOKEN", "");
  a.review_url = r.text("CASECALL_REVIEW_URL", a.review_url);
  if (a.review_url.rfind("http://", 0) != 0 && a.review_url.rfind("https://", 0) != 0) {
    throw config_error("CASECALL_REVIEW_URL", "expected an http:// or https:// URL, got '" + a.review_url + "'");
  }
  while (!a.review_url.empty() && a.review_url.back() == '/') a.review_url.pop_back();
  a.intake_url = r.text("CASECALL_INTAKE_URL", a.intake_url);
  if (a.intake_url.rfind("http://", 0) != 0 && a.intake_url.rfind("https://", 0) != 0) {
    throw config_error("CASECALL_INTAKE_URL", "expected an http:// or https:// URL, got '" + a.intake_url + "'");
  }
  while (!a.intake_url.empty() && a.intake_url.back() == '/') a.intake_url.pop_back();
  if (!a.service_token.empty() && a.service_token.size() < 32) {
    throw config_error("CASECALL_SERVICE_TOKEN", "must be at least 32 characters");
  }
  for (const auto& entry : split_list(r.text("CASECALL_PEER_TOKEN_HASHES", ""))) {
    auto eq = entry.find('=');
    auto hash = eq == std::string::npos ? std::string() : entry.substr(eq + 1);
    bool hex = hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (eq == 0 || eq == std::string::npos || !hex) {
      throw config_error("CASECALL_PEER_TOKEN_HASHES",
                         "expected name=<64 lowercase hex digits>, got '" + entry + "'");
    }
    a.peer_token_hashes.emplace_back(entry.substr(0, eq), hash);
  }

  auto& m = c.mail;
  m.smtp_url = r.text("CASECALL_SMTP_URL", "");
  if (!m.smtp_url.empty() && m.smtp_url.rfind("smtp://", 0) != 0 && m.smtp_url.rfind("smtps://", 0) != 0) {
    throw config_error("CASECALL_SMTP_URL", "expected smtp:// or smtps://, got '" + m.smtp_url + "'");
  }
  m.from = r.text("CASECALL_MAIL_FROM", m.from);
  m.support_address = r.text("CASECALL_SUPPORT_ADDRESS", m.support_address);
  m.retry_base = milliseconds(r.integer("CASECALL_MAIL_RETRY_MS", 2'000, 1, 3'600'000));

  auto& u = c.uploads;
  u.dir = r.text("CASECALL_UPLOAD_DIR", u.dir);
  if (u.dir.empty()) throw config_error("CASECALL_UPLOAD_DIR", "must not be empty");
  u.expiry = std::chrono::seconds(r.integer("CASECALL_UPLOAD_EXPIRY_S", 259'200, 1, 365 * 86'400));
  u.max_bytes = static_cast<std::uint64_t>(
      r.integer("CASECALL_UPLOAD_MAX_BYTES", 10'737'418'240, 1, std::int64_t{1} << 50));
  u.sweep_interval = milliseconds(r.integer("CASECALL_UPLOAD_SWEEP_MS", 60'000, 10, 86'400'000));
  u.checkpoint_bytes = static_cast<std::uint64_t>(
      r.integer("CASECALL_UPLOAD_CHECKPOINT_BYTES", 8'388'608, 65'536, std::int64_t{1} << 40));
  u.checkpoint_interval = milliseconds(r.integer("CASECALL_UPLOAD_CHECKPOINT_MS", 1'000, 0, 3'600'000));
  return c;
}

std::vector<std::string> unknown_variables(const std::vector<std::string>& names) {
  std::vector<std::string> unknown;
  const auto& docs = documented_variables();
  for (const auto& name : names) {
    if (name.rfind("CASECALL_", 0) != 0) continue;
    // The test harness's own variables, not the services'.
    if (name.rfind("CASECALL_TEST_", 0) == 0 || name.rfind("CASECALL_E2E_", 0) == 0) continue;
    bool known = std::any_of(docs.begin(), docs.end(), [&](const auto& d) { return d.name == name; });
    if (!known) unknown.push_back(name);
  }
  return unknown;
}

}  // namespace casecall::service
