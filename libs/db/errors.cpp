#include "db/errors.hpp"

#include "log/log.hpp"

#include <pqxx/pqxx>

namespace casecall::db {

namespace {
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

bool is_retryable_sqlstate(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

bool is_retryable(const pqxx::failure& error) {
  if (dynamic_cast<const pqxx::serialization_failure*>(&error)) return true;
  if (dynamic_cast<const pqxx::deadlock_detected*>(&error)) return true;
  auto* sql = dynamic_cast<const pqxx::sql_error*>(&error);
  return sql && is_retryable_sqlstate(sql->sqlstate());
}

std::optional<http::problem> problem_for_sqlstate(std::string_view sqlstate) {
  using namespace http::problems;
  if (sqlstate == "23505") {
    return conflict("already_exists", "A resource with the same unique value already exists.");
  }
  if (sqlstate == "23503" || sqlstate == "23514" || sqlstate == "23502" || sqlstate == "23P01") {
    auto p = validation_failed({});
    p.code = "constraint_violation";
    p.detail = "The request conflicts with a rule of the data it refers to.";
    return p;
  }
  if (starts_with(sqlstate, "22")) {
    auto p = validation_failed({});
    p.code = "invalid_value";
    p.detail = "A value in the request is out of range or of the wrong form.";
    return p;
  }
  if (is_retryable_sqlstate(sqlstate)) {
    return unavailable("contention", "Too many concurrent changes to the same data; retry.", 1);
  }
  if (sqlstate == "57014") {
    return unavailable("database_timeout", "The database took too long to answer.", 1);
  }
  if (starts_with(sqlstate, "08") || starts_with(sqlstate, "53") || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03") {
    return unavailable("database_unavailable", "The database is not reachable right now.", 2);
  }
  return std::nullopt;
}

std::exception_ptr translate(std::exception_ptr error) {
  if (!error) return error;
  try {
    std::rethrow_exception(error);
  } catch (const pqxx::broken_connection& e) {
    log::warn("database unreachable", {{"error", e.what()}});
    return std::make_exception_ptr(http::problem_error(http::problems::unavailable(
        "database_unavailable", "The database is not reachable right now.", 2)));
  } catch (const pqxx::serialization_failure&) {
    return std::make_exception_ptr(http::problem_error(*problem_for_sqlstate("40001")));
  } catch (const pqxx::deadlock_detected&) {
    return std::make_exception_ptr(http::problem_error(*problem_for_sqlstate("40P01")));
  } catch (const pqxx::sql_error& e) {
    if (auto p = problem_for_sqlstate(e.sqlstate())) {
      log::info("database refused", {{"sqlstate", e.sqlstate()}, {"error", e.what()}});
      return std::make_exception_ptr(http::problem_error(std::move(*p)));
    }
    return error;
  } catch (...) {
    return error;
  }
}

}  // namespace casecall::db
