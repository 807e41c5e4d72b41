// Whether a request read from a connection may go to the pipeline: the limits on its request
// line, target and announced body, the head's framing, and what a failed read means. Plain
// functions of what the reader holds, so the connection and the request fuzzer decide alike.
#pragma once

#include <boost/beast/core/error.hpp>
#include <optional>

#include "http/message.hpp"
#include "server/request_reader.hpp"
#include "server/server.hpp"

namespace cppapp::app {
class Application;
}

namespace cppapp::server {

/// After the request line and headers were read (`ec`: how that read ended): the answer that
/// refuses the request (414, 431, 413 for an announced body over the limit, 400/417/501 for the
/// head's framing, 400 for a parse error), or nullopt. nullopt with a clear `ec`: read the body
/// and go on; with an error: the client left or was too slow, close without an answer.
std::optional<http::Response> refuse_head(const boost::beast::error_code& ec,
                                          const RequestReader& reader, const ServerOptions& options,
                                          const app::Application& app);

/// After the body was read: the same for the body (413 over the limit, 431 for a trailer section
/// or chunk-size line over what the head left of the header limit, 400 for bad chunking).
std::optional<http::Response> refuse_body(const boost::beast::error_code& ec,
                                          const RequestReader& reader, const ServerOptions& options,
                                          const app::Application& app);

}  // namespace cppapp::server
