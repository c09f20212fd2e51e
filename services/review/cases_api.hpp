// Review's side of the hand-over of cases from intake (/internal/v1/cases/{id}).
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::review {

void add_case_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::review
