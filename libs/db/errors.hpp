// SQLSTATE → problem: the one place where database failures become HTTP answers.
#pragma once

#include "http/problem.hpp"

#include <pqxx/except>

#include <exception>
#include <optional>
#include <string_view>

namespace casecall::db {

// The problem a failure with this SQLSTATE becomes, or nullopt for "unexpected" (500).
// unique violation → 409; check, foreign key, not-null and bad values → 422;
// serialization failure and deadlock → 503 (after transact()'s retries); statement timeout,
// lost connections and a server going away → 503.
std::optional<http::problem> problem_for_sqlstate(std::string_view sqlstate);

// True for failures that a fresh attempt of the whole transaction may not meet:
// serialization failures (40001) and deadlocks (40P01). libpqxx 6.4 throws these as
// pqxx::transaction_rollback subclasses, which carry no SQLSTATE.
bool is_retryable_sqlstate(std::string_view sqlstate);
bool is_retryable(const pqxx::failure& error);

// Maps pqxx exceptions to http::problem_error; anything else passes through unchanged.
std::exception_ptr translate(std::exception_ptr error);

}  // namespace casecall::db
