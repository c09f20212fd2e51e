#include "http/method.hpp"

namespace casecall::http {

std::string_view to_string(method m) {
  switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::patch: return "PATCH";
    case method::delete_: return "DELETE";
    case method::options: return "OPTIONS";
  }
  return "GET";
}

std::optional<method> parse_method(std::string_view text) {
  if (text == "GET") return method::get;
  if (text == "HEAD") return method::head;
  if (text == "POST") return method::post;
  if (text == "PUT") return method::put;
  if (text == "PATCH") return method::patch;
  if (text == "DELETE") return method::delete_;
  if (text == "OPTIONS") return method::options;
  return std::nullopt;
}

}  // namespace casecall::http
