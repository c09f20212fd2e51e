#include "http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <stdexcept>

namespace casecall::http {

namespace ip = boost::asio::ip;

struct proxy_trust::impl {
  std::vector<ip::network_v4> v4;
  std::vector<ip::network_v6> v6;
};

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

proxy_trust::proxy_trust(const std::vector<std::string>& trusted) : impl_(std::make_unique<impl>()) {
  for (const auto& entry : trusted) {
    boost::system::error_code ec;
    std::string text = entry;
    if (text.find('/') == std::string::npos) {
      auto addr = ip::make_address(text, ec);
      if (ec) throw std::invalid_argument("not an IP address or network: " + entry);
      text += addr.is_v4() ? "/32" : "/128";
    }
    if (text.find(':') != std::string::npos) {
      auto net = ip::make_network_v6(text, ec);
      if (ec) throw std::invalid_argument("not an IP address or network: " + entry);
      auto address = net.address();
      if (address.is_v4_mapped() && net.prefix_length() >= 96) {
        // Checked addresses are unmapped before comparison, so store these as IPv4 too.
        auto v4 = ip::make_address_v4(ip::v4_mapped, address);
        impl_->v4.push_back(ip::network_v4(v4, static_cast<unsigned short>(net.prefix_length() - 96)).canonical());
      } else {
        impl_->v6.push_back(net.canonical());
      }
    } else {
      auto net = ip::make_network_v4(text, ec);
      if (ec) throw std::invalid_argument("not an IP address or network: " + entry);
      impl_->v4.push_back(net.canonical());
    }
  }
}

proxy_trust::~proxy_trust() = default;
proxy_trust::proxy_trust(proxy_trust&&) noexcept = default;
proxy_trust& proxy_trust::operator=(proxy_trust&&) noexcept = default;

bool proxy_trust::trusts(std::string_view address) const {
  boost::system::error_code ec;
  auto addr = ip::make_address(std::string(trim(address)), ec);
  if (ec) return false;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = ip::make_address_v4(ip::v4_mapped, addr.to_v6());
  }
  if (addr.is_v4()) {
    auto one = ip::network_v4(addr.to_v4(), 32);
    for (const auto& net : impl_->v4) {
      if (one == net || one.is_subnet_of(net)) return true;
    }
    return false;
  }
  auto one = ip::network_v6(addr.to_v6(), 128);
  for (const auto& net : impl_->v6) {
    if (one == net || one.is_subnet_of(net)) return true;
  }
  return false;
}

std::string proxy_trust::client_address(std::string_view peer, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !trusts(peer)) return std::string(peer);
  // Walk from the right: each hop was appended by the proxy before it.
  std::string_view rest = forwarded_for;
  std::string_view candidate = peer;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    boost::system::error_code ec;
    ip::make_address(std::string(hop), ec);
    if (ec) break;  // garbage from the client: stop at the last address we could trust
    candidate = hop;
    if (!trusts(hop)) break;
  }
  return std::string(candidate);
}

}  // namespace casecall::http
