#include "log/log.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace casecall::log {
namespace {

// Gathers lines and writes them to a file descriptor in large pieces: when 64 KiB have
// gathered, and on flush. Only spdlog's background thread calls it.
class batching_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit batching_sink(int fd) : fd_(fd) { buffer_.reserve(capacity + 4096); }
  ~batching_sink() override { write_out(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    buffer_.append(msg.payload.data(), msg.payload.size());
    buffer_ += '\n';
    if (buffer_.size() >= capacity) write_out();
  }
  void flush_() override { write_out(); }

 private:
  static constexpr std::size_t capacity = 64 * 1024;

  void write_out() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      auto n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n <= 0) break;  // nowhere to write: drop rather than block the service
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  int fd_;
  std::string buffer_;
};

// Access-log lines are gathered here and handed to the background thread about a hundred at
// a time: one queue message and one wake-up per batch, not per request. Each server thread
// fills its own shard, so threads do not contend. A batch waits at most flush_interval; a
// small timer thread sees to that.
class access_batch {
 public:
  explicit access_batch(spdlog::logger& out) : out_(out) {}

  void append(std::string_view text) {
    auto& shard = shards_[shard_index()];
    std::string full;
    {
      std::lock_guard lock(shard.mutex);
      if (!shard.lines.empty()) shard.lines += '\n';
      shard.lines.append(text);
      if (shard.lines.size() < batch_bytes) return;
      full.swap(shard.lines);
    }
    out_.info(std::string_view(full));
  }

  // Hands over what has gathered, and asks the writer to write it out.
  void flush() {
    for (auto& shard : shards_) {
      std::string pending;
      {
        std::lock_guard lock(shard.mutex);
        pending.swap(shard.lines);
      }
      if (!pending.empty()) out_.info(std::string_view(pending));
    }
    out_.flush();
  }

 private:
  static constexpr std::size_t batch_bytes = 32 * 1024;
  static constexpr std::size_t shard_count = 8;

  static std::size_t shard_index() {
    static std::atomic<std::size_t> next{0};
    thread_local std::size_t mine = next.fetch_add(1) % shard_count;
    return mine;
  }

  struct alignas(64) shard_lines {
    std::mutex mutex;
    std::string lines;
  };

  spdlog::logger& out_;
  std::array<shard_lines, shard_count> shards_;
};

class batch_timer {
 public:
  batch_timer(access_batch& batch, std::chrono::milliseconds interval)
      : thread_([this, &batch, interval] {
          std::unique_lock lock(mutex_);
          while (!stop_) {
            wake_.wait_for(lock, interval, [this] { return stop_; });
            lock.unlock();
            batch.flush();
            lock.lock();
          }
        }) {}
  ~batch_timer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// init() and shutdown() run while the process is single-threaded (before the server starts
// and after it stops); write() only reads these. Two loggers share one sink and one thread:
// `events` flushes after every line, `requests` only when the batch is full or on the timer,
// and since both go through the same queue, lines keep their order.
std::shared_ptr<spdlog::logger> g_events_owner;
std::shared_ptr<spdlog::logger> g_requests_owner;
std::unique_ptr<access_batch> g_batch_owner;
std::unique_ptr<batch_timer> g_batch_timer;
std::atomic<spdlog::logger*> g_events{nullptr};
std::atomic<access_batch*> g_requests{nullptr};
std::string g_service = "casecall";
std::string g_access_prefix = R"(","level":"info","service":"casecall","msg":"request")";
std::atomic<int> g_min_level{static_cast<int>(level::info)};

void append_utc_now(std::string& out) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto millis = static_cast<int>(duration_cast<milliseconds>(now - secs).count());
  // "2026-11-28T18:23:31." changes once a second: format it once a second per thread.
  thread_local std::time_t cached_second = -1;
  thread_local char cached[64];
  std::time_t t = system_clock::to_time_t(secs);
  if (t != cached_second) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = t;
  }
  out.append(cached, 20);
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

bool is_reserved(std::string_view key) {
  if (key.empty() || (key[0] != 't' && key[0] != 'l' && key[0] != 's' && key[0] != 'm')) return false;
  return key == "ts" || key == "level" || key == "service" || key == "msg";
}

}  // namespace

namespace {

// Bytes that cannot stand as themselves inside a JSON string (and bytes of multi-byte UTF-8,
// which are checked by the slow path).
constexpr std::array<bool, 256> special_bytes = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[static_cast<std::size_t>(c)] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return table;
}();

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the stretch that needs no escaping
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (!special_bytes[c]) continue;
    out.append(value.data() + run, i - run);
    run = i + 1;
    if (c >= 0x80) {
      // Rare on this path: let nlohmann check the UTF-8 of the rest.
      auto rest = nlohmann::json(std::string(value.substr(i)))
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out.append(rest, 1, rest.size() - 1);  // without its opening quote
      return;
    }
    if (c == '"' || c == '\\') {
      const char escaped[2] = {'\\', static_cast<char>(c)};
      out.append(escaped, 2);
    } else {
      const char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
      out.append(escaped, 6);
    }
  }
  out.append(value.data() + run, value.size() - run);
  out += '"';
}

line::line(level l, std::string_view msg) : line(l, g_service, msg) {}

line::line(level l, std::string_view service, std::string_view msg) : text_(&owned_) {
  owned_.reserve(320);
  start(l, service, msg);
}

line::line(std::string& scratch, level l, std::string_view msg) : text_(&scratch) {
  scratch.clear();
  start(l, g_service, msg);
}

