// Where upload bytes live. Unfinished uploads are files in a local spool, one per upload,
// named by the upload's id (never by anything the client sent). Finished files go to a
// content-addressed blob store behind an interface, so that an object store can take the
// place of the local directory later.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace casecall::intake::store {

// Finished files by their SHA-256 (64 lowercase hex digits).
class blob_store {
 public:
  virtual ~blob_store() = default;
  // Takes over the whole, fsynced file at `file` as the blob `sha256`: afterwards `file` is
  // gone. A blob of that digest already stored is kept (it has the same bytes).
  virtual void adopt(const std::filesystem::path& file, const std::string& sha256) = 0;
  // A local file to read the blob from; nullopt when there is no such blob.
  virtual std::optional<std::filesystem::path> local_path(const std::string& sha256) const = 0;
};

// Blobs as files under root: blobs/ab/cd/abcd…, written by rename and made durable with the
// directory's fsync.
class directory_blob_store final : public blob_store {
 public:
  explicit directory_blob_store(std::filesystem::path root);
  void adopt(const std::filesystem::path& file, const std::string& sha256) override;
  std::optional<std::filesystem::path> local_path(const std::string& sha256) const override;

 private:
  std::filesystem::path path_of(const std::string& sha256) const;
  std::filesystem::path root_;
};

// The files of uploads still arriving, under root/partial/.
class spool {
 public:
  explicit spool(std::filesystem::path root);
  std::filesystem::path path_of(const std::string& upload_id) const;
  // A new empty file for the upload, made durable (its directory fsynced).
  void create(const std::string& upload_id) const;
  // Deletes the upload's file if there is one.
  void remove(const std::string& upload_id) const noexcept;

 private:
  std::filesystem::path dir_;
};

// An open spool file for appending at an offset.
class partial_file {
 public:
  // Opens the file, creating it empty if it is missing; size() tells what it holds.
  explicit partial_file(const std::filesystem::path& path);
  ~partial_file();
  partial_file(const partial_file&) = delete;
  partial_file& operator=(const partial_file&) = delete;

  std::uint64_t size() const;
  // Cuts the file to `length` (what is not acknowledged is dropped) and writes from there.
  void truncate(std::uint64_t length);
  // Writes at the end. Every few MiB it asks the kernel to start writing them to disk
  // (sync_file_range, which does not wait), so that the disk works while bytes still arrive
  // and sync() is left with the last few MiB, not the whole upload.
  void append(const char* data, std::size_t size);
  void sync();  // fdatasync: the bytes written are on disk

 private:
  static constexpr std::uint64_t writeback_step = 4 << 20;
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t written_ = 0;  // the file's end, where append writes
  std::uint64_t kicked_ = 0;   // writeback has been started for everything before this
};

// A running SHA-256, through OpenSSL (which uses the CPU's SHA instructions where it has
// them: the hash must keep up with a fast upload). A copy is an independent snapshot.
class sha256_state {
 public:
  sha256_state();
  sha256_state(const sha256_state& other);
  sha256_state& operator=(const sha256_state& other);
  sha256_state(sha256_state&& other) noexcept;
  sha256_state& operator=(sha256_state&& other) noexcept;
  ~sha256_state();

  void update(const void* data, std::size_t size);
  // The digest of what went in so far, in lowercase hex; the state is left as it was.
  std::string hex() const;

 private:
  EVP_MD_CTX* ctx_;
};

// The SHA-256 state after a file's first `length` bytes, read back from disk: where hashing
// resumes when the running state was lost (a restart).
sha256_state sha256_state_of_prefix(const std::filesystem::path& path, std::uint64_t length);

// The media type libmagic finds in a file's content ("image/jpeg", "text/html").
std::string sniff_media_type(const std::filesystem::path& path);

// fsync of a directory, after a file in it was created, renamed or removed.
void sync_directory(const std::filesystem::path& dir);

}  // namespace casecall::intake::store
