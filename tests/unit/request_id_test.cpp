#include "http/request_id.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using casecall::http::acceptable_request_id;
using casecall::http::generate_request_id;

TEST(request_id, accepts_ids_of_letters_digits_dot_underscore_colon_and_dash) {
  EXPECT_TRUE(acceptable_request_id("a"));
  EXPECT_TRUE(acceptable_request_id("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(acceptable_request_id("Req-42_x.y:z"));
  EXPECT_TRUE(acceptable_request_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(request_id, accepts_exactly_128_characters) {
  EXPECT_TRUE(acceptable_request_id(std::string(128, 'a')));
}

TEST(request_id, rejects_empty) { EXPECT_FALSE(acceptable_request_id("")); }

TEST(request_id, rejects_more_than_128_characters) {
  EXPECT_FALSE(acceptable_request_id(std::string(129, 'a')));
  EXPECT_FALSE(acceptable_request_id(std::string(10'000, '1')));
}

TEST(request_id, rejects_characters_that_could_inject_into_logs_or_headers) {
  for (const char* id : {"a b", "a\"b", "a'b", "a\nb", "a\rb", "a\tb", "a\\b", "a/b", "a,b",
                         "a;b", "a{b}", "a<b>", "a=b", "caf\xC3\xA9"}) {
    EXPECT_FALSE(acceptable_request_id(id)) << '"' << id << '"';
  }
  EXPECT_FALSE(acceptable_request_id(std::string("a\0b", 3)));
}

TEST(request_id, each_permitted_punctuation_mark_is_accepted_alone) {
  for (const char* id : {".", "_", ":", "-", "Z", "z", "0", "9"}) {
    EXPECT_TRUE(acceptable_request_id(id)) << '"' << id << '"';
  }
}

TEST(request_id, characters_next_to_the_permitted_ranges_are_rejected) {
  // Neighbours in ASCII of 0-9, A-Z, a-z and the punctuation marks.
  for (const char* id : {"/", ";", "@", "[", "`", "{", ",", "+", "~", "\x7f"}) {
    EXPECT_FALSE(acceptable_request_id(id)) << '"' << id << '"';
  }
}

TEST(request_id, generated_ids_are_32_lowercase_hex_digits) {
  static const std::regex hex32("[0-9a-f]{32}");
  for (int i = 0; i < 100; ++i) {
    auto id = generate_request_id();
    EXPECT_TRUE(std::regex_match(id, hex32)) << id;
  }
}

TEST(request_id, generated_ids_differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(generate_request_id());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(request_id, generated_ids_differ_across_threads) {
  // Each thread has its own generator; equal seeds would repeat ids in every thread.
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 200; ++i) ids.push_back(generate_request_id());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> seen;
  for (const auto& ids : per_thread) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), 800u);
}

TEST(request_id, generated_ids_are_acceptable_when_passed_on) {
  EXPECT_TRUE(acceptable_request_id(generate_request_id()));
}
