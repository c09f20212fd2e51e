#pragma once

#include "db/migrations.hpp"
#include "service/run.hpp"

namespace casecall::review {

// The schema history compiled from migrations/*.sql.
const db::migration_set& migrations();

// The review service: rounds, rubrics, panels, conflicts of interest, assignment, scores, calibration and decisions.
service::definition definition();

}  // namespace casecall::review
