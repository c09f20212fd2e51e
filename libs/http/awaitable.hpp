// The one Asio header that handler code needs: the coroutine return type.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace casecall::http {
template <class T>
using awaitable = boost::asio::awaitable<T>;
}  // namespace casecall::http
