#include "service/config.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using casecall::service::config_error;
using casecall::service::env_lookup;
using casecall::service::load_config;
using casecall::service::service_config;
using casecall::service::unknown_variables;

env_lookup fake_env(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

service_config load(std::map<std::string, std::string, std::less<>> vars = {}) {
  return load_config(fake_env(std::move(vars)), "intake", 8081);
}

// The variable a config_error names, or "(accepted)" when the value loads.
std::string refused_variable(const std::string& name, const std::string& value) {
  try {
    (void)load({{name, value}});
  } catch (const config_error& e) {
    return e.variable();
  }
  return "(accepted)";
}

}  // namespace

TEST(config, defaults_work_locally) {
  auto c = load();
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.http.port, 8081);
  EXPECT_GE(c.http.threads, 1);
  EXPECT_EQ(c.http.max_in_flight, 1024);
  EXPECT_EQ(c.http.read_timeout.count(), 30'000);
  EXPECT_EQ(c.http.idle_timeout.count(), 75'000);
  EXPECT_EQ(c.http.shutdown_timeout.count(), 30'000);
  EXPECT_TRUE(c.http.access_log);
  EXPECT_EQ(c.http.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.db.size, 8);
  EXPECT_EQ(c.db.queue_limit, 1024u);
  EXPECT_EQ(c.db.statement_timeout.count(), 5'000);
  EXPECT_EQ(c.db.connect_timeout.count(), 3);
  EXPECT_TRUE(c.db_owner_url.empty());
  EXPECT_EQ(c.log_level, casecall::log::level::info);
}

TEST(config, default_threads_follow_the_cores) {
  auto cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(load().http.threads, cores);
}

TEST(config, default_database_url_is_the_service_role_on_port_55432) {
  auto c = load();
  EXPECT_NE(c.db.url.find("casecall_intake"), std::string::npos) << c.db.url;
  EXPECT_NE(c.db.url.find(":55432"), std::string::npos) << c.db.url;
  EXPECT_EQ(c.db.url.rfind("postgresql://", 0), 0u) << c.db.url;
  EXPECT_EQ(c.db.application_name, "casecall-intake");
  auto review = load_config(fake_env({}), "review", 8082);
  EXPECT_NE(review.db.url.find("casecall_review"), std::string::npos);
  EXPECT_EQ(review.http.port, 8082);
}

TEST(config, values_from_the_environment_are_used) {
  auto c = load({{"CASECALL_HTTP_HOST", "::"},
                 {"CASECALL_HTTP_PORT", "0"},
                 {"CASECALL_HTTP_THREADS", "3"},
                 {"CASECALL_HTTP_ACCESS_LOG", "off"},
                 {"CASECALL_HTTP_SHUTDOWN_TIMEOUT_MS", "0"},
                 {"CASECALL_TRUSTED_PROXIES", " 10.0.0.0/8 , fd00::/8,, 192.0.2.1 "},
                 {"CASECALL_DB_URL", "postgres://svc@db.internal:5432/casecall?sslmode=require"},
                 {"CASECALL_DB_OWNER_URL", "postgresql://owner@db.internal/casecall"},
                 {"CASECALL_DB_POOL_SIZE", "16"},
                 {"CASECALL_LOG_LEVEL", "debug"}});
  EXPECT_EQ(c.http.host, "::");
  EXPECT_EQ(c.http.port, 0);
  EXPECT_EQ(c.http.threads, 3);
  EXPECT_FALSE(c.http.access_log);
  EXPECT_EQ(c.http.shutdown_timeout.count(), 0);
  EXPECT_EQ(c.http.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8", "192.0.2.1"}));
  EXPECT_EQ(c.db.url, "postgres://svc@db.internal:5432/casecall?sslmode=require");
  EXPECT_EQ(c.db_owner_url, "postgresql://owner@db.internal/casecall");
  EXPECT_EQ(c.db.size, 16);
  EXPECT_EQ(c.log_level, casecall::log::level::debug);
}

TEST(config, access_log_accepts_the_usual_spellings) {
  for (const char* on : {"on", "true", "1", "yes"}) {
    EXPECT_TRUE(load({{"CASECALL_HTTP_ACCESS_LOG", on}}).http.access_log) << on;
  }
  for (const char* off : {"off", "false", "0", "no"}) {
    EXPECT_FALSE(load({{"CASECALL_HTTP_ACCESS_LOG", off}}).http.access_log) << off;
  }
}

TEST(config, empty_string_means_default) {
  auto c = load({{"CASECALL_HTTP_PORT", ""},
                 {"CASECALL_HTTP_HOST", ""},
                 {"CASECALL_LOG_LEVEL", ""},
                 {"CASECALL_DB_URL", ""},
                 {"CASECALL_HTTP_ACCESS_LOG", ""}});
  EXPECT_EQ(c.http.port, 8081);
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.log_level, casecall::log::level::info);
  EXPECT_NE(c.db.url.find("casecall_intake"), std::string::npos);
  EXPECT_TRUE(c.http.access_log);
}

TEST(config, each_bad_value_is_refused_naming_its_variable) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"CASECALL_HTTP_PORT", "abc"},
      {"CASECALL_HTTP_PORT", "70000"},
      {"CASECALL_HTTP_PORT", "-1"},
      {"CASECALL_HTTP_PORT", "80 "},
      {"CASECALL_HTTP_PORT", "8080x"},
      {"CASECALL_HTTP_THREADS", "0"},
      {"CASECALL_HTTP_MAX_IN_FLIGHT", "0"},
      {"CASECALL_HTTP_READ_TIMEOUT_MS", "-5"},
      {"CASECALL_HTTP_IDLE_TIMEOUT_MS", "-1"},
      {"CASECALL_HTTP_SHUTDOWN_TIMEOUT_MS", "-1"},
      {"CASECALL_DB_STATEMENT_TIMEOUT_MS", "-100"},
      {"CASECALL_DB_CONNECT_TIMEOUT_S", "0"},
      {"CASECALL_DB_POOL_SIZE", "0"},
      {"CASECALL_DB_QUEUE_LIMIT", "99999999999999999999"},
      {"CASECALL_LOG_LEVEL", "loud"},
      {"CASECALL_LOG_LEVEL", "INFO"},
      {"CASECALL_HTTP_ACCESS_LOG", "maybe"},
      {"CASECALL_DB_URL", "mysql://u@h/db"},
      {"CASECALL_DB_URL", "host=127.0.0.1 dbname=casecall"},
      {"CASECALL_DB_URL", "postgresql://u:secret@h/db"},
      {"CASECALL_DB_OWNER_URL", "http://owner@h/db"},
      {"CASECALL_DB_OWNER_URL", "postgres://owner:hunter2@h:5432/db"},
      {"CASECALL_TRUSTED_PROXIES", "10.0.0.0/99"},
      {"CASECALL_TRUSTED_PROXIES", "127.0.0.1,proxy.internal"},
      {"CASECALL_HTTP_HOST", "not-an-ip"},
      {"CASECALL_HTTP_HOST", "localhost"},
      {"CASECALL_HTTP_HOST", "10.0.0.0/8"},
  };
  for (const auto& [name, value] : bad) {
    EXPECT_EQ(refused_variable(name, value), name) << name << "=" << value;
  }
}

