// A child process for integration tests: the real service binaries, started with their own
// environment; their standard output is collected by a reader thread so a test can wait for
// a log line (an event, not a sleep).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace casecall::testing {

class child_process {
 public:
  // Starts `program` with `args`, the current environment plus `env` (an empty value
  // removes the variable). Standard output and error are merged and collected.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env);
  ~child_process();  // kills the process if it is still running
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  int pid() const { return pid_; }

  // The first output line containing `needle`, waiting up to `timeout`; nullopt on timeout
  // or when the process ended first.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout);

  void signal(int sig);

  // The exit code (128 + signal when killed by one); nullopt if it has not exited in time.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  std::string output();

 private:
  void read_output(int fd);

  int pid_ = -1;
  std::optional<int> status_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
};

}  // namespace casecall::testing
