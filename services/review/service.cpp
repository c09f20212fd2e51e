#include "review/service.hpp"

#include "audit/audit.hpp"
#include "identity/identity.hpp"
#include "mail/outbox.hpp"
#include "review/assignment_api.hpp"
#include "review/cases_api.hpp"
#include "review/results_api.hpp"
#include "review/reviews_api.hpp"
#include "review/rounds_api.hpp"

namespace casecall::review {

const std::vector<std::pair<std::string_view, std::string_view>>& request_schema_files();

namespace {

const http::schema_set& request_schemas() {
  static const http::schema_set set(request_schema_files());
  return set;
}

}  // namespace

service::definition definition() {
  return {.name = "review",
          .default_port = 8082,
          .migrations = &migrations,
          .shared_schemas = {{&audit::migrations, db::schema_use::append}, {&identity::migrations, db::schema_use::own},
                             {&mail::migrations, db::schema_use::append}},
          .add_routes =
              [](http::router& routes, service::context& ctx) {
                routes.set_guard(identity::make_guard(ctx.config.auth, ctx.db, "review"));
                add_case_routes(routes, ctx, request_schemas());
                add_round_routes(routes, ctx, request_schemas());
                add_assignment_routes(routes, ctx, request_schemas());
                add_review_routes(routes, ctx, request_schemas());
                add_result_routes(routes, ctx, request_schemas());
              },
          .background = [](service::context& ctx) { return audit::start_sealer(ctx.config.db); }};
}

}  // namespace casecall::review
