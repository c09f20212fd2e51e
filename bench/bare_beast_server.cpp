// The baseline for bench/run-healthz.sh: the least an HTTP/1.1 server on Beast coroutines can
// do — accept, read a request, answer 200 with a tiny body, loop while keep-alive — so that
// what libs/http costs on top of Beast can be measured. Modelled on Beast 1.81's
// example/http/server/awaitable; header-only Asio and Beast, no logging, no metrics.
//
// Usage: bare_beast_server <port> <threads>   (listens on 127.0.0.1)
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Errors come back as values, as in libs/http, so that a closed connection costs no exception.
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr auto read_timeout = std::chrono::seconds(30);
constexpr std::string_view body = R"({"status":"ok"})";

bhttp::response<bhttp::string_body> answer(const bhttp::request<bhttp::string_body>& req) {
  bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = body;
  res.prepare_payload();
  return res;
}

net::awaitable<void> serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(read_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024);
    auto [rec, read_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (rec) break;  // end of stream, timeout or garbage: nothing worth answering
    auto res = answer(parser.get());
    auto [wec, written_bytes] = co_await bhttp::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(net::io_context& io, tcp::acceptor& acceptor) {
  for (;;) {
    // Each connection runs on its own strand, as in libs/http.
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(io), use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted) co_return;
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    net::co_spawn(executor, serve(std::move(socket)), net::detached);
  }
}

bool parse_positive(std::string_view text, int max, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out >= 1 && out <= max;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int threads = 0;
  if (argc != 3 || !parse_positive(argv[1], 65535, port) || !parse_positive(argv[2], 256, threads)) {
    std::fprintf(stderr, "usage: bare_beast_server <port 1-65535> <threads 1-256>\n");
    return 2;
  }
  try {
    net::io_context io(threads);
    // Bound here rather than in the coroutine so that a taken port fails at once, in main.
    tcp::acceptor acceptor(net::make_strand(io));
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port));
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    net::co_spawn(acceptor.get_executor(), accept_loop(io, acceptor), net::detached);
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](beast::error_code, int) { io.stop(); });

    std::vector<std::thread> workers;
    for (int n = 1; n < threads; ++n) workers.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& w : workers) w.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bare_beast_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
