#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using casecall::http::proxy_trust;

// The deployment's usual trust: the local front door and the cluster network.
proxy_trust local_and_cluster() { return proxy_trust({"127.0.0.1", "::1", "10.0.0.0/8"}); }

}  // namespace

TEST(client_address, untrusted_peer_is_the_client_even_with_forwarded_for) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("203.0.113.9", "198.51.100.1"), "203.0.113.9");
  EXPECT_EQ(trust.client_address("203.0.113.9", ""), "203.0.113.9");
}

TEST(client_address, trusted_peer_without_forwarded_for_is_the_client) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("127.0.0.1", ""), "127.0.0.1");
}

TEST(client_address, trusted_peer_yields_the_rightmost_untrusted_hop) {
  auto trust = local_and_cluster();
  // The client may put anything on the left; only the hop our proxy appended counts.
  EXPECT_EQ(trust.client_address("127.0.0.1", "1.2.3.4, 198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(trust.client_address("127.0.0.1", "198.51.100.7"), "198.51.100.7");
}

TEST(client_address, chain_of_trusted_proxies_is_skipped) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("10.1.2.3", "198.51.100.7, 10.9.8.7, 10.0.0.1"), "198.51.100.7");
  EXPECT_EQ(trust.client_address("127.0.0.1", "1.1.1.1,198.51.100.7,10.255.255.255"),
            "198.51.100.7");
}

TEST(client_address, all_hops_trusted_yields_the_leftmost) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("127.0.0.1", "10.0.0.5, 10.0.0.6"), "10.0.0.5");
}

TEST(client_address, garbage_in_forwarded_for_stops_at_the_last_good_address) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("127.0.0.1", "198.51.100.7, not-an-ip, 10.0.0.2"), "10.0.0.2");
  EXPECT_EQ(trust.client_address("127.0.0.1", "198.51.100.7, unknown"), "127.0.0.1");
  EXPECT_EQ(trust.client_address("127.0.0.1", "198.51.100.7:4711"), "127.0.0.1");
  EXPECT_EQ(trust.client_address("127.0.0.1", ", ,"), "127.0.0.1");
}

TEST(client_address, whitespace_around_hops_is_ignored) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("127.0.0.1", " 198.51.100.7 ,\t10.0.0.2 "), "198.51.100.7");
}

TEST(client_address, ipv6_peers_and_hops) {
  auto trust = local_and_cluster();
  EXPECT_EQ(trust.client_address("::1", "2001:db8::42"), "2001:db8::42");
  EXPECT_EQ(trust.client_address("2001:db8::1", "198.51.100.7"), "2001:db8::1");
  proxy_trust v6_net({"fd00::/8"});
  EXPECT_EQ(v6_net.client_address("fd12::1", "2001:db8::42, fd00::2"), "2001:db8::42");
}

TEST(client_address, v4_mapped_peer_is_judged_as_its_ipv4_address) {
  auto trust = local_and_cluster();
  EXPECT_TRUE(trust.trusts("::ffff:127.0.0.1"));
  EXPECT_TRUE(trust.trusts("::ffff:10.20.30.40"));
  EXPECT_FALSE(trust.trusts("::ffff:198.51.100.7"));
  EXPECT_EQ(trust.client_address("::ffff:10.0.0.9", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(trust.client_address("::ffff:198.51.100.7", "1.2.3.4"), "::ffff:198.51.100.7");
}

// Library bug (see report): a v4-mapped address listed as trusted is stored as IPv6 but every
// v4-mapped address is looked up among the IPv4 entries, so the listed address is not trusted.
TEST(client_address, listed_v4_mapped_address_is_trusted) {
  proxy_trust trust({"::ffff:192.0.2.10"});
  EXPECT_TRUE(trust.trusts("::ffff:192.0.2.10"));
  EXPECT_TRUE(trust.trusts("192.0.2.10"));
}

TEST(client_address, trusts_matches_cidr_bounds) {
  proxy_trust trust({"192.168.4.0/22", "2001:db8:1::/48"});
  EXPECT_TRUE(trust.trusts("192.168.4.0"));
  EXPECT_TRUE(trust.trusts("192.168.7.255"));
  EXPECT_FALSE(trust.trusts("192.168.8.0"));
  EXPECT_FALSE(trust.trusts("192.168.3.255"));
  EXPECT_TRUE(trust.trusts("2001:db8:1:ffff::1"));
  EXPECT_FALSE(trust.trusts("2001:db8:2::1"));
}

TEST(client_address, single_address_entry_trusts_only_that_address) {
  proxy_trust trust({"10.0.0.1"});
  EXPECT_TRUE(trust.trusts("10.0.0.1"));
  EXPECT_FALSE(trust.trusts("10.0.0.2"));
  EXPECT_FALSE(trust.trusts("garbage"));
  EXPECT_FALSE(trust.trusts(""));
}

TEST(client_address, network_with_host_bits_is_taken_as_its_network) {
  proxy_trust trust({"10.1.2.3/16"});
  EXPECT_TRUE(trust.trusts("10.1.200.200"));
  EXPECT_FALSE(trust.trusts("10.2.0.1"));
}

TEST(client_address, empty_trust_list_trusts_nobody) {
  proxy_trust trust(std::vector<std::string>{});
  EXPECT_FALSE(trust.trusts("127.0.0.1"));
  EXPECT_EQ(trust.client_address("127.0.0.1", "198.51.100.7"), "127.0.0.1");
}

TEST(client_address, bad_cidr_throws_invalid_argument_naming_the_entry) {
  for (const char* entry : {"10.0.0.0/99", "10.0.0.0/", "not-an-ip", "300.1.1.1", "::1/129",
                            "10.0.0.0/8x", ""}) {
    try {
      proxy_trust trust({"127.0.0.1", entry});
      ADD_FAILURE() << "accepted '" << entry << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(entry), std::string::npos) << e.what();
    }
  }
}

TEST(client_address, proxy_trust_can_be_moved) {
  auto trust = local_and_cluster();
  proxy_trust moved(std::move(trust));
  EXPECT_TRUE(moved.trusts("10.0.0.1"));
  proxy_trust assigned({"192.0.2.1"});
  assigned = std::move(moved);
  EXPECT_TRUE(assigned.trusts("10.0.0.1"));
  EXPECT_FALSE(assigned.trusts("192.0.2.1"));
}
