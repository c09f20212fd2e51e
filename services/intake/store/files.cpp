#include "intake/store/files.hpp"

#include <fcntl.h>
#include <magic.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace casecall::intake::store {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

bool is_hex_digest(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno("open " + dir.string());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    fail_errno("fsync " + dir.string());
  }
}

directory_blob_store::directory_blob_store(fs::path root) : root_(std::move(root) / "blobs") { fs::create_directories(root_); }

fs::path directory_blob_store::path_of(const std::string& sha256) const {
  if (!is_hex_digest(sha256)) throw std::invalid_argument("not a SHA-256 in hex: " + sha256);
  return root_ / sha256.substr(0, 2) / sha256.substr(2, 2) / sha256;
}

void directory_blob_store::adopt(const fs::path& file, const std::string& sha256) {
  const auto target = path_of(sha256);
  const auto dir = target.parent_path();
  if (fs::exists(target)) {
    fs::remove(file);
    return;
  }
  fs::create_directories(dir);
  fs::rename(file, target);  // same file system: atomic
  sync_directory(dir);
  sync_directory(file.parent_path());
}

std::optional<fs::path> directory_blob_store::local_path(const std::string& sha256) const {
  if (!is_hex_digest(sha256)) return std::nullopt;
  auto path = path_of(sha256);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  return path;
}

spool::spool(fs::path root) : dir_(std::move(root) / "partial") { fs::create_directories(dir_); }

fs::path spool::path_of(const std::string& upload_id) const { return dir_ / upload_id; }

void spool::create(const std::string& upload_id) const {
  int fd = ::open(path_of(upload_id).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("create upload file");
  ::close(fd);
  sync_directory(dir_);
}

void spool::remove(const std::string& upload_id) const noexcept {
  std::error_code ec;
  fs::remove(path_of(upload_id), ec);
}

partial_file::partial_file(const fs::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail_errno("open upload file");
}

partial_file::~partial_file() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t partial_file::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail_errno("stat upload file");
  return static_cast<std::uint64_t>(st.st_size);
}

void partial_file::truncate(std::uint64_t length) {
  if (::ftruncate(fd_, static_cast<off_t>(length)) != 0) fail_errno("truncate upload file");
  if (::lseek(fd_, static_cast<off_t>(length), SEEK_SET) < 0) fail_errno("seek upload file");
}

void partial_file::append(const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("write upload file");
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void partial_file::sync() {
  if (::fdatasync(fd_) != 0) fail_errno("fdatasync upload file");
}

crypto_hash_sha256_state sha256_state_of_prefix(const fs::path& path, std::uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("open upload file");
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<unsigned char, 1 << 16> buffer;
  std::uint64_t left = length;
  while (left > 0) {
    auto n = ::read(fd, buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("upload file shorter than its acknowledged offset");
    }
    crypto_hash_sha256_update(&state, buffer.data(), static_cast<unsigned long long>(n));
    left -= static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return state;
}

std::string sha256_hex(crypto_hash_sha256_state state) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&state, digest.data());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

std::string sniff_media_type(const fs::path& path) {
  // One cookie, loaded once; libmagic's calls on it are not thread-safe.
  static std::mutex mutex;
  static magic_t cookie = [] {
    magic_t m = ::magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (!m || ::magic_load(m, nullptr) != 0) throw std::runtime_error("libmagic: cannot load its database");
    return m;
  }();
  std::lock_guard lock(mutex);
  const char* type = ::magic_file(cookie, path.c_str());
  if (!type) throw std::runtime_error(std::string("libmagic: ") + (::magic_error(cookie) ? ::magic_error(cookie) : "failed"));
  return type;
}

}  // namespace casecall::intake::store
