#include "http/problem.hpp"

namespace casecall::http {

std::string problem_type_uri(std::string_view code) {
  return "urn:casecall:problem:" + std::string(code);
}

nlohmann::json problem::to_json(std::string_view request_id) const {
  nlohmann::json j = extensions.is_object() ? extensions : nlohmann::json::object();
  j["type"] = problem_type_uri(code);
  j["title"] = title;
  j["status"] = status;
  j["code"] = code;
  if (!detail.empty()) j["detail"] = detail;
  if (!errors.empty()) {
    auto list = nlohmann::json::array();
    for (const auto& e : errors) {
      list.push_back({{"field", e.field}, {"code", e.code}, {"message", e.message}});
    }
    j["errors"] = std::move(list);
  }
  if (!request_id.empty()) j["request_id"] = request_id;
  return j;
}

response problem::to_response(std::string_view request_id) const {
  response r;
  r.status = status;
  r.headers = headers;
  r.set_header("Content-Type", std::string(problem_content_type));
  r.set_header("Cache-Control", "no-store");
  r.body = to_json(request_id).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

problem_error::problem_error(problem p)
    : std::runtime_error(p.code + ": " + p.detail), problem_(std::move(p)) {}

namespace problems {

problem make(unsigned status, std::string code, std::string title, std::string detail) {
  problem p;
  p.status = status;
  p.code = std::move(code);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

problem too_many_requests(std::string code, std::string detail, unsigned retry_after_seconds) {
  auto p = make(429, std::move(code), "Too many attempts", std::move(detail));
  p.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  p.extensions["retry_after"] = retry_after_seconds;
  return p;
}

problem bad_request(std::string code, std::string detail) {
  return make(400, std::move(code), "Bad request", std::move(detail));
}

problem malformed_json(std::string detail) {
  return make(400, "malformed_json", "The request body is not valid JSON", std::move(detail));
}

problem unsupported_media_type(std::string expected) {
  return make(415, "unsupported_media_type", "Unsupported media type",
              "The request body must be " + expected + ".");
}

problem validation_failed(std::vector<field_error> errors) {
  auto p = make(422, "validation_failed", "The request is not valid",
                "See `errors` for each field at fault.");
  p.errors = std::move(errors);
  return p;
}

problem unauthenticated() {
  auto p = make(401, "unauthenticated", "Authentication required",
                "Sign in, or send a valid token, to use this resource.");
  return p;
}

problem forbidden() {
  return make(403, "forbidden", "Forbidden", "Your account may not perform this action.");
}

problem not_found() {
  return make(404, "not_found", "Not found", "There is no resource at this address.");
}

problem method_not_allowed(const std::vector<method>& allowed) {
  std::string list;
  for (auto m : allowed) {
    if (!list.empty()) list += ", ";
    list += to_string(m);
  }
  auto p = make(405, "method_not_allowed", "Method not allowed",
                "This resource accepts: " + list + ".");
  p.headers.emplace_back("Allow", list);
  return p;
}

problem conflict(std::string code, std::string detail) {
  return make(409, std::move(code), "Conflict", std::move(detail));
}

problem payload_too_large(std::uint64_t limit) {
  auto p = make(413, "payload_too_large", "Request body too large",
                "The request body exceeds this resource's limit of " + std::to_string(limit) +
                    " bytes.");
  p.extensions["limit"] = limit;
  return p;
}

problem header_too_large(std::uint64_t limit) {
  auto p = make(431, "header_too_large", "Request header fields too large",
                "The request's header exceeds the limit of " + std::to_string(limit) + " bytes.");
  p.extensions["limit"] = limit;
  return p;
}

problem overloaded(unsigned retry_after_seconds) {
  return unavailable("overloaded", "The service is at capacity; retry shortly.",
                     retry_after_seconds);
}

problem unavailable(std::string code, std::string detail, unsigned retry_after_seconds) {
  auto p = make(503, std::move(code), "Service unavailable", std::move(detail));
  p.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return p;
}

problem internal_error() {
  return make(500, "internal_error", "Internal error",
              "Something went wrong on our side. Quote the request id when you report it.");
}

}  // namespace problems
}  // namespace casecall::http
