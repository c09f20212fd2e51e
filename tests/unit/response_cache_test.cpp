// The publish service's cache of rendered answers: fresh entries are served, an expired one
// is made again by one caller while the others get the stale copy, a publication makes every
// entry stale, and the least recently used go first when it is full.
#include "publish/response_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace casecall::publish {
namespace {

http::response answer(const std::string& body) { return http::response::text(body, "text/plain"); }

TEST(response_cache, a_fresh_entry_is_served_and_an_expired_one_is_made_again_once) {
  response_cache cache(10);
  EXPECT_FALSE(cache.get("/a"));
  cache.put("/a", answer("one"), std::chrono::milliseconds(0));
  ASSERT_TRUE(cache.get("/a"));
  EXPECT_EQ(cache.get("/a")->body, "one");

  cache.put("/b", answer("old"), std::chrono::milliseconds(1));
  // Past its time to live (a wait on the clock the entry is measured by, not a synchronisation).
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
  while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
  EXPECT_FALSE(cache.get("/b"));           // the first caller makes it again
  ASSERT_TRUE(cache.get("/b"));            // the others get the stale copy meanwhile
  EXPECT_EQ(cache.get("/b")->body, "old");
  cache.put("/b", answer("new"), std::chrono::milliseconds(0));
  EXPECT_EQ(cache.get("/b")->body, "new");
}

TEST(response_cache, a_publication_makes_every_entry_stale) {
  response_cache cache(10);
  cache.put("/a", answer("before"), std::chrono::milliseconds(0));
  response_cache::published();
  EXPECT_FALSE(cache.get("/a"));
  cache.put("/a", answer("after"), std::chrono::milliseconds(0));
  EXPECT_EQ(cache.get("/a")->body, "after");
}

TEST(response_cache, when_full_the_least_recently_used_entry_goes) {
  response_cache cache(2);
  cache.put("/a", answer("a"), std::chrono::milliseconds(0));
  cache.put("/b", answer("b"), std::chrono::milliseconds(0));
  EXPECT_TRUE(cache.get("/a"));  // /a used last: /b is the oldest now
  cache.put("/c", answer("c"), std::chrono::milliseconds(0));
  EXPECT_TRUE(cache.get("/a"));
  EXPECT_FALSE(cache.get("/b"));
  EXPECT_TRUE(cache.get("/c"));
}

}  // namespace
}  // namespace casecall::publish
