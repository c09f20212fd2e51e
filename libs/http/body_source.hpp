// The body of a request on a route that streams it (route_spec::streams_body): read piece by
// piece as it arrives, never held whole, so that memory per request is what the handler's
// buffer holds. Free of Beast, like message.hpp.
#pragma once

#include "http/awaitable.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace casecall::http {

class body_source {
 public:
  virtual ~body_source() = default;
  // Reads some of the body into `into`, waiting for at least one byte (each wait bounded by
  // the server's read timeout). 0 once the body has ended: whole, or cut short when the client
  // went away, stalled, or broke the framing; complete() tells which.
  virtual awaitable<std::size_t> read_some(std::span<char> into) = 0;
  // Every byte of the body has been read.
  virtual bool complete() const = 0;
  // The Content-Length the client declared; nullopt for a chunked body.
  virtual std::optional<std::uint64_t> declared_length() const = 0;
};

}  // namespace casecall::http
