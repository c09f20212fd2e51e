#include "http/message.hpp"

#include "http/problem.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <stdexcept>

namespace casecall::http {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

namespace {
template <class List>
std::string_view find_header(const List& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}
}  // namespace

std::string_view request::header(std::string_view name) const { return find_header(headers, name); }

const std::string& request::param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  throw std::out_of_range("route has no path parameter " + std::string(name));
}

std::optional<std::string> request::query_param(std::string_view name) const {
  // A terminated copy: Debian's libboost_url 1.81 reads a view up to a NUL, not its size.
  const std::string terminated(query);
  const boost::urls::string_view encoded(terminated);
  if (!boost::urls::parse_query(encoded)) {
    throw problem_error(problems::bad_request(
        "bad_query", "The query string is not valid percent-encoding."));
  }
  boost::urls::encoding_opts form;
  form.space_as_plus = true;  // "a+b" means "a b", as browsers send forms
  boost::urls::params_view params(encoded, form);
  for (auto param : params) {
    if (param.key == name) return std::string(param.value);
  }
  return std::nullopt;
}

response& response::set_header(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (iequals(key, name)) {
      existing = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string_view response::header(std::string_view name) const { return find_header(headers, name); }

response response::json(const nlohmann::json& body, unsigned status) {
  response r;
  r.status = status;
  r.headers.reserve(4);  // room for the server's X-Request-Id and a handler's few
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

response response::text(std::string body, std::string content_type, unsigned status) {
  response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

response response::no_content() {
  response r;
  r.status = 204;
  return r;
}

}  // namespace casecall::http
