// What intake's handlers share beyond http/handler_util.hpp: whether a call takes cases.
#pragma once

#include "http/handler_util.hpp"

#include <string_view>

namespace casecall::intake {

using http::check_version;
using http::etag;
using http::fail;
using http::if_match_version;
using http::invalid;
using http::is_uuid;
using http::not_found;
using http::route_adder;
using http::uuid_param;

// Partners write to a call's cases only while it takes them (intake.call_status, by the
// server's clock): 409 `call_not_open` before opens_at, `call_closed` after closes_at + grace.
void require_call_open(std::string_view call_status);

}  // namespace casecall::intake
