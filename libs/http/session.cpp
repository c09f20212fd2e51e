// One client connection: read a request (header first, so that limits can be decided by
// route before any body is read), hand it to the route's handler, write the response, loop.
#include "http/body_source.hpp"
#include "http/detail/server_state.hpp"
#include "http/problem.hpp"
#include "http/request_id.hpp"
#include "log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/file_body.hpp>

#include <unistd.h>

#include <chrono>
#include <optional>

namespace casecall::http::detail {

namespace bhttp = beast::http;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// After answering a request whose body we did not read, keep reading (and discarding) a
// little while before closing, so the client sees our answer instead of a reset.
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_bytes = 4 * 1024 * 1024;

struct outcome {
  response res;
  bool keep_alive = false;
  bool body_unread = false;
};

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

std::string remote_address(const beast::tcp_stream& stream) {
  beast::error_code ec;
  auto ep = stream.socket().remote_endpoint(ec);
  if (ec) return {};
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6()).to_string();
  }
  return addr.to_string();
}

// The body of a streaming route's request, read from the connection as the handler asks.
class stream_reader final : public body_source {
 public:
  stream_reader(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                bhttp::request_parser<bhttp::buffer_body>& parser, std::chrono::milliseconds timeout,
                bool expect_continue, unsigned version)
      : stream_(stream),
        buffer_(buffer),
        parser_(parser),
        timeout_(timeout),
        expect_continue_(expect_continue),
        version_(version) {}

  net::awaitable<std::size_t> read_some(std::span<char> into) override {
    if (ended_ || into.empty() || parser_.is_done()) co_return 0;
    if (expect_continue_) {
      // The client waits for our word before sending the body; the handler asking for it is
      // that word.
      expect_continue_ = false;
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, version_};
      stream_.expires_after(timeout_);
      auto [wec, wn] = co_await bhttp::async_write(stream_, proceed, use_tuple);
      if (wec) {
        ended_ = true;
        co_return 0;
      }
    }
    // Beast reads no more than the buffer's free capacity (at least 512 bytes) at a time, and
    // the header left it at a few KiB: give a body room for reads of 64 KiB, Beast's largest,
    // or a 1 GiB upload takes a quarter of a million reads.
    if (buffer_.capacity() - buffer_.size() < read_room) buffer_.reserve(buffer_.size() + read_room);
    for (;;) {
      auto& body = parser_.get().body();
      body.data = into.data();
      body.size = into.size();
      body.more = true;
      stream_.expires_after(timeout_);  // a body may not stall longer than this
      auto [ec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser_, use_tuple);
      const std::size_t got = into.size() - parser_.get().body().size;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        ended_ = true;  // what arrived before the failure still counts
        co_return got;
      }
      if (got > 0 || parser_.is_done()) co_return got;
    }
  }

  bool complete() const override { return parser_.is_done(); }

  std::optional<std::uint64_t> declared_length() const override {
    if (parser_.chunked()) return std::nullopt;
    auto length = parser_.content_length();
    if (!length) return std::uint64_t{0};
    return static_cast<std::uint64_t>(*length);
  }

 private:
  static constexpr std::size_t read_room = 64 * 1024;
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  std::chrono::milliseconds timeout_;
  bool expect_continue_;
  unsigned version_;
  bool ended_ = false;
};

// The views a request keeps into the parsed header.
template <class Fields>
void view_header(request& req, const bhttp::request_header<Fields>& header) {
  req.target = header.target();
  auto question = req.target.find('?');
  req.path = req.target.substr(0, question);
  req.query = question == std::string_view::npos ? std::string_view() : req.target.substr(question + 1);
  req.headers.clear();
  for (const auto& field : header) req.headers.emplace_back(field.name_string(), field.value());
}

class session {
 public:
  session(server_state& state, tcp::socket socket)
      : state_(state), stream_(std::move(socket)), peer_(remote_address(stream_)) {}

  net::awaitable<void> run();

 private:
  net::awaitable<bool> serve_one();
  static response failure(const request& req, std::exception_ptr error);
  response invoke_direct(const router::route& route, request& req);
  net::awaitable<response> invoke_async(const router::route& route, request& req);
  net::awaitable<bool> serve_streaming(const router::route& route, bhttp::request_parser<bhttp::string_body>& parser,
                                       request& req, std::string_view method_label);
  net::awaitable<bool> send(response res, std::string_view request_id, unsigned version,
                            bool keep_alive, bool head_only);
  net::awaitable<bool> send_file(bhttp::response<bhttp::string_body>& head, const std::string& path,
                                 bool head_only, bool remove_file);
  net::awaitable<void> linger_close();
  void finish(const request& req, std::string_view verb, unsigned status, std::size_t bytes_out);

  server_state& state_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string peer_;
  bool unread_input_ = false;  // we answered before reading all the client sent
};

