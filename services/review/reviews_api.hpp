// Judges' work: their assignments with progress, a case as they may see it, their own review
// (drafts, submission, revision until the round closes), the panel's reviews once their own
// is in, and the case's discussion.
#pragma once

#include "http/json_schema.hpp"
#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::review {

void add_review_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas);

}  // namespace casecall::review
