// The public collection: the HTML site (home, editions, an edition, a case and its versions,
// search; server-rendered, no JavaScript, a strict CSP, long caching of immutable versions),
// its JSON API (editions, cases, versions, search with facets) and the stylesheet.
#pragma once

#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::publish {

void add_site_routes(http::router& routes, service::context& ctx);

}  // namespace casecall::publish
