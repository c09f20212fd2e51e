// RFC 9457 problem details: every error a client sees has this shape, with a stable
// machine-readable `code` and, for validation, the field at fault.
#pragma once

#include "http/message.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace casecall::http {

struct field_error {
  std::string field;  // JSON Pointer into the request body, or a parameter name
  std::string code;
  std::string message;
};

struct problem {
  unsigned status = 500;
  std::string code;   // stable, snake_case; also the last part of `type`
  std::string title;  // short, the same for every occurrence of the code
  std::string detail; // this occurrence
  std::vector<field_error> errors;
  header_list headers;  // e.g. Allow, Retry-After
  nlohmann::json extensions = nlohmann::json::object();

  nlohmann::json to_json(std::string_view request_id = {}) const;
  response to_response(std::string_view request_id = {}) const;
};

// Thrown anywhere below a handler; the server turns it into the problem response.
class problem_error : public std::runtime_error {
 public:
  explicit problem_error(problem p);
  const problem& details() const noexcept { return problem_; }

 private:
  problem problem_;
};

inline constexpr std::string_view problem_content_type = "application/problem+json";
std::string problem_type_uri(std::string_view code);

namespace problems {
// Any other problem: `code` stable snake_case, `title` the same for every occurrence.
problem make(unsigned status, std::string code, std::string title, std::string detail);
problem too_many_requests(std::string code, std::string detail, unsigned retry_after_seconds);
problem bad_request(std::string code, std::string detail);
problem malformed_json(std::string detail);
problem unsupported_media_type(std::string expected);
problem validation_failed(std::vector<field_error> errors);
problem unauthenticated();
problem forbidden();
problem not_found();
problem method_not_allowed(const std::vector<method>& allowed);
problem conflict(std::string code, std::string detail);
problem payload_too_large(std::uint64_t limit);
problem header_too_large(std::uint64_t limit);
problem overloaded(unsigned retry_after_seconds);
problem unavailable(std::string code, std::string detail, unsigned retry_after_seconds);
problem internal_error();
}  // namespace problems

}  // namespace casecall::http
