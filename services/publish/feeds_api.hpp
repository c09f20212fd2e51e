// The collection for machines: Atom feeds (the whole collection and each edition), OAI-PMH 2.0
// with oai_dc for library harvesters (an item per case, its current version), and sitemap.xml.
#pragma once

#include "http/router.hpp"
#include "service/run.hpp"

namespace casecall::publish {

void add_feed_routes(http::router& routes, service::context& ctx);

}  // namespace casecall::publish
