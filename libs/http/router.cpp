#include "http/router.hpp"

#include "http/percent.hpp"

#include <algorithm>
#include <stdexcept>

namespace casecall::http {

std::string to_string(access a) {
  if (a == access::undeclared) return "undeclared";
  if (a == access::anyone) return "anyone";
  if (a == access::service) return "service";
  std::string out;
  for (auto [role, name] : {std::pair{access::partner, "partner"}, std::pair{access::judge, "judge"},
                            std::pair{access::admin, "admin"}}) {
    if (!allows(a, role)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

handler sync(handler::direct_fn fn) { return handler::direct(std::move(fn)); }

awaitable<response> handler::operator()(request& req) const {
  if (direct_) co_return direct_(req);
  co_return co_await async_(req);
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
  const auto bits = static_cast<unsigned>(spec.who);
  const bool single_kind = spec.who == access::anyone || spec.who == access::service ||
                           (bits & ~static_cast<unsigned>(signed_in)) == 0;
  if (!single_kind) {
    throw std::invalid_argument("route " + spec.pattern +
                                " mixes the public or services with user roles: " + to_string(spec.who));
  }
  if (spec.pattern.empty() || spec.pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + spec.pattern);
  }
  if (spec.name.empty()) throw std::invalid_argument("route " + spec.pattern + " has no name");
  for (char c : spec.name) {
    // Route names go into logs and metric labels unescaped.
    bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!plain) throw std::invalid_argument("route name must be [a-z0-9._-]: " + spec.name);
  }
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

namespace {

// The i-th segment of a path that starts with '/', without allocating; callers walk them in
// order, so each call continues from the previous one.
class segment_reader {
 public:
  explicit segment_reader(std::string_view path) : rest_(path.substr(1)) {}
  std::string_view next() {
    auto slash = rest_.find('/');
    auto segment = rest_.substr(0, slash);
    rest_ = slash == std::string_view::npos ? std::string_view{} : rest_.substr(slash + 1);
    return segment;
  }

 private:
  std::string_view rest_;
};

std::size_t segment_count(std::string_view path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

}  // namespace

router::match_result router::match(method verb, std::string_view path) const {
  match_result result;
  if (path.empty() || path.front() != '/') return result;
  const auto count = segment_count(path);
  const route* head_fallback = nullptr;
  std::vector<std::pair<std::string, std::string>> head_fallback_params;
  bool head_fallback_bad = false;  // HEAD answers as GET would, bad encoding included

  for (const auto& r : routes_) {
    if (r.segments.size() != count) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool matched = true;
    bool bad = false;
    segment_reader reader(path);
    for (std::size_t i = 0; i < count && matched; ++i) {
      const auto& seg = r.segments[i];
      auto part = reader.next();
      if (!is_param(seg)) {
        matched = seg == part;
        continue;
      }
      if (part.empty()) {
        matched = false;
        continue;
      }
      auto decoded = percent_decode(part);
      if (!decoded) {
        bad = true;
        continue;
      }
      params.emplace_back(seg.substr(1, seg.size() - 2), std::move(*decoded));
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
