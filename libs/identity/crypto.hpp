// The secrets identity deals in: random tokens (shown once, stored as SHA-256), argon2id
// password hashes, and the CSRF token derived from a session token.
#pragma once

#include <string>
#include <string_view>

namespace casecall::identity {

// Argon2id parameters (OWASP's minimum: 19 MiB, two passes, one lane).
inline constexpr unsigned long long argon2_ops = 2;
inline constexpr std::size_t argon2_memory = 19u * 1024u * 1024u;

// 32 random bytes as unpadded base64url (43 characters), after `prefix`.
std::string random_token(std::string_view prefix = {});

// SHA-256 of the text, as 32 raw bytes (what the database stores) or as lowercase hex.
std::string sha256(std::string_view text);
std::string sha256_hex(std::string_view text);

// Compares in time that depends on the length only.
bool equal_constant_time(std::string_view a, std::string_view b);

// An argon2id string ("$argon2id$v=19$m=19456,t=2,p=1$...") for the password.
std::string hash_password(std::string_view password);
// False also for a malformed stored hash; never throws for a wrong password.
bool verify_password(std::string_view stored_hash, std::string_view password);
// Spends the time a verification takes, for accounts that do not exist.
void burn_password_time(std::string_view password);

// The CSRF token of a session: HMAC-free derivation, SHA-256 over a label and the session
// token, base64url; it changes with the session and cannot be computed without the cookie.
std::string csrf_token_for(std::string_view session_token);

std::string base64url(std::string_view bytes);

}  // namespace casecall::identity
