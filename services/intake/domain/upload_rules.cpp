#include "intake/domain/upload_rules.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace casecall::intake::domain {

namespace {

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  // Padded, as tus clients send it; unpadded is taken too.
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &length, &end, variant) == 0 &&
        end == text.data() + text.size()) {
      out.resize(length);
      return out;
    }
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_upload_metadata(std::string_view header) {
  std::map<std::string, std::string> out;
  if (trim(header).empty()) return out;
  std::size_t start = 0;
  while (start <= header.size()) {
    auto comma = header.find(',', start);
    auto pair = trim(header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (pair.empty()) return std::nullopt;
    auto space = pair.find(' ');
    auto key = pair.substr(0, space);
    if (key.empty() || std::any_of(key.begin(), key.end(), [](char ch) {
          return ch == ',' || ch == ' ' || static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7E;
        })) {
      return std::nullopt;
    }
    std::string value;
    if (space != std::string_view::npos) {
      auto decoded = base64_decode(trim(pair.substr(space + 1)));
      if (!decoded) return std::nullopt;
      value = std::move(*decoded);
    }
    if (!out.emplace(std::string(key), std::move(value)).second) return std::nullopt;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string format_upload_metadata(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    std::string encoded(sodium_base64_encoded_len(value.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    encoded.resize(encoded.size() - 1);  // the terminating NUL
    if (!out.empty()) out += ',';
    out += key;
    out += ' ';
    out += encoded;
  }
  return out;
}

std::optional<std::string> filename_problem(std::string_view name) {
  if (name.empty()) return "A file name is needed.";
  if (name.size() > 255) return "A file name has at most 255 bytes.";
  if (!valid_utf8(name)) return "A file name must be UTF-8.";
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return "A file name may not contain control characters (such as NUL).";
    if (ch == '/' || ch == '\\') return "A file name may not contain / or \\: it is a name, not a path.";
  }
  if (name == "." || name == "..") return "A file name may not be . or ..";
  return std::nullopt;
}

bool is_attachment_kind(std::string_view kind) { return kind == "photo" || kind == "document" || kind == "video"; }

const std::vector<std::string_view>& media_types_of(std::string_view kind) {
  static const std::vector<std::string_view> photo{"image/jpeg", "image/png", "image/webp"};
  static const std::vector<std::string_view> document{
      "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"};
  static const std::vector<std::string_view> video{"video/mp4", "video/webm"};
  static const std::vector<std::string_view> none;
  if (kind == "photo") return photo;
  if (kind == "document") return document;
  if (kind == "video") return video;
  return none;
}

std::string_view describe_kind(std::string_view kind) {
  if (kind == "photo") return "a photo (JPEG, PNG or WebP)";
  if (kind == "document") return "a document (PDF or DOCX)";
  if (kind == "video") return "a video (MP4 or WebM)";
  return "an attachment";
}

std::optional<std::uint64_t> parse_length(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

checksum_error parse_checksum(std::string_view header, checksum& out) {
  header = trim(header);
  auto space = header.find(' ');
  if (space == std::string_view::npos || space == 0) return checksum_error::malformed;
  auto algorithm = header.substr(0, space);
  std::string lower(algorithm);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  auto digest = base64_decode(trim(header.substr(space + 1)));
  if (lower != "sha1" && lower != "sha256") return checksum_error::unsupported;
  if (!digest || digest->size() != (lower == "sha1" ? 20u : 32u)) return checksum_error::malformed;
  out.algorithm = lower;
  out.digest = std::move(*digest);
  return checksum_error::none;
}

std::string content_disposition(std::string_view filename) {
  // The quoted form: printable ASCII, with anything else (and " or \) as '_'.
  std::string fallback;
  for (char ch : filename) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      if ((c & 0xC0u) != 0x80u) fallback += '_';  // one stand-in per character, not per byte
    } else if (c < 0x20 || c == 0x7F || ch == '"' || ch == '\\') {
      fallback += '_';
    } else {
      fallback += ch;
    }
  }
  // RFC 8187 ext-value: attr-char stays, every other byte is %XX.
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (char ch : filename) {
    const auto c = static_cast<unsigned char>(ch);
    const bool attr_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           std::string_view("!#$&+-.^_`|~").find(ch) != std::string_view::npos;
    if (attr_char) {
      encoded += ch;
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 0x0F];
    }
  }
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

std::string http_date(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[40];
  auto n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &utc);  // C locale names
  return std::string(buffer, n);
}

}  // namespace casecall::intake::domain
