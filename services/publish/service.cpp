#include "publish/service.hpp"

namespace casecall::publish {

service::definition definition() {
  return {.name = "publish",
          .default_port = 8083,
          .migrations = &migrations,
          .add_routes = [](http::router&, service::context&) {}};
}

}  // namespace casecall::publish
