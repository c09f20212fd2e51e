// The request and response a handler sees: plain values, free of Beast and Asio, so that
// handlers and their tests compile quickly and can be called without a socket.
#pragma once

#include "http/method.hpp"

#include <boost/container/small_vector.hpp>

#include <nlohmann/json.hpp>

#include <any>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casecall::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

class body_source;  // http/body_source.hpp

// A request's header fields, as views into the server's copy of the request.
using header_view_list =
    boost::container::small_vector<std::pair<std::string_view, std::string_view>, 16>;

// The views (target, path, query, headers) stay valid until the response is written: a
// handler that keeps one longer must copy it.
struct request {
  method verb = method::get;
  std::string_view target;  // as sent: path and query
  std::string_view path;    // percent-encoded, without the query
  std::string_view query;   // without '?'
  header_view_list headers;
  std::string body;  // empty on routes that stream their body: read body_stream instead
  body_source* body_stream = nullptr;

  std::string request_id;      // taken from X-Request-Id when acceptable, else generated
  std::string client_address;  // after X-Forwarded-For from trusted proxies
  std::vector<std::pair<std::string, std::string>> path_params;  // decoded
  std::string_view route_name;  // the route's stable name, or "unmatched"
  std::chrono::steady_clock::time_point received_at{};
  // Who calls, as the router's guard established it (libs/identity reads it); empty for
  // routes open to anyone.
  std::any principal;

  // First header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
  // Decoded path parameter; throws std::out_of_range when the route has no such parameter.
  const std::string& param(std::string_view name) const;
  // First query parameter of that name, decoded; nullopt when absent. Throws problem_error
  // (400 `bad_query`) when the query string is not valid percent-encoding.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct response {
  unsigned status = 200;
  header_list headers;
  std::string body;
  // When set, the body is this file, sent from disk piece by piece (Content-Length its size).
  std::string file_path;
  // The file is a temporary copy: it is unlinked once opened for sending (the open file
  // stays readable until sent).
  bool remove_file = false;

  response& set_header(std::string name, std::string value);
  std::string_view header(std::string_view name) const;

  static response json(const nlohmann::json& body, unsigned status = 200);
  static response text(std::string body, std::string content_type, unsigned status = 200);
  static response no_content();
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace casecall::http
