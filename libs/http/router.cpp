#include "http/router.hpp"

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <stdexcept>

namespace casecall::http {

std::string_view to_string(access a) {
  switch (a) {
    case access::undeclared: return "undeclared";
    case access::anyone: return "anyone";
    case access::service: return "service";
  }
  return "undeclared";
}

handler sync(std::function<response(request&)> fn) {
  return [fn = std::move(fn)](request& req) -> awaitable<response> { co_return fn(req); };
}

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path.front() != '/') return parts;
  std::size_t start = 1;
  while (true) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      break;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void router::add(route_spec spec, handler fn) {
  if (spec.who == access::undeclared) {
    throw std::invalid_argument("route " + spec.pattern + " does not declare who may call it");
  }
  if (spec.pattern.empty() || spec.pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + spec.pattern);
  }
  if (spec.name.empty()) throw std::invalid_argument("route " + spec.pattern + " has no name");
  route r{std::move(spec), std::move(fn), {}};
  for (auto part : split_path(r.spec.pattern)) {
    if (part.find_first_of("{}") != std::string_view::npos && !is_param(part)) {
      throw std::invalid_argument("malformed path parameter in " + r.spec.pattern);
    }
    r.segments.emplace_back(part);
  }
  for (const auto& existing : routes_) {
    if (existing.spec.verb == r.spec.verb && existing.segments.size() == r.segments.size()) {
      bool same = true;
      for (std::size_t i = 0; i < r.segments.size() && same; ++i) {
        bool both_params = is_param(existing.segments[i]) && is_param(r.segments[i]);
        same = both_params || existing.segments[i] == r.segments[i];
      }
      if (same) {
        throw std::invalid_argument("route " + std::string(to_string(r.spec.verb)) + " " +
                                    r.spec.pattern + " is already taken");
      }
    }
  }
  routes_.push_back(std::move(r));
}

router::match_result router::match(method verb, std::string_view path) const {
  match_result result;
  auto parts = split_path(path);
  const route* head_fallback = nullptr;
  std::vector<std::pair<std::string, std::string>> head_fallback_params;
  bool head_fallback_bad = false;  // HEAD answers as GET would, bad encoding included

  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool matched = true;
    bool bad = false;
    for (std::size_t i = 0; i < parts.size() && matched; ++i) {
      const auto& seg = r.segments[i];
      if (is_param(seg)) {
        if (parts[i].empty()) {
          matched = false;
          continue;
        }
        auto encoded = boost::urls::make_pct_string_view(parts[i]);
        if (!encoded) {
          bad = true;
          continue;
        }
        std::string decoded;
        decoded.reserve(encoded->decoded_size());
        for (char c : **encoded) decoded.push_back(c);
        params.emplace_back(seg.substr(1, seg.size() - 2), std::move(decoded));
      } else {
        matched = seg == parts[i];
      }
    }
    if (!matched) continue;
    if (r.spec.verb == verb) {
      if (bad) {
        result.bad_encoding = true;
        return result;
      }
      result.found = &r;
      result.params = std::move(params);
      return result;
    }
    if (verb == method::head && r.spec.verb == method::get) {
      if (bad) {
        head_fallback_bad = true;
      } else {
        head_fallback = &r;
        head_fallback_params = std::move(params);
      }
    }
    result.allowed.push_back(r.spec.verb);
    if (r.spec.verb == method::get) result.allowed.push_back(method::head);
  }
  if (head_fallback || head_fallback_bad) {
    result.found = head_fallback;
    result.params = std::move(head_fallback_params);
    result.bad_encoding = !head_fallback;
    result.allowed.clear();
    return result;
  }
  std::sort(result.allowed.begin(), result.allowed.end());
  result.allowed.erase(std::unique(result.allowed.begin(), result.allowed.end()),
                       result.allowed.end());
  return result;
}

}  // namespace casecall::http
