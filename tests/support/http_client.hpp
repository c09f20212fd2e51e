// A deliberately plain HTTP/1.1 client over a blocking socket, so that tests can send
// exactly the bytes they mean (half a request, a huge header, a lying Content-Length).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace casecall::testing {

struct http_response {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

class http_connection {
 public:
  explicit http_connection(std::uint16_t port, const std::string& host = "127.0.0.1");
  ~http_connection();
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  // Sends raw bytes; false if the peer has closed the connection.
  bool send(const std::string& bytes);
  // Reads one response (Content-Length or close-delimited); nullopt on timeout or close.
  // A response to HEAD has no body whatever its Content-Length says.
  std::optional<http_response> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                             bool head_request = false);
  // True once the server has closed the connection (EOF or reset) within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
http_response http_request(std::uint16_t port, const std::string& method, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           const std::string& body = {});

}  // namespace casecall::testing
