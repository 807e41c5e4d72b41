// Between the wire and the pipeline's plain values: request conversion and response serialization.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/message.hpp"

namespace cppapp::server {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// Moves a parsed Beast request into the pipeline's Request value, with its first
/// `header_fields` fields as headers. Beast's parser appends a chunked body's trailer fields to
/// the same list; they are dropped here, never merged into the headers (RFC 9110 6.5): a
/// trailer must not become an X-Forwarded-For, an X-Request-Id or a Content-Encoding.
http::Request to_request(BeastRequest&& beast_request, std::size_t header_fields);

/// True when a response with this status to this method carries no body on the wire.
bool bodiless(unsigned status, std::string_view method);

/// The status line and header block (ending in an empty line) for `response`, with Date,
/// Content-Length and the connection headers the server owns.
std::string serialize_head(const http::Response& response, bool keep_alive,
                           std::chrono::milliseconds keepalive_timeout);

/// The IMF-fixdate of now, recomputed at most once a second per thread.
const std::string& cached_date();

}  // namespace cppapp::server
