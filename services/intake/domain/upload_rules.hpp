// What intake accepts of an upload, apart from any storage: the tus headers it reads
// (Upload-Metadata, Upload-Checksum), file names (metadata only, never paths), the types each
// attachment kind allows, and the headers of a download. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::intake::domain {

// Upload-Metadata: "key base64value,key base64value" (a key may come without a value). nullopt
// when the header is not in that form, a key repeats, or a value is not base64.
std::optional<std::map<std::string, std::string>> parse_upload_metadata(std::string_view header);

// Upload-Metadata from pairs, in their order: "key base64value,...".
std::string format_upload_metadata(const std::vector<std::pair<std::string, std::string>>& pairs);

// Why a file name is refused, or nullopt when it is acceptable: empty, over 255 bytes, not
// UTF-8, a control character (NUL included), a '/' or '\', or the names "." and "..".
std::optional<std::string> filename_problem(std::string_view name);

// The attachment kinds a call may have rules for: photo, document, video.
bool is_attachment_kind(std::string_view kind);
// The media types a kind allows, as libmagic names them.
const std::vector<std::string_view>& media_types_of(std::string_view kind);
// "a photo (JPEG, PNG or WebP)": for messages.
std::string_view describe_kind(std::string_view kind);

// A non-negative decimal integer header (Upload-Length, Upload-Offset); nullopt otherwise.
std::optional<std::uint64_t> parse_length(std::string_view text);

// Upload-Checksum: "<algorithm> <base64 digest>".
struct checksum {
  std::string algorithm;  // sha1 or sha256
  std::string digest;     // raw bytes
};
enum class checksum_error { none, malformed, unsupported };
checksum_error parse_checksum(std::string_view header, checksum& out);

// Content-Disposition for a download (RFC 6266, with RFC 8187 for names beyond ASCII):
// attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<percent-encoded>.
std::string content_disposition(std::string_view filename);

// An HTTP date (RFC 9110 IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::system_clock::time_point at);

}  // namespace casecall::intake::domain
