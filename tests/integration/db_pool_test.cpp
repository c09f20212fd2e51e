// The database pool against a real Postgres: results and failures come back to the awaiting
// coroutine, SQLSTATEs become the documented problems, lost connections are replaced.
#include "db/await.hpp"
#include "environment.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <future>
#include <thread>

using namespace casecall::testing;
namespace db = casecall::db;
namespace http = casecall::http;
namespace net = boost::asio;

namespace {

// Runs one coroutine to completion on a fresh io_context.
template <class T>
T complete(http::awaitable<T> work) {
  net::io_context io;
  auto result = net::co_spawn(io, std::move(work), net::use_future);
  io.run();
  return result.get();
}

class db_pool : public ::testing::Test {
 protected:
  scratch_database scratch;

  db::pool_config config(int size = 2) {
    db::pool_config c;
    c.url = scratch.url("casecall_owner");
    c.size = size;
    c.statement_timeout = std::chrono::milliseconds(300);
    return c;
  }

  http::problem problem_of(std::function<void()> fn) {
    try {
      fn();
    } catch (const http::problem_error& e) {
      return e.details();
    }
    ADD_FAILURE() << "no problem_error was thrown";
    return {};
  }

  void SetUp() override {
    admin_exec(scratch.name(),
               "CREATE TABLE public.items (id int PRIMARY KEY, qty int CHECK (qty >= 0));"
               "ALTER TABLE public.items OWNER TO casecall_owner;"
               "GRANT USAGE ON SCHEMA public TO casecall_owner;");
  }
};

TEST_F(db_pool, a_job_returns_its_value_to_the_awaiting_coroutine) {
  db::pool pool(config());
  auto value = complete([&]() -> http::awaitable<int> {
    co_return co_await db::run(pool, [](db::connection& c) {
      pqxx::nontransaction tx(c.raw());
      return tx.exec1("SELECT 40 + 2")[0].as<int>();
    });
  }());
  EXPECT_EQ(value, 42);
}

TEST_F(db_pool, named_statements_are_prepared_once_per_connection_and_reused) {
  db::pool pool(config(1));
  static constexpr db::query double_it{"test_double", "SELECT $1::int * 2"};
  auto sum = complete([&]() -> http::awaitable<int> {
    int total = 0;
    for (int i = 1; i <= 3; ++i) {
      total += co_await db::transact(pool, [i](db::connection& c, pqxx::work& tx) {
        return c.exec(tx, double_it, i)[0][0].as<int>();
      });
    }
    co_return total;
  }());
  EXPECT_EQ(sum, 12);
}

TEST_F(db_pool, jobs_may_carry_values_that_own_memory) {
  // What a handler passes to a job (strings, vectors) must be destroyed exactly once, on
  // success and on failure; the sanitizer build checks it.
  db::pool pool(config());
  std::string title(200, 'x');
  std::vector<std::string> tags{"e-commerce", "smart agriculture", std::string(100, 't')};
  auto length = complete(db::transact(pool, [title, tags](db::connection&, pqxx::work& tx) {
    return tx.exec_params1("SELECT length($1) + $2", title, static_cast<int>(tags.size()))[0].as<int>();
  }));
  EXPECT_EQ(length, 203);
  auto p = problem_of([&] {
    complete(db::run(pool, [title](db::connection& c) {
      pqxx::nontransaction tx(c.raw());
      tx.exec_params("SELECT 1 / 0 WHERE $1 <> ''", title);
    }));
  });
  EXPECT_EQ(p.code, "invalid_value");
}

TEST_F(db_pool, a_unique_violation_becomes_409) {
  db::pool pool(config());
  auto insert = [&] {
    complete(db::transact(pool, [](db::connection&, pqxx::work& tx) {
      tx.exec("INSERT INTO public.items VALUES (1, 1)");
    }));
  };
  insert();
  auto p = problem_of(insert);
  EXPECT_EQ(p.status, 409u);
  EXPECT_EQ(p.code, "already_exists");
}

TEST_F(db_pool, a_check_violation_becomes_422_and_commits_nothing) {
  db::pool pool(config());
  auto p = problem_of([&] {
    complete(db::transact(pool, [](db::connection&, pqxx::work& tx) {
      tx.exec("INSERT INTO public.items VALUES (2, 5)");
      tx.exec("INSERT INTO public.items VALUES (3, -1)");
    }));
  });
  EXPECT_EQ(p.status, 422u);
  EXPECT_EQ(p.code, "constraint_violation");
  auto count = complete(db::run(pool, [](db::connection& c) {
    pqxx::nontransaction tx(c.raw());
    return tx.exec1("SELECT count(*) FROM public.items")[0].as<int>();
  }));
  EXPECT_EQ(count, 0);
}

TEST_F(db_pool, a_statement_past_the_timeout_becomes_503_database_timeout) {
  db::pool pool(config());
  auto p = problem_of([&] {
    complete(db::run(pool, [](db::connection& c) {
      pqxx::nontransaction tx(c.raw());
      tx.exec("SELECT pg_sleep(2)");
    }));
  });
  EXPECT_EQ(p.status, 503u);
  EXPECT_EQ(p.code, "database_timeout");
}

TEST_F(db_pool, serialization_failures_are_retried_then_succeed) {
  db::pool pool(config());
  int attempts = 0;
  auto result = complete(db::transact(pool, [&attempts](db::connection&, pqxx::work& tx) {
    if (++attempts < 3) {
      tx.exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$");
    }
    return attempts;
  }));
  EXPECT_EQ(result, 3);
}

TEST_F(db_pool, serialization_failures_past_the_retries_become_503_contention) {
  db::pool pool(config());
  int attempts = 0;
  auto p = problem_of([&] {
    complete(db::transact(pool, [&attempts](db::connection&, pqxx::work& tx) {
      ++attempts;
      tx.exec("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$");
    }));
  });
  EXPECT_EQ(p.status, 503u);
  EXPECT_EQ(p.code, "contention");
  EXPECT_EQ(attempts, db::transaction_attempts);
}

TEST_F(db_pool, a_connection_killed_by_the_server_is_replaced_transparently) {
  db::pool pool(config(1));
  auto backend = [&] {
    return complete(db::run(pool, [](db::connection& c) {
      pqxx::nontransaction tx(c.raw());
      return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    }));
  };
  int first = backend();
  admin_exec("postgres", "SELECT pg_terminate_backend(" + std::to_string(first) + ")");
  int second = backend();
  EXPECT_NE(first, second);
  EXPECT_EQ(pool.stats().connections_lost_total, 1u);
}

TEST_F(db_pool, an_unreachable_database_becomes_503_database_unavailable) {
  auto c = config(1);
  c.url = "postgresql://casecall_owner@127.0.0.1:1/nowhere";
  db::pool pool(c);
  auto p = problem_of([&] {
    complete(db::run(pool, [](db::connection&) { return 1; }));
  });
  EXPECT_EQ(p.status, 503u);
  EXPECT_EQ(p.code, "database_unavailable");
  EXPECT_EQ(pool.stats().connect_failures_total, 1u);
}

// Blocks its pool thread until released, telling the test when it has started.
class gate_job final : public db::job {
 public:
  gate_job(std::promise<void>& started, std::shared_future<void> release)
      : started_(started), release_(std::move(release)) {}
  void execute(db::connection&) override {
    started_.set_value();
    release_.wait();
  }
  void complete(std::exception_ptr) override {}

 private:
  std::promise<void>& started_;
  std::shared_future<void> release_;
};

TEST_F(db_pool, jobs_beyond_the_queue_limit_are_refused_with_503_overloaded) {
  auto c = config(1);
  c.queue_limit = 1;
  db::pool pool(c);
  std::promise<void> started, release;
  pool.submit(std::make_unique<gate_job>(started, release.get_future().share()));
  started.get_future().wait();  // the only thread is now busy

  net::io_context io;
  // Started in this order on one thread: the first waits in the queue, the second finds it full.
  auto queued = net::co_spawn(io, db::run(pool, [](db::connection&) { return 1; }), net::use_future);
  auto refused = net::co_spawn(io, db::run(pool, [](db::connection&) { return 2; }), net::use_future);
  std::thread runner([&io] { io.run(); });
  try {
    refused.get();
    ADD_FAILURE() << "the job past the queue limit ran";
  } catch (const http::problem_error& e) {
    EXPECT_EQ(e.details().status, 503u);
    EXPECT_EQ(e.details().code, "overloaded");
  }
  release.set_value();
  EXPECT_EQ(queued.get(), 1);
  runner.join();
  EXPECT_EQ(pool.stats().rejected_total, 1u);
}

}  // namespace
