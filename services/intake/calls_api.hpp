// Calls for cases under /api/intake/v1/calls: anyone reads them; administrators make and
// change them.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::intake {

void add_call_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::intake
