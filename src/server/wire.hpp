// Between the pipeline's plain values and the wire: response serialization (requests are read by
// RequestReader).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/message.hpp"

namespace cppapp::server {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// True when a response with this status to this method carries no body on the wire.
bool bodiless(unsigned status, std::string_view method);

/// The status line and header block (ending in an empty line) for `response`, with Date,
/// Content-Length and the connection headers the server owns.
std::string serialize_head(const http::Response& response, bool keep_alive,
                           std::chrono::milliseconds keepalive_timeout);

/// The IMF-fixdate of now, recomputed at most once a second per thread.
const std::string& cached_date();

}  // namespace cppapp::server
