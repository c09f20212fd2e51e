#include "publish/domain/zip.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace casecall::publish::zip {

namespace {

void u16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

void u32(std::string& out, std::uint32_t v) {
  u16(out, v & 0xFFFF);
  u16(out, v >> 16);
}

constexpr std::uint32_t utf8_names = 1u << 11;
// 1980-01-01 00:00: entries carry no time of their own, so the same content gives the same bytes.
constexpr std::uint32_t dos_time = 0;
constexpr std::uint32_t dos_date = (0u << 9) | (1u << 5) | 1u;

std::uint32_t checked(std::size_t n, const char* what) {
  if (n > std::numeric_limits<std::uint32_t>::max()) throw std::length_error(std::string("zip: ") + what + " beyond 4 GiB");
  return static_cast<std::uint32_t>(n);
}

}  // namespace

std::uint32_t crc32(std::string_view data) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::size_t at = 0;
  while (at < data.size()) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(data.size() - at, 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data.data() + at), n);
    at += n;
  }
  return static_cast<std::uint32_t>(crc);
}

void writer::add(const std::string& name, std::string_view data) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos || name.find('\\') != std::string::npos) {
    throw std::invalid_argument("zip: entry name '" + name + "' is not a relative path");
  }
  for (const auto& e : entries_) {
    if (e.name == name) throw std::invalid_argument("zip: entry '" + name + "' twice");
  }
  if (entries_.size() >= 65535) throw std::length_error("zip: more than 65,535 entries");
  entry e{name, crc32(data), checked(data.size(), "an entry"), checked(out_.size(), "the archive")};
  u32(out_, 0x04034b50);
  u16(out_, 20);  // version needed: 2.0
  u16(out_, utf8_names);
  u16(out_, 0);  // stored
  u16(out_, dos_time);
  u16(out_, dos_date);
  u32(out_, e.crc);
  u32(out_, e.size);
  u32(out_, e.size);
  u16(out_, checked(name.size(), "a name"));
  u16(out_, 0);
  out_ += name;
  out_.append(data);
  checked(out_.size(), "the archive");
  entries_.push_back(std::move(e));
}

std::string writer::finish() {
  const auto directory = checked(out_.size(), "the archive");
  for (const auto& e : entries_) {
    u32(out_, 0x02014b50);
    u16(out_, 20);  // made by: 2.0
    u16(out_, 20);
    u16(out_, utf8_names);
    u16(out_, 0);
    u16(out_, dos_time);
    u16(out_, dos_date);
    u32(out_, e.crc);
    u32(out_, e.size);
    u32(out_, e.size);
    u16(out_, static_cast<std::uint32_t>(e.name.size()));
    u16(out_, 0);  // extra
    u16(out_, 0);  // comment
    u16(out_, 0);  // disk
    u16(out_, 0);  // internal attributes
    u32(out_, 0);  // external attributes
    u32(out_, e.offset);
    out_ += e.name;
  }
  const auto size = checked(out_.size() - directory, "the directory");
  u32(out_, 0x06054b50);
  u16(out_, 0);
  u16(out_, 0);
  u16(out_, static_cast<std::uint32_t>(entries_.size()));
  u16(out_, static_cast<std::uint32_t>(entries_.size()));
  u32(out_, size);
  u32(out_, directory);
  u16(out_, 0);
  entries_.clear();
  return std::move(out_);
}

}  // namespace casecall::publish::zip
