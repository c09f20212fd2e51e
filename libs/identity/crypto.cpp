#include "identity/crypto.hpp"

#include <sodium.h>

#include <array>
#include <mutex>
#include <stdexcept>

namespace casecall::identity {

namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  });
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string base64url(std::string_view raw) {
  ensure_sodium();
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(raw), raw.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string random_token(std::string_view prefix) {
  ensure_sodium();
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string token(prefix);
  token += base64url({reinterpret_cast<const char*>(raw.data()), raw.size()});
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string sha256(std::string_view text) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), bytes(text), text.size());
  return out;
}

std::string sha256_hex(std::string_view text) {
  auto raw = sha256(text);
  std::string out(raw.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes(raw), raw.size());
  out.pop_back();
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hash_password(std::string_view password) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), argon2_ops, argon2_memory,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return std::string(out.data());
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  ensure_sodium();
  std::string terminated(stored_hash);  // libsodium reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void burn_password_time(std::string_view password) {
  static const std::string decoy = hash_password("casecall decoy password");
  (void)verify_password(decoy, password);
}

std::string csrf_token_for(std::string_view session_token) {
  std::string input = "casecall csrf v1:";
  input += session_token;
  return base64url(sha256(input));
}

}  // namespace casecall::identity
