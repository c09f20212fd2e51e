// The identity endpoints under /api/intake/v1/ and intake's /internal/v1/organisations.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::intake {

void add_identity_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::intake
