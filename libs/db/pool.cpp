#include "db/pool.hpp"

#include "db/errors.hpp"
#include "http/problem.hpp"

#include <random>

namespace casecall::db {

struct pool::slot {
  std::unique_ptr<pqxx::connection> raw;
  std::unique_ptr<connection> conn;
  void reset() {
    conn.reset();
    raw.reset();
  }
};

namespace {

bool is_uri(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

void append_param(std::string& url, bool uri, const std::string& key, const std::string& value) {
  if (url.find(key + "=") != std::string::npos) return;
  if (uri) {
    url += url.find('?') == std::string::npos ? '?' : '&';
  } else {
    url += ' ';
  }
  url += key;
  url += '=';
  url += value;
}

}  // namespace

void pause_before_retry(int attempt) {
  thread_local std::minstd_rand jitter{std::random_device{}()};
  auto ms = 5 * static_cast<unsigned>(attempt) + jitter() % 20;
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

std::string effective_url(const pool_config& config) {
  std::string url = config.url;
  bool uri = is_uri(url);
  append_param(url, uri, "connect_timeout", std::to_string(config.connect_timeout.count()));
  append_param(url, uri, "application_name", config.application_name);
  return url;
}

pool::pool(pool_config config) : config_(std::move(config)) {
  for (int i = 0; i < config_.size; ++i) slots_.push_back(std::make_unique<slot>());
  for (auto& s : slots_) threads_.emplace_back([this, &s] { work(*s); });
}

pool::~pool() { stop(); }

void pool::submit(std::unique_ptr<job> j) {
  std::exception_ptr refusal;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refusal = std::make_exception_ptr(http::problem_error(http::problems::unavailable(
          "database_unavailable", "The service is shutting down.", 1)));
    } else if (queue_.size() >= config_.queue_limit) {
      rejected_total_.fetch_add(1);
      refusal = std::make_exception_ptr(http::problem_error(http::problems::overloaded(1)));
    } else {
      queue_.push_back(std::move(j));
    }
  }
  if (refusal) {
    j->complete(refusal);
    return;
  }
  ready_.notify_one();
}

void pool::stop() {
  std::deque<std::unique_ptr<job>> abandoned;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    abandoned.swap(queue_);
  }
  ready_.notify_all();
  for (auto& j : abandoned) {
    j->complete(std::make_exception_ptr(http::problem_error(http::problems::unavailable(
        "database_unavailable", "The service is shutting down.", 1))));
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void pool::connect(slot& s) {
  connects_total_.fetch_add(1);
  try {
    auto raw = std::make_unique<pqxx::connection>(effective_url(config_));
    pqxx::nontransaction setup(*raw);
    setup.exec("SET statement_timeout = " + std::to_string(config_.statement_timeout.count()));
    setup.exec("SET idle_in_transaction_session_timeout = " +
               std::to_string(config_.statement_timeout.count() * 2));
    setup.commit();
    s.raw = std::move(raw);
    s.conn = std::make_unique<connection>(*s.raw);
    connected_.fetch_add(1);
  } catch (...) {
    connect_failures_total_.fetch_add(1);
    throw;
  }
}

void pool::work(slot& s) {
  for (;;) {
    std::unique_ptr<job> j;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping
      j = std::move(queue_.front());
      queue_.pop_front();
    }
    busy_.fetch_add(1);
    jobs_total_.fetch_add(1);
    std::exception_ptr error;
    // A connection that was lost while idle is only noticed when used: then reconnect and
    // run the job once more. Nothing was committed by the failed attempt.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = static_cast<bool>(s.conn);
      try {
        if (!s.conn) connect(s);
        j->execute(*s.conn);
        error = nullptr;
        break;
      } catch (const pqxx::broken_connection&) {
        error = std::current_exception();
        if (s.conn) {
          s.reset();
          connected_.fetch_sub(1);
          connections_lost_total_.fetch_add(1);
        }
        if (!reused) break;
      } catch (...) {
        error = std::current_exception();
        break;
      }
    }
    j->complete(error ? translate(error) : nullptr);
    busy_.fetch_sub(1);
  }
  if (s.conn) {
    s.reset();
    connected_.fetch_sub(1);
  }
}

pool_stats pool::stats() const {
  pool_stats st;
  st.size = config_.size;
  st.connected = connected_.load();
  st.busy = busy_.load();
  {
    std::lock_guard lock(mutex_);
    st.queued = queue_.size();
  }
  st.jobs_total = jobs_total_.load();
  st.connects_total = connects_total_.load();
  st.connect_failures_total = connect_failures_total_.load();
  st.connections_lost_total = connections_lost_total_.load();
  st.rejected_total = rejected_total_.load();
  return st;
}

}  // namespace casecall::db
