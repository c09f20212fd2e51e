#include "http/problem.hpp"

#include "json_printer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace {

using casecall::http::field_error;
using casecall::http::method;
using casecall::http::problem;
namespace problems = casecall::http::problems;
using nlohmann::json;

// Every problem a client sees must carry these members, whatever produced it.
void expect_problem_shape(const problem& p, unsigned status, const std::string& code) {
  SCOPED_TRACE(code);
  EXPECT_EQ(p.status, status);
  EXPECT_EQ(p.code, code);
  EXPECT_FALSE(p.title.empty());
  EXPECT_FALSE(p.detail.empty());
  auto j = p.to_json("rid-1");
  EXPECT_EQ(j.at("type"), "urn:casecall:problem:" + code);
  EXPECT_EQ(j.at("status"), status);
  EXPECT_EQ(j.at("code"), code);
  EXPECT_EQ(j.at("title"), p.title);
  EXPECT_EQ(j.at("detail"), p.detail);
  EXPECT_EQ(j.at("request_id"), "rid-1");
}

}  // namespace

TEST(problem, to_json_has_type_title_status_code_detail_errors_and_request_id) {
  problem p;
  p.status = 422;
  p.code = "validation_failed";
  p.title = "The request is not valid";
  p.detail = "See errors.";
  p.errors = {{"/title", "too_long", "at most 200 characters"},
              {"/deadline", "not_a_date", "expected RFC 3339"}};
  auto j = p.to_json("abc123");
  EXPECT_EQ(j.at("type"), "urn:casecall:problem:validation_failed");
  EXPECT_EQ(j.at("title"), "The request is not valid");
  EXPECT_EQ(j.at("status"), 422);
  EXPECT_EQ(j.at("code"), "validation_failed");
  EXPECT_EQ(j.at("detail"), "See errors.");
  EXPECT_EQ(j.at("request_id"), "abc123");
  ASSERT_TRUE(j.at("errors").is_array());
  ASSERT_EQ(j.at("errors").size(), 2u);
  EXPECT_EQ(j["errors"][0], (json{{"field", "/title"}, {"code", "too_long"},
                                  {"message", "at most 200 characters"}}));
  EXPECT_EQ(j["errors"][1].at("field"), "/deadline");
}

TEST(problem, to_json_leaves_out_empty_errors_and_absent_request_id) {
  auto j = problems::not_found().to_json();
  EXPECT_FALSE(j.contains("errors"));
  EXPECT_FALSE(j.contains("request_id"));
}

TEST(problem, extensions_appear_but_cannot_override_standard_members) {
  problem p;
  p.status = 409;
  p.code = "stale";
  p.title = "Conflict";
  p.extensions = {{"current_etag", "\"v2\""}, {"status", 200}, {"type", "about:blank"}};
  auto j = p.to_json();
  EXPECT_EQ(j.at("current_etag"), "\"v2\"");
  EXPECT_EQ(j.at("status"), 409);
  EXPECT_EQ(j.at("type"), "urn:casecall:problem:stale");
}

TEST(problem, to_response_is_problem_json_with_the_status) {
  auto r = problems::forbidden().to_response("rid-7");
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  auto body = json::parse(r.body);
  EXPECT_EQ(body.at("code"), "forbidden");
  EXPECT_EQ(body.at("request_id"), "rid-7");
}

TEST(problem, to_response_keeps_extra_headers) {
  auto allow = problems::method_not_allowed({method::get, method::head}).to_response();
  EXPECT_EQ(allow.header("Allow"), "GET, HEAD");
  EXPECT_EQ(allow.header("Content-Type"), "application/problem+json");

  auto retry = problems::overloaded(3).to_response();
  EXPECT_EQ(retry.header("Retry-After"), "3");
  EXPECT_EQ(retry.header("Content-Type"), "application/problem+json");
}