net::awaitable<void> session::run() {
  auto entry = std::make_shared<connection_entry>();
  entry->executor = stream_.get_executor();
  entry->stream = &stream_;
  auto id = state_.add_connection(entry);

  try {
    for (;;) {
      if (buffer_.size() == 0) {
        // Wait for the first byte of the next request under the idle timeout; the drain may
        // cancel this wait.
        entry->idle = true;
        if (state_.draining.load()) break;
        stream_.expires_after(state_.config.idle_timeout);
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), use_tuple);
        entry->idle = false;
        if (ec) break;
        buffer_.commit(n);
      }
      bool keep = co_await serve_one();
      if (!keep || state_.draining.load()) break;
    }
    if (unread_input_) co_await linger_close();
  } catch (const std::exception& e) {
    log::error("connection failed", {{"error", e.what()}, {"client", peer_}});
  }
  entry->stream = nullptr;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
  state_.remove_connection(id);
}

net::awaitable<void> session::linger_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  auto deadline = std::chrono::steady_clock::now() + linger_time;
  std::size_t discarded = 0;
  std::array<char, 16 * 1024> sink;
  while (discarded < linger_bytes && std::chrono::steady_clock::now() < deadline) {
    stream_.expires_at(deadline);
    auto [rec, n] = co_await stream_.async_read_some(net::buffer(sink), use_tuple);
    if (rec) break;
    discarded += n;
  }
}

