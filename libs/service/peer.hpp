// Calls to another casecall service's /internal/v1/, with this service's token.
#pragma once

#include <chrono>
#include <string>

namespace casecall::service {

struct peer_response {
  long status = 0;     // 0: no HTTP answer (see error)
  std::string body;
  std::string error;   // why there was no answer
  std::string content_type;
};

// PUT `body` (JSON) to `url` with `Authorization: Bearer <token>`. Never throws for a
// network failure: status 0 and the reason.
peer_response put_json(const std::string& url, const std::string& token, const std::string& body,
                       std::chrono::seconds timeout = std::chrono::seconds(30));

// GET `url` with the token; the body in memory (JSON answers). Never throws for a network failure.
peer_response get(const std::string& url, const std::string& token, std::chrono::seconds timeout = std::chrono::seconds(30));

// GET `url` with the token; a 200's body goes to the file at `path` (created or truncated),
// any other status's body to `body`. Never throws for a network failure. Blocking: call it
// off the I/O threads.
peer_response get_to_file(const std::string& url, const std::string& token, const std::string& path,
                          std::chrono::seconds timeout = std::chrono::seconds(600));

}  // namespace casecall::service
