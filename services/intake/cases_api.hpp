// Cases under /api/intake/v1: drafts in a call, shared by the members of a partner organisation.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::intake {

void add_case_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::intake