net::awaitable<bool> session::serve_one() {
  const auto& cfg = state_.config;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(cfg.header_limit);
  parser.body_limit(boost::none);  // decided by the route, once the header is known

  // Most requests arrive whole in the first read: parse what the buffer holds here, and go
  // through the executor for more only when the header is incomplete.
  beast::error_code ec;
  while (buffer_.size() > 0 && !parser.is_header_done()) {
    auto used = parser.put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  if (!ec && !parser.is_header_done()) {
    stream_.expires_after(cfg.read_timeout);
    auto [read_ec, header_bytes] = co_await bhttp::async_read_header(stream_, buffer_, parser, use_tuple);
    ec = read_ec;
  }

  request req;
  req.received_at = std::chrono::steady_clock::now();
  req.client_address = peer_;
  req.route_name = "unmatched";

  if (ec == bhttp::error::header_limit || is_parse_error(ec)) {
    req.request_id = generate_request_id();
    auto res = ec == bhttp::error::header_limit
                   ? problems::header_too_large(cfg.header_limit).to_response(req.request_id)
                   : problems::bad_request("malformed_request", "The request is not valid HTTP/1.1.")
                         .to_response(req.request_id);
    auto status = res.status;
    auto size = res.body.size();
    unread_input_ = true;
    finish(req, "-", status, size);
    co_await send(std::move(res), req.request_id, 11, false, false);
    co_return false;
  }
  if (ec) co_return false;  // timeout, reset or end of stream: nothing to answer

  auto& header = parser.get();
  const unsigned version = header.version();
  const bool head_only = header.method() == bhttp::verb::head;
  const auto verb = parse_method(header.method_string());
  const std::string_view method_label = verb ? to_string(*verb) : "other";  // bounded label set
  {
    auto incoming = header["X-Request-Id"];
    req.request_id = acceptable_request_id(incoming) ? std::string(incoming) : generate_request_id();
  }
  view_header(req, header);
  req.client_address = state_.proxies.client_address(peer_, header["X-Forwarded-For"]);

  // Anything that answers before the body is read must not keep the connection.
  auto answer_early = [&](response res) -> net::awaitable<bool> {
    bool keep = parser.is_done() && header.keep_alive() && !state_.draining.load();
    unread_input_ = !parser.is_done();
    auto status = res.status;
    auto size = res.body.size();
    finish(req, method_label, status, size);
    bool ok = co_await send(std::move(res), req.request_id, version, keep, head_only);
    co_return ok && keep;
  };

  if (!verb) {
    auto p = problems::bad_request("method_not_implemented",
                                   "The method " + std::string(header.method_string()) +
                                       " is not supported.");
    p.status = 501;
    p.title = "Not implemented";
    co_return co_await answer_early(p.to_response(req.request_id));
  }
  req.verb = *verb;
  if (req.target.empty() || req.target.front() != '/') {
    co_return co_await answer_early(
        problems::bad_request("bad_target", "The request target must be an absolute path.")
            .to_response(req.request_id));
  }
  auto match = state_.routes.match(req.verb, req.path);
  if (match.bad_encoding) {
    co_return co_await answer_early(
        problems::bad_request("bad_target", "A path segment is not valid percent-encoding.")
            .to_response(req.request_id));
  }
  if (!match.found) {
    auto p = match.allowed.empty() ? problems::not_found() : problems::method_not_allowed(match.allowed);
    co_return co_await answer_early(p.to_response(req.request_id));
  }
  const auto& route = *match.found;
  req.route_name = route.spec.name;
  req.path_params = std::move(match.params);
  if (route.spec.streams_body) co_return co_await serve_streaming(route, parser, req, method_label);

  // A declared length over the limit is refused before a byte of the body is read.
  const auto limit = route.spec.body_limit;
  if (auto length = parser.content_length(); length && *length > limit) {
    co_return co_await answer_early(problems::payload_too_large(limit).to_response(req.request_id));
  }
  if (!parser.is_done()) {
    if (iequals(header[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, version};
      stream_.expires_after(cfg.read_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream_, proceed, use_tuple);
      if (wec) co_return false;
    }
    parser.body_limit(limit);
    while (!parser.is_done()) {
      stream_.expires_after(cfg.read_timeout);  // a body may not stall longer than this
      auto [rec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser, use_tuple);
      if (rec == bhttp::error::body_limit) {
        co_return co_await answer_early(problems::payload_too_large(limit).to_response(req.request_id));
      }
      if (rec) {
        if (is_parse_error(rec)) {
          co_return co_await answer_early(
              problems::bad_request("malformed_request", "The request body is not valid HTTP/1.1 framing.")
                  .to_response(req.request_id));
        }
        co_return false;
      }
    }
  }
  req.body = std::move(parser.get().body());

  // Bounded work in flight: past the bound, sheddable routes are refused at once. A request
  // counts while its handler runs.
  response res;
  {
    auto& in_flight = state_.registry.requests_in_flight;
    auto before = in_flight.fetch_add(1);
    struct release {
      std::atomic<std::int64_t>& counter;
      ~release() { counter.fetch_sub(1); }
    } guard{in_flight};
    if (route.spec.sheddable && before >= state_.config.max_in_flight) {
      state_.registry.requests_shed_total.fetch_add(1);
      res = problems::overloaded(state_.config.overload_retry_after_seconds).to_response(req.request_id);
    } else if (route.fn.is_direct() && route.spec.who == access::anyone) {
      res = invoke_direct(route, req);
    } else {
      res = co_await invoke_async(route, req);
    }
  }
  bool keep = header.keep_alive() && !state_.draining.load();
  auto status = res.status;
  auto size = res.body.size();
  // Counted when the response is ready, so a client that has read it sees it in /metrics.
  finish(req, method_label, status, size);
  bool ok = co_await send(std::move(res), req.request_id, version, keep, head_only);
  co_return ok && keep;
}

// A route that reads its own body: the handler gets the connection's body as a stream. The
// connection is kept only if the handler read the body to its end.
net::awaitable<bool> session::serve_streaming(const router::route& route,
                                              bhttp::request_parser<bhttp::string_body>& header_parser,
                                              request& req, std::string_view method_label) {
  const unsigned version = header_parser.get().version();
  const bool head_only = header_parser.get().method() == bhttp::verb::head;
  const bool wants_continue = iequals(header_parser.get()[bhttp::field::expect], "100-continue");
  bhttp::request_parser<bhttp::buffer_body> parser(std::move(header_parser));
  parser.body_limit(boost::none);  // the handler decides how much it takes
  view_header(req, parser.get());  // the header moved with the parser
  stream_reader reader(stream_, buffer_, parser, state_.config.read_timeout, wants_continue && !parser.is_done(),
                       version);
  req.body_stream = &reader;

  response res;
  {
    auto& streams = state_.registry.streams_in_flight;
    streams.fetch_add(1);
    struct release {
      std::atomic<std::int64_t>& counter;
      ~release() { counter.fetch_sub(1); }
    } guard{streams};
    res = co_await invoke_async(route, req);
  }
  req.body_stream = nullptr;
  const bool whole = parser.is_done();
  unread_input_ = !whole;
  bool keep = whole && parser.get().keep_alive() && !state_.draining.load();
  auto status = res.status;
  auto size = res.body.size();
  finish(req, method_label, status, size);
  bool ok = co_await send(std::move(res), req.request_id, version, keep, head_only);
  co_return ok && keep;
}

// A handler's exception as the client sees it: its problem, or a 500 that says nothing of it.
response session::failure(const request& req, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const problem_error& e) {
    return e.details().to_response(req.request_id);
  } catch (const std::exception& e) {
    log::error("handler failed", {{"request_id", req.request_id}, {"route", req.route_name}, {"error", e.what()}});
  } catch (...) {
    log::error("handler failed", {{"request_id", req.request_id}, {"route", req.route_name}, {"error", "unknown exception"}});
  }
  return problems::internal_error().to_response(req.request_id);
}

response session::invoke_direct(const router::route& route, request& req) {
  try {
    return route.fn.call_direct(req);
  } catch (...) {
    return failure(req, std::current_exception());
  }
}

net::awaitable<response> session::invoke_async(const router::route& route, request& req) {
  std::exception_ptr error;
  try {
    if (route.spec.who != access::anyone) {
      const auto& guard = state_.routes.guard();
      if (!guard) throw std::logic_error("route " + route.spec.name + " needs a guard and the router has none");
      co_await guard(req, route.spec);
    }
    if (route.fn.is_direct()) co_return route.fn.call_direct(req);
    co_return co_await route.fn(req);
  } catch (...) {
    error = std::current_exception();
  }
  co_return failure(req, error);
}

net::awaitable<bool> session::send(response res, std::string_view request_id, unsigned version,
                                   bool keep_alive, bool head_only) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  for (auto& [name, value] : res.headers) {
    if (iequals(name, "Content-Type")) {
      out.insert(bhttp::field::content_type, value);
    } else if (iequals(name, "Cache-Control")) {
      out.insert(bhttp::field::cache_control, value);
    } else {
      out.insert(name, value);
    }
  }
  out.set("X-Request-Id", request_id);
  out.keep_alive(keep_alive);
  if (!res.file_path.empty()) co_return co_await send_file(out, res.file_path, head_only, res.remove_file);
  out.body() = std::move(res.body);
  out.prepare_payload();
  if (head_only) out.body().clear();  // Content-Length still tells the size a GET would have
  stream_.expires_after(state_.config.read_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream_, out, use_tuple);
  co_return !ec;
}

