// What a password must be: 8 to 128 characters, and not one of the 10,000 most common
// passwords (data/common-passwords-10k.txt, from SecLists; see data/LICENSE-SecLists.txt).
#pragma once

#include "http/problem.hpp"

#include <optional>
#include <string_view>

namespace casecall::identity {

inline constexpr std::size_t password_min_length = 8;
inline constexpr std::size_t password_max_length = 128;

// The reason the password is refused, for the field `field`: too_short, too_long or
// too_common; nullopt when it is acceptable.
std::optional<http::field_error> check_password(std::string_view password, std::string_view field);

bool is_common_password(std::string_view password);

}  // namespace casecall::identity
