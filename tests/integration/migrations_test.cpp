// The migrations runner and the rights it leaves: each service role writes only its own
// schema, reads its history but cannot rewrite it.
#include "db/migrations.hpp"
#include "environment.hpp"
#include "intake/service.hpp"
#include "review/service.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <thread>

using namespace casecall::testing;
namespace db = casecall::db;

namespace {

db::migration_set sample_set() {
  return {"sample",
          {{1, "0001_cases.sql", "CREATE TABLE cases (id bigserial PRIMARY KEY, title text NOT NULL);"},
           {2, "0002_notes.sql", "CREATE TABLE notes (case_id bigint REFERENCES cases (id), body text);"}}};
}

class migrations : public ::testing::Test {
 protected:
  scratch_database scratch;
  pqxx::connection owner{scratch.url("casecall_owner")};

  void exec_as(const std::string& role, const std::string& sql) {
    pqxx::connection c(scratch.url(role));
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }
};

TEST_F(migrations, apply_creates_the_schema_and_records_each_file_with_its_checksum) {
  auto applied = db::apply(owner, sample_set(), "casecall_intake");
  EXPECT_EQ(applied, (std::vector<std::string>{"0001_cases.sql", "0002_notes.sql"}));
  pqxx::nontransaction tx(owner);
  auto rows = tx.exec("SELECT version, file, checksum FROM sample.schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1].as<std::string>(), "0002_notes.sql");
  EXPECT_EQ(rows[1][2].as<std::string>(), db::checksum(sample_set().migrations[1].sql));
}

TEST_F(migrations, applying_again_changes_nothing) {
  db::apply(owner, sample_set(), "casecall_intake");
  EXPECT_TRUE(db::apply(owner, sample_set(), "casecall_intake").empty());
}

TEST_F(migrations, only_new_files_are_applied_to_an_existing_history) {
  auto first = sample_set();
  first.migrations.pop_back();
  db::apply(owner, first, "casecall_intake");
  EXPECT_EQ(db::apply(owner, sample_set(), "casecall_intake"), (std::vector<std::string>{"0002_notes.sql"}));
}

TEST_F(migrations, a_file_changed_after_it_was_applied_is_refused_by_apply_and_verify) {
  db::apply(owner, sample_set(), "casecall_intake");
  auto edited = sample_set();
  edited.migrations[0].sql += " -- edited";
  try {
    db::apply(owner, edited, "casecall_intake");
    FAIL() << "apply accepted a changed migration";
  } catch (const db::migration_error& e) {
    EXPECT_NE(std::string(e.what()).find("0001_cases.sql"), std::string::npos);
  }
  pqxx::connection service(scratch.url("casecall_intake"));
  EXPECT_THROW(db::verify(service, edited), db::migration_error);
  EXPECT_NO_THROW(db::verify(service, sample_set()));
}

TEST_F(migrations, verify_refuses_pending_and_unknown_migrations) {
  auto first = sample_set();
  first.migrations.pop_back();
  db::apply(owner, first, "casecall_intake");
  pqxx::connection service(scratch.url("casecall_intake"));
  EXPECT_THROW(db::verify(service, sample_set()), db::migration_error);  // 0002 pending
  db::apply(owner, sample_set(), "casecall_intake");
  EXPECT_THROW(db::verify(service, first), db::migration_error);  // 0002 unknown to this build
}

TEST_F(migrations, a_failing_migration_leaves_nothing_of_itself_and_names_the_file) {
  auto broken = sample_set();
  broken.migrations[1].sql = "CREATE TABLE half (id int); SELECT no_such_function();";
  try {
    db::apply(owner, broken, "casecall_intake");
    FAIL() << "a failing migration was accepted";
  } catch (const db::migration_error& e) {
    EXPECT_NE(std::string(e.what()).find("0002_notes.sql"), std::string::npos);
  }
  pqxx::nontransaction tx(owner);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM sample.schema_migrations")[0].as<int>(), 1);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('sample.half') IS NULL")[0].as<bool>());
}

TEST_F(migrations, concurrent_runners_apply_each_file_once) {
  std::vector<std::size_t> counts(4);
  std::vector<std::thread> runners;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    runners.emplace_back([&, i] {
      pqxx::connection c(scratch.url("casecall_owner"));
      counts[i] = db::apply(c, sample_set(), "casecall_intake").size();
    });
  }
  for (auto& t : runners) t.join();
  std::size_t total = 0;
  for (auto n : counts) total += n;
  EXPECT_EQ(total, 2u);
}

TEST_F(migrations, the_service_role_writes_its_own_tables_and_nothing_else) {
  db::apply(owner, sample_set(), "casecall_intake");
  db::apply(owner, {"other", {{1, "0001_x.sql", "CREATE TABLE things (id int);"}}}, "casecall_review");

  EXPECT_NO_THROW(exec_as("casecall_intake", "INSERT INTO sample.cases (title) VALUES ('ok')"));
  EXPECT_NO_THROW(exec_as("casecall_intake", "UPDATE sample.cases SET title = 'still ok'"));
  // Not the schema's history, not its structure, not another service's schema.
  EXPECT_THROW(exec_as("casecall_intake", "DELETE FROM sample.schema_migrations"), pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as("casecall_intake", "CREATE TABLE sample.extra (id int)"), pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as("casecall_intake", "INSERT INTO other.things VALUES (1)"), pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as("casecall_intake", "SELECT * FROM other.things"), pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as("casecall_intake", "CREATE TABLE public.stray (id int)"), pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as("casecall_review", "INSERT INTO sample.cases (title) VALUES ('no')"), pqxx::insufficient_privilege);
}

TEST_F(migrations, each_service_ships_a_valid_history) {
  for (const auto* set : {&casecall::intake::migrations(), &casecall::review::migrations()}) {
    ASSERT_FALSE(set->migrations.empty());
    int previous = 0;
    for (const auto& m : set->migrations) {
      EXPECT_GT(m.version, previous) << m.file;
      previous = m.version;
    }
  }
}

}  // namespace