TEST(problem, to_response_replaces_a_content_type_set_on_the_problem) {
  auto p = problems::not_found();
  p.headers.emplace_back("content-type", "text/html");
  auto r = p.to_response();
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  int count = 0;
  for (const auto& [name, value] : r.headers) count += casecall::http::iequals(name, "Content-Type");
  EXPECT_EQ(count, 1);
}

TEST(problem, invalid_utf8_in_detail_does_not_throw) {
  auto p = problems::bad_request("bad_thing", std::string("caf\xC3", 4));
  casecall::http::response r;
  ASSERT_NO_THROW(r = p.to_response());
  EXPECT_TRUE(json::accept(r.body)) << r.body;
}

TEST(problem, problem_error_carries_the_problem) {
  try {
    throw casecall::http::problem_error(problems::conflict("taken", "The name is taken."));
  } catch (const casecall::http::problem_error& e) {
    EXPECT_EQ(e.details().status, 409u);
    EXPECT_EQ(e.details().code, "taken");
    EXPECT_NE(std::string(e.what()).find("taken"), std::string::npos);
  }
}

TEST(problems, each_factory_has_its_documented_status_and_code) {
  expect_problem_shape(problems::bad_request("bad_cursor", "The cursor is not ours."), 400, "bad_cursor");
  expect_problem_shape(problems::malformed_json("unexpected end"), 400, "malformed_json");
  expect_problem_shape(problems::unsupported_media_type("application/json"), 415,
                       "unsupported_media_type");
  expect_problem_shape(problems::validation_failed({}), 422, "validation_failed");
  expect_problem_shape(problems::unauthenticated(), 401, "unauthenticated");
  expect_problem_shape(problems::forbidden(), 403, "forbidden");
  expect_problem_shape(problems::not_found(), 404, "not_found");
  expect_problem_shape(problems::method_not_allowed({method::get}), 405, "method_not_allowed");
  expect_problem_shape(problems::conflict("already_exists", "Taken."), 409, "already_exists");
  expect_problem_shape(problems::payload_too_large(1024), 413, "payload_too_large");
  expect_problem_shape(problems::header_too_large(16384), 431, "header_too_large");
  expect_problem_shape(problems::overloaded(1), 503, "overloaded");
  expect_problem_shape(problems::unavailable("database_unavailable", "Down.", 2), 503,
                       "database_unavailable");
  expect_problem_shape(problems::internal_error(), 500, "internal_error");
}

TEST(problems, unsupported_media_type_names_the_expected_type) {
  EXPECT_NE(problems::unsupported_media_type("application/json").detail.find("application/json"),
            std::string::npos);
}

TEST(problems, validation_failed_carries_field_errors) {
  auto p = problems::validation_failed({{"/name", "required", "is required"}});
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.to_json().at("errors")[0].at("field"), "/name");
}

TEST(problems, method_not_allowed_lists_methods_in_allow_header) {
  auto p = problems::method_not_allowed({method::get, method::head, method::post, method::delete_});
  auto r = p.to_response();
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, POST, DELETE");
}

TEST(problems, payload_too_large_reports_the_limit) {
  auto p = problems::payload_too_large(1048576);
  EXPECT_EQ(p.to_json().at("limit"), 1048576);
  EXPECT_NE(p.detail.find("1048576"), std::string::npos);
}

TEST(problems, header_too_large_reports_the_limit) {
  EXPECT_EQ(problems::header_too_large(16384).to_json().at("limit"), 16384);
}

TEST(problems, unavailable_and_overloaded_send_retry_after) {
  EXPECT_EQ(problems::overloaded(5).to_response().header("Retry-After"), "5");
  EXPECT_EQ(problems::unavailable("database_timeout", "Slow.", 2).to_response().header("Retry-After"),
            "2");
}

TEST(problems, internal_error_leaks_nothing_but_its_code) {
  auto j = problems::internal_error().to_json("rid");
  EXPECT_EQ(j.size(), 6u);  // type, title, status, code, detail, request_id
}
