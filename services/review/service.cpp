#include "review/service.hpp"

namespace casecall::review {

service::definition definition() {
  return {.name = "review",
          .default_port = 8082,
          .migrations = &migrations,
          .add_routes = [](http::router&, service::context&) {}};
}

}  // namespace casecall::review
