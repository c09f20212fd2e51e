#include "publish/service.hpp"

#include "audit/audit.hpp"
#include "identity/identity.hpp"
#include "publish/editions_api.hpp"
#include "publish/feeds_api.hpp"
#include "publish/site_api.hpp"

namespace casecall::publish {

const std::vector<std::pair<std::string_view, std::string_view>>& request_schema_files();

namespace {

const http::schema_set& request_schemas() {
  static const http::schema_set set(request_schema_files());
  return set;
}

}  // namespace

service::definition definition() {
  return {.name = "publish",
          .default_port = 8083,
          .migrations = &migrations,
          .shared_schemas = {{&audit::migrations, db::schema_use::append}, {&identity::migrations, db::schema_use::own}},
          .add_routes =
              [](http::router& routes, service::context& ctx) {
                routes.set_guard(identity::make_guard(ctx.config.auth, ctx.db, "publish"));
                add_edition_routes(routes, ctx, request_schemas());
                add_site_routes(routes, ctx);
                add_feed_routes(routes, ctx);
              },
          .background = [](service::context& ctx) { return audit::start_sealer(ctx.config.db); }};
}

}  // namespace casecall::publish
