// Running a database call for a request: on the worker pool, never on an event loop, with a
// 503 when the database is away or the pool is full.
#pragma once

#include <functional>
#include <string_view>

#include "app/controllers.hpp"

namespace cppapp::app {

/// Builds the response for work that could not run; `reason` is a sentence for the user.
using UnavailableAnswer = std::function<http::Response(std::string_view reason)>;

/// Runs `work` on the worker pool and replies with its response. Replies `unavailable(…)` (503)
/// at once when the database is known to be down or the pool's queue is full, and when the
/// store reports it unreachable; any other failure answers 500. Errors are logged with the
/// request id.
void run_store_work(const Services& services, const RequestPtr& request, const Reply& reply,
                    std::function<http::Response()> work, UnavailableAnswer unavailable);

}  // namespace cppapp::app
