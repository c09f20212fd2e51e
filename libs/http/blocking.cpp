#include "http/blocking.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace casecall::http {

namespace net = boost::asio;

struct blocking_pool::impl {
  explicit impl(std::size_t threads) : pool(threads) {}
  net::thread_pool pool;
};

blocking_pool::blocking_pool(std::size_t threads) : impl_(std::make_unique<impl>(threads == 0 ? 1 : threads)) {}

blocking_pool::~blocking_pool() { impl_->pool.join(); }

awaitable<void> blocking_pool::run(std::function<void()> fn) {
  auto fallback = co_await net::this_coro::executor;
  auto& pool = impl_->pool;
  // References only in the initiation: see db::run on g++ 12 and lambda temporaries. An
  // exception_ptr as the only argument is rethrown by use_awaitable.
  co_await net::async_initiate<decltype(net::use_awaitable), void(std::exception_ptr)>(
      [&pool, &fn, &fallback](auto handler) {
        auto home = net::prefer(net::get_associated_executor(handler, fallback), net::execution::outstanding_work.tracked);
        net::post(pool, [job = std::move(fn), handler = std::move(handler), home]() mutable {
          std::exception_ptr failure;
          try {
            job();
          } catch (...) {
            failure = std::current_exception();
          }
          net::post(home, [handler = std::move(handler), failure]() mutable { std::move(handler)(failure); });
        });
      },
      net::use_awaitable);
}

}  // namespace casecall::http
