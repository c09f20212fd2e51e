// A round's cases, conflicts of interest and assignment of judges to cases:
// /api/review/v1/rounds/{id}/cases, /conflicts, /assignment and /assignments.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::review {

void add_assignment_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::review
