// SQLSTATE → problem: the one place where database failures become HTTP answers.
#pragma once

#include "http/problem.hpp"

#include <exception>
#include <optional>
#include <string_view>

namespace casecall::db {

// The problem a failure with this SQLSTATE becomes, or nullopt for "unexpected" (500).
// unique violation → 409; check, foreign key, not-null and bad values → 422;
// serialization failure and deadlock → 503 (after transact()'s retries); statement timeout,
// lost connections and a server going away → 503.
std::optional<http::problem> problem_for_sqlstate(std::string_view sqlstate);

// True for failures that a fresh attempt of the whole transaction may not meet.
bool is_retryable_sqlstate(std::string_view sqlstate);

// Maps pqxx exceptions to http::problem_error; anything else passes through unchanged.
std::exception_ptr translate(std::exception_ptr error);

}  // namespace casecall::db
