#include "db/errors.hpp"

#include "json_printer.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <optional>
#include <stdexcept>
#include <string>

namespace {

using casecall::db::is_retryable_sqlstate;
using casecall::db::problem_for_sqlstate;
using casecall::http::problem;

// The status and code a SQLSTATE becomes; "(unexpected)" for nullopt.
std::string mapping(const char* sqlstate) {
  auto p = problem_for_sqlstate(sqlstate);
  if (!p) return "(unexpected)";
  return std::to_string(p->status) + " " + p->code;
}

problem translated(std::exception_ptr error) {
  auto result = casecall::db::translate(error);
  try {
    std::rethrow_exception(result);
  } catch (const casecall::http::problem_error& e) {
    return e.details();
  } catch (...) {
    ADD_FAILURE() << "not translated to a problem_error";
  }
  return {};
}

}  // namespace

TEST(db_errors, unique_violation_is_409_already_exists) {
  EXPECT_EQ(mapping("23505"), "409 already_exists");
}

TEST(db_errors, foreign_key_check_and_not_null_are_422_constraint_violation) {
  EXPECT_EQ(mapping("23503"), "422 constraint_violation");
  EXPECT_EQ(mapping("23514"), "422 constraint_violation");
  EXPECT_EQ(mapping("23502"), "422 constraint_violation");
  EXPECT_EQ(mapping("23P01"), "422 constraint_violation");
}

TEST(db_errors, bad_value_is_422_invalid_value) {
  EXPECT_EQ(mapping("22P02"), "422 invalid_value");
  EXPECT_EQ(mapping("22001"), "422 invalid_value");
  EXPECT_EQ(mapping("22003"), "422 invalid_value");
}

TEST(db_errors, serialization_failure_and_deadlock_are_503_contention_with_retry_after) {
  for (const char* state : {"40001", "40P01"}) {
    auto p = problem_for_sqlstate(state);
    ASSERT_TRUE(p.has_value()) << state;
    EXPECT_EQ(p->status, 503u) << state;
    EXPECT_EQ(p->code, "contention") << state;
    EXPECT_FALSE(p->to_response().header("Retry-After").empty()) << state;
  }
}

TEST(db_errors, statement_timeout_is_503_database_timeout) {
  auto p = problem_for_sqlstate("57014");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->status, 503u);
  EXPECT_EQ(p->code, "database_timeout");
  EXPECT_FALSE(p->to_response().header("Retry-After").empty());
}

TEST(db_errors, lost_connection_and_shutdown_are_503_database_unavailable) {
  for (const char* state : {"08006", "08001", "08003", "57P01", "57P02", "57P03", "53300"}) {
    EXPECT_EQ(mapping(state), "503 database_unavailable") << state;
    EXPECT_FALSE(problem_for_sqlstate(state)->to_response().header("Retry-After").empty()) << state;
  }
}

TEST(db_errors, other_states_are_unexpected) {
  for (const char* state : {"42P01", "42601", "42501", "XX000", "P0001", "", "2"}) {
    EXPECT_EQ(mapping(state), "(unexpected)") << '"' << state << '"';
  }
}

TEST(db_errors, mapped_problems_say_nothing_of_the_database_internals) {
  auto p = problem_for_sqlstate("23505");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->detail.find("23505"), std::string::npos);
  EXPECT_EQ(p->to_json().at("type"), "urn:casecall:problem:already_exists");
}

TEST(db_errors, only_serialization_failure_and_deadlock_are_retryable) {
  EXPECT_TRUE(is_retryable_sqlstate("40001"));
  EXPECT_TRUE(is_retryable_sqlstate("40P01"));
  for (const char* state : {"23505", "57014", "08006", "40002", "40000", "", "4000"}) {
    EXPECT_FALSE(is_retryable_sqlstate(state)) << '"' << state << '"';
  }
}

TEST(db_errors, translate_maps_sql_errors_with_a_known_sqlstate) {
  auto p = translated(std::make_exception_ptr(
      pqxx::unique_violation("duplicate key value violates unique constraint", "INSERT ...", "23505")));
  EXPECT_EQ(p.status, 409u);
  EXPECT_EQ(p.code, "already_exists");
}

TEST(db_errors, translate_maps_a_broken_connection_to_503) {
  auto p = translated(std::make_exception_ptr(pqxx::broken_connection("server closed the connection")));
  EXPECT_EQ(p.status, 503u);
  EXPECT_EQ(p.code, "database_unavailable");
}

TEST(db_errors, translate_passes_unexpected_errors_through_unchanged) {
  auto syntax = std::make_exception_ptr(pqxx::syntax_error("syntax error", "SELEC 1", "42601"));
  EXPECT_EQ(casecall::db::translate(syntax), syntax);
  auto other = std::make_exception_ptr(std::logic_error("bug"));
  EXPECT_EQ(casecall::db::translate(other), other);
  EXPECT_EQ(casecall::db::translate(nullptr), nullptr);
}
