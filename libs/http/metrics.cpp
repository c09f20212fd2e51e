#include "http/metrics.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace casecall::http {

namespace {

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_number(std::string& out, double value) {
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest exact form
  out.append(buf, ec == std::errc{} ? end : buf);
}

}  // namespace

void exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void exposition::sample(std::string_view name, const label_list& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [key, val] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += key;
      out_ += "=\"";
      append_escaped(out_, val);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  append_number(out_, value);
  out_ += '\n';
}

std::size_t metrics::shard_index() {
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t mine = next.fetch_add(1) % shard_count;
  return mine;
}

void metrics::observe_request(std::string_view route, std::string_view method, unsigned status,
                              double seconds) {
  auto& sh = shards_[shard_index()];
  std::lock_guard lock(sh.mutex);
  auto it = sh.by_key.find(std::make_tuple(route, method, status));
  if (it == sh.by_key.end()) {
    it = sh.by_key.emplace(key{std::string(route), std::string(method), status}, series{}).first;
  }
  auto& s = it->second;
  ++s.count;
  s.sum += seconds;
  for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
    if (seconds <= latency_buckets[i]) {
      ++s.buckets[i];
      break;
    }
  }
}

void metrics::add_collector(std::function<void(exposition&)> collector) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.push_back(std::move(collector));
}

std::string metrics::render() const {
  exposition out;
  std::map<key, series, std::less<>> merged;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mutex);
    for (const auto& [k, s] : sh.by_key) {
      auto& total = merged[k];
      total.count += s.count;
      total.sum += s.sum;
      for (std::size_t i = 0; i < s.buckets.size(); ++i) total.buckets[i] += s.buckets[i];
    }
  }
  std::vector<std::pair<key, series>> snapshot(merged.begin(), merged.end());
  std::vector<std::function<void(exposition&)>> collectors;
  {
    std::lock_guard lock(collectors_mutex_);
    collectors = collectors_;
  }

  out.family("casecall_http_requests_total", "counter",
             "HTTP requests answered, by route, method and status.");
  for (const auto& [k, s] : snapshot) {
    auto status = std::to_string(std::get<2>(k));
    out.sample("casecall_http_requests_total",
               {{"route", std::get<0>(k)}, {"method", std::get<1>(k)}, {"status", status}},
               static_cast<double>(s.count));
  }

  out.family("casecall_http_request_duration_seconds", "histogram",
             "Time from the end of the request header until the response is ready to write.");
  for (const auto& [k, s] : snapshot) {
    auto status = std::to_string(std::get<2>(k));
    label_list labels{{"route", std::get<0>(k)}, {"method", std::get<1>(k)}, {"status", status}};
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
      cumulative += s.buckets[i];
      char le[32];
      std::snprintf(le, sizeof le, "%g", latency_buckets[i]);
      auto with_le = labels;
      with_le.emplace_back("le", le);
      out.sample("casecall_http_request_duration_seconds_bucket", with_le,
                 static_cast<double>(cumulative));
    }
    auto with_inf = labels;
    with_inf.emplace_back("le", "+Inf");
    out.sample("casecall_http_request_duration_seconds_bucket", with_inf,
               static_cast<double>(s.count));
    out.sample("casecall_http_request_duration_seconds_sum", labels, s.sum);
    out.sample("casecall_http_request_duration_seconds_count", labels,
               static_cast<double>(s.count));
  }

  out.family("casecall_http_requests_in_flight", "gauge", "Requests being handled now.");
  out.sample("casecall_http_requests_in_flight", {}, static_cast<double>(requests_in_flight.load()));
  out.family("casecall_http_streams_in_flight", "gauge", "Requests streaming their body (uploads) now.");
  out.sample("casecall_http_streams_in_flight", {}, static_cast<double>(streams_in_flight.load()));
  out.family("casecall_http_requests_shed_total", "counter",
             "Requests refused with 503 because the service was at capacity.");
  out.sample("casecall_http_requests_shed_total", {},
             static_cast<double>(requests_shed_total.load()));
  out.family("casecall_http_connections_open", "gauge", "Client connections open now.");
  out.sample("casecall_http_connections_open", {}, static_cast<double>(connections_open.load()));
  out.family("casecall_http_connections_total", "counter", "Client connections accepted.");
  out.sample("casecall_http_connections_total", {}, static_cast<double>(connections_total.load()));

  for (const auto& collect : collectors) collect(out);
  return out.take();
}

}  // namespace casecall::http
