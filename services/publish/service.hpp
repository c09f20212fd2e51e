#pragma once

#include "db/migrations.hpp"
#include "service/run.hpp"

namespace casecall::publish {

// The schema history compiled from migrations/*.sql.
const db::migration_set& migrations();

// The publish service: editions of selected cases, the public collection, search, feeds, OAI-PMH and exports.
service::definition definition();

}  // namespace casecall::publish
