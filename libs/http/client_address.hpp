// Which address a request came from: the peer, or, when the peer is a trusted proxy, the
// nearest address in X-Forwarded-For that is not itself a trusted proxy.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::http {

class proxy_trust {
 public:
  // Each entry an address or a network in CIDR notation ("127.0.0.1", "10.0.0.0/8", "::1").
  // Throws std::invalid_argument naming the entry that does not parse.
  explicit proxy_trust(const std::vector<std::string>& trusted);
  ~proxy_trust();
  proxy_trust(proxy_trust&&) noexcept;
  proxy_trust& operator=(proxy_trust&&) noexcept;

  bool trusts(std::string_view address) const;
  std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace casecall::http
