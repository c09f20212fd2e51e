// Internal to libs/http: what the listener and the connections share. Includes Beast.
#pragma once

#include "http/client_address.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace casecall::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// A connection as the drain sees it. `stream` and `idle` are touched only on the
// connection's strand.
struct connection_entry {
  net::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;
  bool idle = false;
};

struct server_state {
  server_state(server_config cfg, const router& r, metrics& m)
      : config(std::move(cfg)), routes(r), registry(m), proxies(config.trusted_proxies) {}

  server_config config;
  const router& routes;
  metrics& registry;
  proxy_trust proxies;
  std::atomic<bool> draining{false};

  std::mutex connections_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<connection_entry>> connections;
  std::uint64_t next_connection_id = 0;
  std::function<void()> on_all_closed;  // set while draining

  std::uint64_t add_connection(std::shared_ptr<connection_entry> entry);
  void remove_connection(std::uint64_t id);
  // Posts `action` to the strand of every open connection.
  void for_each_connection(const std::function<void(connection_entry&)>& action);
};

net::awaitable<void> run_session(server_state& state, tcp::socket socket);

}  // namespace casecall::http::detail
