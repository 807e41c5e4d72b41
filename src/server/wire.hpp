// Between the pipeline's plain values and the wire: response serialization (requests are read by
// RequestReader).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::server {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// True when a response with this status to this method carries no body on the wire.
bool bodiless(unsigned status, std::string_view method);

/// Appends the status line and the response's own header lines (its shared block, then its
/// fields), leaving out the ones the server writes for each request (request_lines).
void append_response_lines(std::string& head, const http::Response& response);

/// Appends the lines the server writes for each request, after the response's own, and the
/// empty line that ends the head: X-Request-Id, Date, Content-Length (not for a status without
/// a body) and the connection's fate.
void append_request_lines(std::string& head, std::string_view request_id, unsigned status,
                          std::uint64_t content_length, bool keep_alive,
                          std::chrono::milliseconds keepalive_timeout);

/// The whole head: append_response_lines, then append_request_lines.
std::string serialize_head(const http::Response& response, std::string_view request_id,
                           bool keep_alive, std::chrono::milliseconds keepalive_timeout);

/// The IMF-fixdate of now, recomputed at most once a second per thread.
const std::string& cached_date();

}  // namespace cppapp::server