TEST(config, config_error_message_names_the_variable_and_the_value) {
  try {
    (void)load({{"CASECALL_HTTP_PORT", "abc"}});
    FAIL() << "port 'abc' was accepted";
  } catch (const config_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("CASECALL_HTTP_PORT"), std::string::npos) << what;
    EXPECT_NE(what.find("abc"), std::string::npos) << what;
  }
}

TEST(config, password_error_does_not_echo_the_password) {
  try {
    (void)load({{"CASECALL_DB_URL", "postgresql://u:secret@h/db"}});
    FAIL() << "a password in the URL was accepted";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
  }
}

TEST(config, url_with_port_but_no_password_is_accepted) {
  EXPECT_EQ(refused_variable("CASECALL_DB_URL", "postgresql://casecall_intake@127.0.0.1:5433/casecall"),
            "(accepted)");
  EXPECT_EQ(refused_variable("CASECALL_DB_URL", "postgresql://db.internal:5432/casecall"), "(accepted)");
}

// Library bug (see report): libpq also takes a password from the URI's query string, and
// check_postgres_url only looks at user:password@.
TEST(config, password_in_url_query_is_refused) {
  EXPECT_EQ(refused_variable("CASECALL_DB_URL", "postgresql://u@h/db?password=secret"),
            "CASECALL_DB_URL");
  EXPECT_EQ(refused_variable("CASECALL_DB_URL", "postgresql://h/db?user=u&password=secret"),
            "CASECALL_DB_URL");
}

TEST(config, port_bounds_are_accepted) {
  EXPECT_EQ(load({{"CASECALL_HTTP_PORT", "65535"}}).http.port, 65535);
  EXPECT_EQ(load({{"CASECALL_HTTP_PORT", "1"}}).http.port, 1);
}

TEST(config, unknown_variables_finds_casecall_typos_only) {
  auto unknown = unknown_variables({"CASECALL_HTTP_PROT", "CASECALL_HTTP_PORT", "CASECALL_DB_URL",
                                    "CASECALL_LOG_LEVEL", "HOME", "PATH", "casecall_http_port",
                                    "PGPASSFILE", "CASECALL_DBURL"});
  EXPECT_EQ(unknown, (std::vector<std::string>{"CASECALL_HTTP_PROT", "CASECALL_DBURL"}));
}

