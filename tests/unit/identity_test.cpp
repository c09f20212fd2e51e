// The pure parts of libs/identity: passwords, tokens, hashes, cookies.
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "identity/passwords.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {

namespace identity = casecall::identity;

TEST(passwords, length_is_8_to_128_characters_counted_as_characters) {
  EXPECT_EQ(identity::check_password("seven77", "/p")->code, "too_short");
  EXPECT_FALSE(identity::check_password("eight888x", "/p"));
  EXPECT_FALSE(identity::check_password("扶贫开发案例征集", "/p")) << "8 characters, 24 bytes";
  EXPECT_EQ(identity::check_password("扶贫开发案例征", "/p")->code, "too_short");
  EXPECT_FALSE(identity::check_password(std::string(128, 'q'), "/p"));
  auto too_long = identity::check_password(std::string(129, 'q'), "/p");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->code, "too_long");
  EXPECT_EQ(too_long->field, "/p");
}

TEST(passwords, the_most_common_passwords_are_refused_whatever_their_case) {
  EXPECT_EQ(identity::check_password("password", "/p")->code, "too_common");
  EXPECT_EQ(identity::check_password("Password1", "/p")->code, "too_common");
  EXPECT_EQ(identity::check_password("QWERTY123", "/p")->code, "too_common");
  EXPECT_TRUE(identity::is_common_password("iloveyou"));
  EXPECT_FALSE(identity::is_common_password("correct horse battery staple"));
}

TEST(crypto, tokens_are_256_random_bits_in_base64url) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = identity::random_token();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(identity::random_token("cc_pat_").rfind("cc_pat_", 0), 0u);
}

TEST(crypto, sha256_matches_the_standard_vector) {
  EXPECT_EQ(identity::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(identity::sha256("abc").size(), 32u);
}

TEST(crypto, password_hashes_are_argon2id_with_the_required_cost_and_verify) {
  auto hash = identity::hash_password("correct horse battery staple");
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
  EXPECT_NE(hash, identity::hash_password("correct horse battery staple")) << "salted";
  EXPECT_TRUE(identity::verify_password(hash, "correct horse battery staple"));
  EXPECT_FALSE(identity::verify_password(hash, "correct horse battery stapler"));
  EXPECT_FALSE(identity::verify_password("not a hash", "x"));
}

TEST(crypto, the_csrf_token_belongs_to_its_session) {
  auto a = identity::random_token();
  auto b = identity::random_token();
  EXPECT_EQ(identity::csrf_token_for(a), identity::csrf_token_for(a));
  EXPECT_NE(identity::csrf_token_for(a), identity::csrf_token_for(b));
  EXPECT_NE(identity::csrf_token_for(a), a);
  EXPECT_TRUE(identity::equal_constant_time(a, a));
  EXPECT_FALSE(identity::equal_constant_time(a, b));
  EXPECT_FALSE(identity::equal_constant_time("abc", "abcd"));
}

TEST(cookies, over_tls_the_cookie_is_secure_and_host_prefixed) {
  casecall::service::auth_config plain;
  casecall::service::auth_config tls;
  tls.secure_cookies = true;
  auto c = identity::session_cookie(plain, "tok");
  EXPECT_EQ(c.rfind("casecall_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=", 0), 0u) << c;
  EXPECT_EQ(c.find("Secure"), std::string::npos);
  auto s = identity::session_cookie(tls, "tok");
  EXPECT_EQ(s.rfind("__Host-casecall_session=tok; Path=/; HttpOnly; SameSite=Lax", 0), 0u) << s;
  EXPECT_NE(s.find("; Secure"), std::string::npos);
  EXPECT_EQ(s.find("Domain"), std::string::npos) << "__Host- cookies carry no Domain";
  EXPECT_NE(identity::expired_session_cookie(tls).find("Max-Age=0"), std::string::npos);
}

TEST(cookies, the_session_token_is_found_among_other_cookies) {
  casecall::service::auth_config cfg;
  casecall::http::request req;
  req.headers.emplace_back("Cookie", "theme=dark; casecall_session=abc123 ; lang=fr");
  EXPECT_EQ(identity::session_token_from(req, cfg), "abc123");
  casecall::http::request other;
  other.headers.emplace_back("Cookie", "xcasecall_session=nope; casecall_session=");
  EXPECT_FALSE(identity::session_token_from(other, cfg));
  casecall::http::request bearer;
  bearer.headers.emplace_back("Authorization", "bearer  cc_pat_x");
  EXPECT_EQ(identity::bearer_token_from(bearer), "cc_pat_x");
  casecall::http::request basic;
  basic.headers.emplace_back("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_FALSE(identity::bearer_token_from(basic));
}

}  // namespace