// A response whose body is a file: the header from `head`, the bytes from disk, each write
// bounded by the timeout (a slow reader may take long over the whole file, not over a piece).
net::awaitable<bool> session::send_file(bhttp::response<bhttp::string_body>& head, const std::string& path,
                                        bool head_only, bool remove_file) {
  bhttp::response<bhttp::file_body> out{head.result(), head.version()};
  for (const auto& field : head) out.insert(field.name(), field.name_string(), field.value());
  beast::error_code ec;
  out.body().open(path.c_str(), beast::file_mode::scan, ec);
  if (remove_file) ::unlink(path.c_str());
  if (ec) {
    // Gone between the handler's look and now: nothing was sent yet, so say so plainly.
    log::error("file to send is missing", {{"path", path}, {"error", ec.message()}});
    auto failed = problems::internal_error().to_response(std::string(head["X-Request-Id"]));
    co_return co_await send(std::move(failed), head["X-Request-Id"], head.version(), false, head_only);
  }
  out.keep_alive(head.keep_alive());
  out.prepare_payload();
  if (head_only) {
    bhttp::response<bhttp::empty_body> bare{out.result(), out.version()};
    for (const auto& field : out) bare.insert(field.name(), field.name_string(), field.value());
    stream_.expires_after(state_.config.read_timeout);
    auto [hec, hn] = co_await bhttp::async_write(stream_, bare, use_tuple);
    co_return !hec;
  }
  bhttp::response_serializer<bhttp::file_body> serializer{out};
  while (!serializer.is_done()) {
    stream_.expires_after(state_.config.read_timeout);
    auto [wec, wn] = co_await bhttp::async_write_some(stream_, serializer, use_tuple);
    if (wec) co_return false;
  }
  co_return true;
}

void session::finish(const request& req, std::string_view verb, unsigned status,
                     std::size_t bytes_out) {
  auto elapsed = std::chrono::steady_clock::now() - req.received_at;
  double seconds = std::chrono::duration<double>(elapsed).count();
  state_.registry.observe_request(req.route_name, verb, status, seconds);
  if (state_.config.access_log && log::enabled(log::level::info)) {
    thread_local std::string scratch;  // one buffer per thread, reused for every line
    auto entry = log::line::access_entry(scratch);
    // request_id passed acceptable_request_id() or was generated; method and route are ours;
    // the client is an address asio printed. Only the path comes from the client as it is.
    entry.trusted_field(R"(,"request_id":)", req.request_id)
        .trusted_field(R"(,"method":)", verb)
        .raw_field(R"(,"path":)", req.path)
        .trusted_field(R"(,"route":)", req.route_name)
        .raw_field(R"(,"status":)", std::uint64_t{status})
        .raw_field(R"(,"duration_ms":)", seconds * 1000.0)
        .raw_field(R"(,"bytes_in":)", std::uint64_t{req.body.size()})
        .raw_field(R"(,"bytes_out":)", std::uint64_t{bytes_out})
        .trusted_field(R"(,"client":)", req.client_address);
    log::access(entry);
  }
}

}  // namespace

net::awaitable<void> run_session(server_state& state, tcp::socket socket) {
  session s(state, std::move(socket));
  co_await s.run();
}

}  // namespace casecall::http::detail
