// Conditional-GET freshness, as the `fresh` 0.5.2 package decides it for Express and send.
#pragma once

#include "http/message.hpp"

namespace cppapp::http {

/// fresh(req.headers, {etag, last-modified}): true when the client's cached copy is still good
/// (If-None-Match weakly matches the ETag, or If-Modified-Since is not older than Last-Modified),
/// false for unconditional requests and for requests carrying Cache-Control: no-cache.
bool is_fresh(const Headers& request_headers, const Headers& response_headers);

}  // namespace cppapp::http
