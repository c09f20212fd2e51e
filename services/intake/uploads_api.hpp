// Uploads under /api/intake/v1 by the tus 1.0 resumable protocol (core, creation,
// creation-with-upload, termination, checksum, expiration), each bound to a case and an
// attachment kind; and the downloads of finished ones.
#pragma once

#include "http/router.hpp"
#include "service/run.hpp"

#include <memory>

namespace casecall::intake {

void add_upload_routes(http::router& routes, service::context& ctx);

// Expires unfinished uploads past their Upload-Expires and deletes their bytes; on its own
// connection and thread. Started by the service's background work.
std::shared_ptr<void> start_upload_sweeper(service::context& ctx);

}  // namespace casecall::intake
