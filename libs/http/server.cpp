#include "http/server.hpp"

#include "http/detail/server_state.hpp"
#include "log/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <thread>

namespace casecall::http {

using namespace detail;

namespace detail {

std::uint64_t server_state::add_connection(std::shared_ptr<connection_entry> entry) {
  std::lock_guard lock(connections_mutex);
  auto id = next_connection_id++;
  connections.emplace(id, std::move(entry));
  registry.connections_open.fetch_add(1);
  registry.connections_total.fetch_add(1);
  return id;
}

void server_state::remove_connection(std::uint64_t id) {
  std::function<void()> done;
  {
    std::lock_guard lock(connections_mutex);
    connections.erase(id);
    registry.connections_open.fetch_sub(1);
    if (connections.empty() && on_all_closed) done = std::move(on_all_closed);
  }
  if (done) done();
}

void server_state::for_each_connection(const std::function<void(connection_entry&)>& action) {
  std::lock_guard lock(connections_mutex);
  for (auto& [id, entry] : connections) {
    net::post(entry->executor, [entry, action] { action(*entry); });
  }
}

}  // namespace detail

struct server::impl {
  impl(server_config cfg, const router& r, metrics& m)
      : state(std::move(cfg), r, m),
        io(state.config.threads),
        acceptor_strand(net::make_strand(io)),
        acceptor(acceptor_strand),
        signals(io, SIGINT, SIGTERM),
        drain_timer(io) {}

  server_state state;
  net::io_context io;
  net::strand<net::io_context::executor_type> acceptor_strand;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer drain_timer;
  std::vector<std::function<void()>> drain_hooks;
  std::atomic<bool> drain_started{false};

  net::awaitable<void> accept_loop();
  void begin_drain();
};

net::awaitable<void> server::impl::accept_loop() {
  constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(io), use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      log::warn("accept failed", {{"error", ec.message()}});
      if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space) {
        // Out of file descriptors: give connections in flight a moment to close.
        net::steady_timer pause(acceptor_strand, std::chrono::milliseconds(50));
        co_await pause.async_wait(use_tuple);
      }
      continue;
    }
    beast::error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    auto executor = socket.get_executor();
    net::co_spawn(executor, run_session(state, std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        log::error("connection coroutine failed", {{"error", x.what()}});
      }
    });
  }
}

void server::impl::begin_drain() {
  if (drain_started.exchange(true)) return;
  log::info("draining", {{"connections", state.registry.connections_open.load()},
                         {"requests_in_flight", state.registry.requests_in_flight.load()}});
  state.draining.store(true);
  for (auto& hook : drain_hooks) hook();
  beast::error_code ignored;
  signals.cancel(ignored);
  net::post(acceptor_strand, [this] {
    beast::error_code ec;
    acceptor.close(ec);
  });
  {
    std::lock_guard lock(state.connections_mutex);
    if (!state.connections.empty()) {
      state.on_all_closed = [this] {
        net::post(io, [this] { drain_timer.cancel(); });
      };
      drain_timer.expires_after(state.config.shutdown_timeout);
      drain_timer.async_wait([this](beast::error_code ec) {
        if (ec) return;  // every connection closed in time
        // Requests still running are cut: their clients see the connection close, and the
        // io_context stops, so run() returns without waiting for their handlers.
        log::warn("shutdown timeout: cutting requests still in flight",
                  {{"connections", state.registry.connections_open.load()},
                   {"requests_in_flight", state.registry.requests_in_flight.load()}});
        state.for_each_connection([](connection_entry& c) {
          beast::error_code shutdown_error;
          if (c.stream) c.stream->socket().shutdown(tcp::socket::shutdown_both, shutdown_error);
        });
        net::post(io, [this] { io.stop(); });
      });
    }
  }
  // Idle keep-alive connections have nothing in flight: close them now.
  state.for_each_connection([](connection_entry& c) {
    if (c.idle && c.stream) c.stream->cancel();
  });
}

server::server(server_config config, const router& routes, metrics& registry)
    : impl_(std::make_unique<impl>(std::move(config), routes, registry)) {
  auto& cfg = impl_->state.config;
  auto address = net::ip::make_address(cfg.host);
  tcp::endpoint endpoint{address, cfg.port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
}

server::~server() {
  // Connections whose handlers were cut by the shutdown timeout are destroyed with the
  // io_context: nothing may be posted to it from here on, and the registry lets go of their
  // executors now, while the strands they refer to still exist.
  std::lock_guard lock(impl_->state.connections_mutex);
  impl_->state.on_all_closed = nullptr;
  impl_->state.connections.clear();
}

std::uint16_t server::port() const { return impl_->acceptor.local_endpoint().port(); }

void server::on_drain(std::function<void()> hook) { impl_->drain_hooks.push_back(std::move(hook)); }

void server::stop() {
  net::post(impl_->io, [this] { impl_->begin_drain(); });
}

void server::run() {
  auto& i = *impl_;
  i.signals.async_wait([&i](beast::error_code ec, int signal) {
    if (ec) return;
    log::info("signal received", {{"signal", signal}});
    i.begin_drain();
  });
  net::co_spawn(i.acceptor_strand, i.accept_loop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log::error("accept loop failed", {{"error", x.what()}});
    }
  });

  auto work = [&i] {
    for (;;) {
      try {
        i.io.run();
        return;
      } catch (const std::exception& e) {
        log::error("unhandled exception on a server thread", {{"error", e.what()}});
      }
    }
  };
  std::vector<std::thread> threads;
  for (int n = 1; n < i.state.config.threads; ++n) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  log::info("stopped");
}

}  // namespace casecall::http
