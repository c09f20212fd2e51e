// A call's review rounds, their rubrics and panels, for administrators:
// /api/review/v1/calls/{call_id}/rounds and /api/review/v1/rounds/{id}[/rubric|/panel].
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::review {

void add_round_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::review
