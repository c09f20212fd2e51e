// The programs publish runs beside itself: headless Chromium (the casebook) and vipsthumbnail
// (smaller copies of photos). Each runs in a process of its own, so a file that crashes a
// decoder or a printer takes only that process down, under a time limit.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace casecall::publish {

// A fresh directory under the system's temporary one, removed with everything in it when this
// goes out of scope.
class scratch_dir {
 public:
  explicit scratch_dir(const std::string& prefix);
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs `args` (args[0] looked up in PATH) under timeout(1) with `seconds`, its output
// discarded, and waits for it: true when it exited with status 0. Throws std::runtime_error
// when it cannot be started.
bool run_tool(const std::vector<std::string>& args, int seconds);

// The whole content of a file; empty when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace casecall::publish
