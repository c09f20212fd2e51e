#include "http/json_body.hpp"

#include "http/problem.hpp"

namespace casecall::http {

namespace {

bool is_json_media_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  auto type = content_type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (iequals(type, "application/json")) return true;
  return type.size() > 5 && iequals(type.substr(0, 12), "application/") &&
         iequals(type.substr(type.size() - 5), "+json");
}

}  // namespace

nlohmann::json parse_json_body(const request& req) {
  if (!is_json_media_type(req.header("Content-Type"))) {
    throw problem_error(problems::unsupported_media_type("application/json"));
  }
  try {
    return nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    if (std::string_view(e.what()).find("ill-formed UTF-8") != std::string_view::npos) {
      auto p = problems::bad_request("invalid_utf8", "The body is not valid UTF-8 (at byte " +
                                                         std::to_string(e.byte) + ").");
      p.extensions["offset"] = e.byte;
      throw problem_error(std::move(p));
    }
    auto p = problems::malformed_json("The body is not valid JSON (at byte " +
                                      std::to_string(e.byte) + ").");
    p.extensions["offset"] = e.byte;
    throw problem_error(std::move(p));
  }
}

}  // namespace casecall::http
