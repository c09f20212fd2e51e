// GoogleTest would print an nlohmann::json as a container, and a scalar json is a container
// of itself, so a failing EXPECT_EQ on one would recurse without end. Print it as JSON text.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>

namespace nlohmann {
inline void PrintTo(const json& value, std::ostream* out) {
  *out << value.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace nlohmann
