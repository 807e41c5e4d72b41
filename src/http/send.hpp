// Express's res.send finishing touches: a weak ETag from the body and 304 when the client's copy is
// fresh.
#pragma once

#include "http/message.hpp"

namespace cppapp::http {

/// Adds an ETag computed from the body (unless one is set) and, for a GET/HEAD whose
/// validators match, turns the response into a bodiless 304 as Express does.
void apply_send_semantics(const Request& request, Response& response);

}  // namespace cppapp::http
