// A round's results (raw and calibrated side by side, agreement, judges' statistics) and their
// CSV and Excel exports; decisions; closing the round into its decision record, the record and
// its verification; releasing decisions to the partners; and, for publish, a call's accepted
// cases.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::review {

void add_result_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::review
