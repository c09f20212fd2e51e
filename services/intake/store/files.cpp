#include "intake/store/files.hpp"

#include <fcntl.h>
#include <magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

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
  written_ = kicked_ = length;
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
    written_ += static_cast<std::uint64_t>(n);
  }
  if (written_ - kicked_ >= writeback_step) {
    // Advice only: a failure here shows up, if it matters, at the fdatasync of sync().
    (void)::sync_file_range(fd_, static_cast<off_t>(kicked_), static_cast<off_t>(written_ - kicked_),
                            SYNC_FILE_RANGE_WRITE);
    kicked_ = written_;
  }
}

void partial_file::sync() {
  if (::fdatasync(fd_) != 0) fail_errno("fdatasync upload file");
}

sha256_state::sha256_state() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw std::runtime_error("cannot start a SHA-256");
  }
}

sha256_state::sha256_state(const sha256_state& other) : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || !other.ctx_ || EVP_MD_CTX_copy_ex(ctx_, other.ctx_) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw std::runtime_error("cannot copy a SHA-256");
  }
}

sha256_state& sha256_state::operator=(const sha256_state& other) {
  if (this != &other) {
    sha256_state copy(other);
    std::swap(ctx_, copy.ctx_);
  }
  return *this;
}

sha256_state::sha256_state(sha256_state&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

sha256_state& sha256_state::operator=(sha256_state&& other) noexcept {
  std::swap(ctx_, other.ctx_);
  return *this;
}

sha256_state::~sha256_state() { EVP_MD_CTX_free(ctx_); }

void sha256_state::update(const void* data, std::size_t size) {
  if (!ctx_ || EVP_DigestUpdate(ctx_, data, size) != 1) throw std::runtime_error("SHA-256 update failed");
}

std::string sha256_state::hex() const {
  sha256_state copy(*this);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(copy.ctx_, digest.data(), &size) != 1 || size != 32) {
    throw std::runtime_error("SHA-256 final failed");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(digits[digest[i] >> 4]);
    out.push_back(digits[digest[i] & 0x0f]);
  }
  return out;
}

sha256_state sha256_state_of_prefix(const fs::path& path, std::uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("open upload file");
  sha256_state state;
  std::vector<unsigned char> buffer(1 << 16);
  std::uint64_t left = length;
  while (left > 0) {
    auto n = ::read(fd, buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("upload file shorter than its acknowledged offset");
    }
    state.update(buffer.data(), static_cast<std::size_t>(n));
    left -= static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return state;
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
