// Awaiting database work from a coroutine: the job runs on a pool thread with that thread's
// connection; the coroutine resumes on its own strand with the result, or with the failure
// translated into a problem (db/errors.hpp).
#pragma once

#include "db/errors.hpp"
#include "db/pool.hpp"
#include "http/awaitable.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <type_traits>

namespace casecall::db {

namespace detail {

namespace net = boost::asio;

template <class R>
using outcome = std::conditional_t<std::is_void_v<R>, bool, std::optional<R>>;

template <class F, class Handler, class R>
class awaiting_job final : public job {
 public:
  awaiting_job(F fn, Handler handler, net::any_io_executor fallback)
      : fn_(std::move(fn)),
        handler_(std::move(handler)),
        // Keeps the io_context running while the coroutine waits on us.
        work_(net::prefer(net::get_associated_executor(handler_, fallback),
                          net::execution::outstanding_work.tracked)) {}

  void execute(connection& c) override {
    if constexpr (std::is_void_v<R>) {
      fn_(c);
      result_ = true;
    } else {
      result_.emplace(fn_(c));
    }
  }

  void complete(std::exception_ptr error) override {
    auto work = work_;
    net::post(work, [handler = std::move(handler_), error, result = std::move(result_)]() mutable {
      std::move(handler)(error, std::move(result));
    });
  }

 private:
  F fn_;
  Handler handler_;
  net::any_io_executor work_;
  outcome<R> result_{};
};

}  // namespace detail

// co_await db::run(pool, [](db::connection& c) { ... return value; });
template <class F>
auto run(pool& p, F fn) -> http::awaitable<std::invoke_result_t<F&, connection&>> {
  namespace net = boost::asio;
  using R = std::invoke_result_t<F&, connection&>;
  using result_type = detail::outcome<R>;
  auto fallback = co_await net::this_coro::executor;
  // The initiation captures references only: g++ 12 destroys a lambda temporary in a co_await
  // expression twice, which with a captured executor copy freed the connection's strand.
  result_type result = co_await net::async_initiate<decltype(net::use_awaitable),
                                                    void(std::exception_ptr, result_type)>(
      [&p, &fn, &fallback](auto handler) {
        using handler_type = decltype(handler);
        p.submit(std::make_unique<detail::awaiting_job<F, handler_type, R>>(
            std::move(fn), std::move(handler), fallback));
      },
      net::use_awaitable);
  if constexpr (!std::is_void_v<R>) co_return std::move(*result);
}

inline constexpr int transaction_attempts = 4;

// Runs fn(connection&, pqxx::work&) in a transaction and commits it. A serialization failure
// or deadlock reruns the whole transaction (with a short random pause) up to
// transaction_attempts times, then becomes 503 `contention`.
template <class F>
auto transact(pool& p, F fn) -> http::awaitable<std::invoke_result_t<F&, connection&, pqxx::work&>> {
  using R = std::invoke_result_t<F&, connection&, pqxx::work&>;
  // Named, not a temporary inside the co_await expression (see run()).
  auto attempts = [fn = std::move(fn)](connection& c) mutable -> R {
    for (int attempt = 1;; ++attempt) {
      try {
        pqxx::work tx(c.raw());
        if constexpr (std::is_void_v<R>) {
          fn(c, tx);
          tx.commit();
          return;
        } else {
          R value = fn(c, tx);
          tx.commit();
          return value;
        }
      } catch (const pqxx::failure& e) {
        if (!is_retryable(e) || attempt >= transaction_attempts) throw;
        pause_before_retry(attempt);
      }
    }
  };
  co_return co_await run(p, std::move(attempts));
}

}  // namespace casecall::db