TEST(config, every_documented_variable_is_known_and_read) {
  std::vector<std::string> names;
  for (const auto& doc : casecall::service::documented_variables()) {
    EXPECT_EQ(doc.name.rfind("CASECALL_", 0), 0u) << doc.name;
    EXPECT_FALSE(doc.meaning.empty()) << doc.name;
    names.emplace_back(doc.name);
  }
  EXPECT_TRUE(unknown_variables(names).empty());
  // A documented variable that load_config never reads would be a lie in --help.
  std::vector<std::string> read;
  env_lookup spy = [&read](std::string_view name) -> std::optional<std::string> {
    read.emplace_back(name);
    return std::nullopt;
  };
  (void)load_config(spy, "intake", 8081);
  for (const auto& name : names) {
    EXPECT_NE(std::find(read.begin(), read.end(), name), read.end()) << name << " is never read";
  }
}

TEST(config, identity_and_mail_settings_default_to_a_local_stack) {
  auto c = load();
  EXPECT_EQ(c.auth.public_url, "http://127.0.0.1:8080");
  EXPECT_FALSE(c.auth.secure_cookies);
  EXPECT_EQ(c.auth.session_idle.count(), 86'400);
  EXPECT_EQ(c.auth.session_lifetime.count(), 1'209'600);
  EXPECT_EQ(c.auth.login_failures_per_account, 10);
  EXPECT_EQ(c.auth.login_window.count(), 900);
  EXPECT_TRUE(c.auth.peer_token_hashes.empty());
  EXPECT_TRUE(c.mail.smtp_url.empty());
}

TEST(config, an_https_public_url_makes_cookies_secure) {
  auto c = load({{"CASECALL_PUBLIC_URL", "https://cases.example.org/"}});
  EXPECT_TRUE(c.auth.secure_cookies);
  EXPECT_EQ(c.auth.public_url, "https://cases.example.org");
}

TEST(config, peer_token_hashes_are_name_and_sha256) {
  const std::string hash(64, 'a');
  auto c = load({{"CASECALL_PEER_TOKEN_HASHES", "review=" + hash + ", publish=" + std::string(64, 'b')}});
  ASSERT_EQ(c.auth.peer_token_hashes.size(), 2u);
  EXPECT_EQ(c.auth.peer_token_hashes[0], (std::pair<std::string, std::string>{"review", hash}));
}

TEST(config, bad_identity_and_mail_values_name_their_variable) {
  EXPECT_EQ(refused_variable("CASECALL_PUBLIC_URL", "ftp://cases.example.org"), "CASECALL_PUBLIC_URL");
  EXPECT_EQ(refused_variable("CASECALL_PEER_TOKEN_HASHES", "review=abc"), "CASECALL_PEER_TOKEN_HASHES");
  EXPECT_EQ(refused_variable("CASECALL_PEER_TOKEN_HASHES", std::string(64, 'a')), "CASECALL_PEER_TOKEN_HASHES");
  EXPECT_EQ(refused_variable("CASECALL_SERVICE_TOKEN", "too-short"), "CASECALL_SERVICE_TOKEN");
  EXPECT_EQ(refused_variable("CASECALL_SMTP_URL", "mail.example.org:25"), "CASECALL_SMTP_URL");
  EXPECT_EQ(refused_variable("CASECALL_LOGIN_FAILURES_PER_ACCOUNT", "0"), "CASECALL_LOGIN_FAILURES_PER_ACCOUNT");
  EXPECT_EQ(refused_variable("CASECALL_SESSION_IDLE_S", "forever"), "CASECALL_SESSION_IDLE_S");
  EXPECT_EQ(refused_variable("CASECALL_SMTP_URL", "smtp://127.0.0.1:2525"), "(accepted)");
}

TEST(config, upload_settings_load_and_bad_values_name_their_variable) {
  const auto c = load({{"CASECALL_UPLOAD_DIR", "/srv/uploads"},
                       {"CASECALL_UPLOAD_CHECKPOINT_BYTES", "65536"},
                       {"CASECALL_UPLOAD_CHECKPOINT_MS", "0"}});
  EXPECT_EQ(c.uploads.dir, "/srv/uploads");
  EXPECT_EQ(c.uploads.checkpoint_bytes, 65536u);
  EXPECT_EQ(c.uploads.checkpoint_interval, std::chrono::milliseconds(0));
  EXPECT_EQ(load().uploads.checkpoint_interval, std::chrono::milliseconds(1000));
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"CASECALL_UPLOAD_EXPIRY_S", "0"},
           {"CASECALL_UPLOAD_MAX_BYTES", "0"},
           {"CASECALL_UPLOAD_SWEEP_MS", "5"},
           {"CASECALL_UPLOAD_CHECKPOINT_BYTES", "65535"},
           {"CASECALL_UPLOAD_CHECKPOINT_MS", "-1"},
           {"CASECALL_UPLOAD_CHECKPOINT_MS", "3600001"},
           {"CASECALL_UPLOAD_CHECKPOINT_MS", "soon"}}) {
    EXPECT_EQ(refused_variable(name, value), name) << name << "=" << value;
  }
}

TEST(config, the_test_harness_variables_are_not_typos) {
  EXPECT_TRUE(unknown_variables({"CASECALL_TEST_BIN_DIR", "CASECALL_E2E_SERVICES"}).empty());
}
