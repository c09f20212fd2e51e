#pragma once

#include "db/migrations.hpp"
#include "service/run.hpp"

namespace casecall::intake {

// The schema history compiled from migrations/*.sql.
const db::migration_set& migrations();

// The intake service: calls, organisations and accounts, case drafts, resumable uploads, submissions and receipts.
service::definition definition();

}  // namespace casecall::intake
