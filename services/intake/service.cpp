#include "intake/service.hpp"

namespace casecall::intake {

service::definition definition() {
  return {.name = "intake",
          .default_port = 8081,
          .migrations = &migrations,
          .add_routes = [](http::router&, service::context&) {}};
}

}  // namespace casecall::intake
