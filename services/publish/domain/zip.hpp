// A ZIP archive of stored (uncompressed) entries, built in memory: what an edition's bundle
// needs (its JSON and CSV and its public files, most of which are already compressed images
// and PDFs). Entries are written with their CRC-32 and sizes in the local header, UTF-8 names
// (general purpose flag bit 11), ZIP64 not supported: the archive and each entry stay under
// 4 GiB and 65,535 entries, else std::length_error. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::publish::zip {

class writer {
 public:
  // Adds an entry; `name` uses '/' between folders. Throws std::invalid_argument for an empty
  // name, one that is absolute or climbs out ("..") or repeats an earlier one.
  void add(const std::string& name, std::string_view data);
  // The archive's bytes (the central directory appended); the writer is spent afterwards.
  std::string finish();

 private:
  struct entry {
    std::string name;
    std::uint32_t crc = 0;
    std::uint32_t size = 0;
    std::uint32_t offset = 0;
  };
  std::string out_;
  std::vector<entry> entries_;
};

std::uint32_t crc32(std::string_view data);

}  // namespace casecall::publish::zip
