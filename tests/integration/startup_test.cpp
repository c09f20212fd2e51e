// What a service does before it serves: check its configuration and its schema, and refuse
// to start, saying why, when either is wrong.
#include "environment.hpp"
#include "intake_stack.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <memory>

using namespace casecall::testing;
using namespace std::chrono_literals;

namespace {

struct outcome {
  int code;
  std::string output;
};

outcome run_binary(const std::string& binary, std::map<std::string, std::string> env,
                   std::vector<std::string> args = {}) {
  child_process p(bin_dir() + "/" + binary, args, env);
  auto code = p.wait_exit(30s);
  if (!code) p.signal(SIGKILL);
  return {code.value_or(-1), p.output()};
}

TEST(startup, a_bad_value_stops_the_service_with_exit_2_naming_the_variable) {
  const std::map<std::string, std::string> bad{
      {"CASECALL_HTTP_PORT", "eighty"},
      {"CASECALL_HTTP_THREADS", "0"},
      {"CASECALL_HTTP_READ_TIMEOUT_MS", "-5"},
      {"CASECALL_DB_URL", "mysql://localhost/casecall"},
      {"CASECALL_LOG_LEVEL", "chatty"},
      {"CASECALL_TRUSTED_PROXIES", "10.0.0.0/99"},
  };
  for (const auto& [variable, value] : bad) {
    auto result = run_binary("casecall-review", {{variable, value}});
    EXPECT_EQ(result.code, 2) << variable;
    EXPECT_NE(result.output.find(variable), std::string::npos) << result.output;
    EXPECT_NE(result.output.find(value), std::string::npos) << result.output;
  }
}

TEST(startup, an_unknown_argument_is_refused_with_exit_2) {
  auto result = run_binary("casecall-publish", {}, {"--frobnicate"});
  EXPECT_EQ(result.code, 2);
  EXPECT_NE(result.output.find("--frobnicate"), std::string::npos);
}

TEST(startup, routes_prints_the_route_table_with_each_routes_access) {
  auto result = run_binary("casecall-intake", {}, {"--routes"});
  ASSERT_EQ(result.code, 0) << result.output;
  auto table = nlohmann::json::parse(result.output);
  bool found = false;
  for (const auto& r : table) {
    EXPECT_NE(r.at("access"), "undeclared");
    found = found || (r.at("path") == "/api/intake/v1/healthz" && r.at("method") == "GET");
  }
  EXPECT_TRUE(found);
}

TEST(startup, an_unreachable_database_stops_the_service_with_exit_1) {
  auto result = run_binary("casecall-intake",
                           {{"CASECALL_DB_URL", "postgresql://casecall_intake@127.0.0.1:1/casecall"},
                            {"CASECALL_DB_OWNER_URL", ""}, {"CASECALL_HTTP_PORT", "0"}});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.output.find("database unreachable at start"), std::string::npos) << result.output;
}

TEST(startup, without_an_owner_url_an_unmigrated_schema_is_refused) {
  scratch_database db;
  auto result = run_binary("casecall-review", {{"CASECALL_DB_URL", db.url("casecall_review")},
                                               {"CASECALL_DB_OWNER_URL", ""},
                                               {"CASECALL_HTTP_PORT", "0"}});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.output.find("schema check failed"), std::string::npos) << result.output;
}

TEST(startup, a_migration_changed_after_it_was_applied_stops_the_service_naming_the_file) {
  scratch_database db;
  {
    running_service first("casecall-intake", "intake", db.name());
    first.process().signal(SIGTERM);
    ASSERT_EQ(first.process().wait_exit(10s), 0);
  }
  admin_exec(db.name(), "UPDATE intake.schema_migrations SET checksum = 'edited' WHERE version = 1");
  auto result = run_binary("casecall-intake", {{"CASECALL_DB_URL", db.url("casecall_intake")},
                                               {"CASECALL_DB_OWNER_URL", db.url("casecall_owner")},
                                               {"CASECALL_HTTP_PORT", "0"}});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.output.find("0001_schema.sql"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("changed after it was applied"), std::string::npos) << result.output;
}

TEST(startup, replicas_started_together_apply_each_migration_once) {
  scratch_database db;
  std::vector<std::unique_ptr<child_process>> replicas;
  for (int i = 0; i < 3; ++i) {
    replicas.push_back(std::make_unique<child_process>(
        bin_dir() + "/casecall-publish", std::vector<std::string>{},
        std::map<std::string, std::string>{{"CASECALL_HTTP_PORT", "0"},
                                           {"CASECALL_DB_URL", db.url("casecall_publish")},
                                           {"CASECALL_DB_OWNER_URL", db.url("casecall_owner")}}));
  }
  int applied = 0;
  for (auto& r : replicas) {
    // Its own schema's line (the shared schemas, audit and identity, come first).
    auto line = r->wait_for_line("\"schema\":\"publish\"", 30s);
    ASSERT_TRUE(line) << r->output();
    applied += static_cast<int>(nlohmann::json::parse(*line).at("applied").size());
    ASSERT_TRUE(r->wait_for_line("\"msg\":\"listening\"", 30s)) << r->output();
  }
  // One replica applied each of publish's migrations; the others found them done.
  int files = 0;
  for (const auto& f : std::filesystem::directory_iterator(source_dir() + "/services/publish/migrations")) {
    files += f.path().extension() == ".sql" ? 1 : 0;
  }
  EXPECT_GE(files, 5);
  EXPECT_EQ(applied, files);
}

}  // namespace