line line::access_entry(std::string& scratch) { return line(scratch, access_tag{}); }

line::line(std::string& scratch, access_tag) : text_(&scratch) {
  scratch.clear();
  scratch += R"({"ts":")";
  append_utc_now(scratch);
  scratch += g_access_prefix;
}

void line::start(level l, std::string_view service, std::string_view msg) {
  auto& t = *text_;
  t += R"({"ts":")";
  append_utc_now(t);
  t += R"(","level":")";
  t += to_string(l);
  t += R"(","service":)";
  append_json_string(t, service);
  t += R"(,"msg":)";
  append_json_string(t, msg);
}

void line::key(std::string_view k) {
  auto& t = *text_;
  t += ',';
  if (is_reserved(k)) {
    append_json_string(t, std::string(k) + "_");  // never a second "msg" on one line
  } else {
    append_json_string(t, k);
  }
  t += ':';
}

line& line::field(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(*text_, value);
  return *this;
}

namespace {
template <class Integer>
void append_integer(std::string& out, Integer value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}
}  // namespace

line& line::field(std::string_view k, std::int64_t value) {
  key(k);
  append_integer(*text_, value);
  return *this;
}

line& line::field(std::string_view k, std::uint64_t value) {
  key(k);
  append_integer(*text_, value);
  return *this;
}

line& line::field(std::string_view k, double value) {
  key(k);
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 3);
  text_->append(buf, end);
  return *this;
}

line& line::field_json(std::string_view k, const nlohmann::json& value) {
  key(k);
  *text_ += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return *this;
}

line& line::raw_field(std::string_view key_and_colon, std::string_view value) {
  text_->append(key_and_colon);
  append_json_string(*text_, value);
  return *this;
}

line& line::trusted_field(std::string_view key_and_colon, std::string_view value) {
  auto& t = *text_;
  t.append(key_and_colon);
  t += '"';
  t.append(value);
  t += '"';
  return *this;
}

line& line::raw_field(std::string_view key_and_colon, std::uint64_t value) {
  text_->append(key_and_colon);
  append_integer(*text_, value);
  return *this;
}

line& line::raw_field(std::string_view key_and_colon, double value) {
  text_->append(key_and_colon);
  // Three decimals without a floating-point formatter: the hot path formats one per request.
  auto thousandths = static_cast<std::uint64_t>(value * 1000.0 + 0.5);
  append_integer(*text_, thousandths / 1000);
  auto rest = thousandths % 1000;
  char frac[4] = {'.', static_cast<char>('0' + rest / 100), static_cast<char>('0' + rest / 10 % 10),
                  static_cast<char>('0' + rest % 10)};
  text_->append(frac, 4);
  return *this;
}

std::string_view line::finish() {
  *text_ += '}';
  return *text_;
}

std::string line::take() {
  finish();
  return std::move(*text_);
}

std::optional<level> parse_level(std::string_view text) {
  if (text == "debug") return level::debug;
  if (text == "info") return level::info;
  if (text == "warn") return level::warn;
  if (text == "error") return level::error;
  return std::nullopt;
}

std::string_view to_string(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

std::string format_line(level l, std::string_view service, std::string_view msg,
                        const nlohmann::json& fields) {
  line out(l, service, msg);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) out.field_json(key, value);
  }
  return out.take();
}

void init(const settings& s) {
  g_service = s.service;
  g_access_prefix = R"(","level":"info","service":)";
  append_json_string(g_access_prefix, g_service);
  g_access_prefix += R"(,"msg":"request")";
  g_min_level.store(static_cast<int>(s.min_level));
  if (g_events_owner) return;
  spdlog::init_thread_pool(16384, 1);
  auto sink = std::make_shared<batching_sink>(STDOUT_FILENO);
  auto setup = [](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    spdlog::register_logger(logger);
  };
  g_events_owner = std::make_shared<spdlog::async_logger>(
      "casecall", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::block);
  setup(g_events_owner);
  g_events_owner->flush_on(spdlog::level::trace);
  g_requests_owner = std::make_shared<spdlog::async_logger>(
      "casecall.access", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::block);
  setup(g_requests_owner);
  g_requests_owner->flush_on(spdlog::level::off);
  g_batch_owner = std::make_unique<access_batch>(*g_requests_owner);
  g_batch_timer = std::make_unique<batch_timer>(*g_batch_owner, s.flush_interval);
  g_events.store(g_events_owner.get());
  g_requests.store(g_batch_owner.get());
}

void shutdown() {
  g_events.store(nullptr);
  g_requests.store(nullptr);
  g_batch_timer.reset();
  if (g_batch_owner) g_batch_owner->flush();
  if (g_events_owner) g_events_owner->flush();
  g_batch_owner.reset();
  g_requests_owner.reset();
  g_events_owner.reset();
  spdlog::shutdown();
}

bool enabled(level l) { return static_cast<int>(l) >= g_min_level.load(std::memory_order_relaxed); }

void write(level l, std::string_view msg, const nlohmann::json& fields) {
  if (!enabled(l)) return;
  line out(l, msg);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) out.field_json(key, value);
  }
  auto text = out.take();
  if (auto* logger = g_events.load()) {
    logger->info(std::string_view(text));
  } else {
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
}

void access(line& entry) {
  auto text = entry.finish();
  if (auto* batch = g_requests.load()) {
    batch->append(text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fputc('\n', stderr);
  }
}

}  // namespace casecall::log
