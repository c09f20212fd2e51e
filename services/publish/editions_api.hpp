// Editions for administrators: making one from a call's accepted cases (decisions from review,
// submitted content from intake), curating each case (edits beside the kept original, with a
// diff; translations with their provenance; photos and public files), and publishing versions.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::publish {

void add_edition_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::publish
