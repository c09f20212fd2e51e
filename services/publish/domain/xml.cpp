#include "publish/domain/xml.hpp"

#include <cstdint>
#include <optional>

namespace casecall::publish::xml {

namespace {

struct code_point {
  std::uint32_t value;
  std::size_t length;  // in bytes
};

// The code point whose UTF-8 sequence starts at text[i]; nullopt when the byte there starts
// none (a stray continuation byte, a truncated or overlong sequence, a surrogate, > U+10FFFF).
std::optional<code_point> decode_utf8(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) -> std::uint32_t { return static_cast<unsigned char>(text[k]); };
  const std::uint32_t lead = byte(i);
  if (lead < 0x80) return code_point{lead, 1};
  std::size_t length = 0;
  std::uint32_t value = 0;
  std::uint32_t lowest = 0;  // below it, the sequence is overlong
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
    lowest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
    lowest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
    lowest = 0x10000;
  } else {
    return std::nullopt;
  }
  if (length > text.size() - i) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const std::uint32_t next = byte(i + k);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (next & 0x3F);
  }
  if (value < lowest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
  return code_point{value, length};
}


// XML 1.0's Char production.
bool is_xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace

bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (!c) return false;
    i += c->length;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view text, context where) {
  const bool attribute = where == context::attribute;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (!c) {
      out += "\xEF\xBF\xBD";  // U+FFFD, so the loss shows
      ++i;
      continue;
    }
    const std::string_view bytes = text.substr(i, c->length);
    i += c->length;
    switch (c->value) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#xD;"; break;
      case '\t': out += attribute ? "&#x9;" : "\t"; break;
      case '\n': out += attribute ? "&#xA;" : "\n"; break;
      default:
        if (is_xml_char(c->value)) out += bytes;
        break;
    }
  }
}

std::string escaped(std::string_view text, context where) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, where);
  return out;
}

std::string clean(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (!c) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (is_xml_char(c->value)) out += text.substr(i, c->length);
    i += c->length;
  }
  return out;
}

}  // namespace casecall::publish::xml
