#include "server/request_checks.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

#include "app/application.hpp"

namespace cppapp::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

/// The answer to a request that could not be read, or nothing when the client just left.
/// `head` is the request line and headers when they were read (the body was the problem): it
/// decides the answer's format, as for any other error (JSON for an API client).
std::optional<http::Response> answer_for_read_error(const beast::error_code& ec,
                                                    const app::Application& app,
                                                    const ServerOptions& options,
                                                    const http::Request* head = nullptr) {
  if (ec == beast_http::error::header_limit) {
    return app.protocol_error(
        431, "header_too_large",
        "Request Header Fields Too Large: the request line and headers exceed " +
            std::to_string(options.header_limit) + " bytes",
        head);
  }
  if (ec == beast_http::error::body_limit) {
    return app.protocol_error(413, "entity.too.large",
                              "Payload Too Large: the request body exceeds " +
                                  std::to_string(options.body_limit) + " bytes (BODY_LIMIT)",
                              head);
  }
  // A client too slow for a time limit is cut off, not answered (docs/differences.md).
  if (ec == beast::error::timeout || ec == beast_http::error::end_of_stream ||
      ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::operation_aborted || ec == beast_http::error::partial_message) {
    return std::nullopt;
  }
  return app.protocol_error(400, "bad_request", "Bad Request: " + ec.message(), head);
}

/// For a header block over the limit: true when it overflowed inside the request line (Beast had
/// not parsed a target yet) or the target it parsed is itself too long.
bool request_line_too_long(const RequestReader& reader, const ServerOptions& options) {
  const auto target = reader.message().target();
  return target.empty() || target.size() > options.uri_limit;
}

http::Response uri_too_long(const app::Application& app, const ServerOptions& options) {
  return app.protocol_error(414, "uri_too_long",
                            "URI Too Long: the request-target exceeds " +
                                std::to_string(options.uri_limit) + " bytes (URI_LIMIT)");
}

}  // namespace

std::optional<http::Response> refuse_head(const beast::error_code& ec, const RequestReader& reader,
                                          const ServerOptions& options,
                                          const app::Application& app) {
  if (ec == beast_http::error::header_limit && request_line_too_long(reader, options)) {
    return uri_too_long(app, options);
  }
  if (ec == beast_http::error::body_limit) {
    // The head was whole and announced a body over the limit (Beast checks it right there).
    const http::Request head = reader.head();
    return answer_for_read_error(ec, app, options, &head);
  }
  if (ec) return answer_for_read_error(ec, app, options);
  if (reader.message().target().size() > options.uri_limit) return uri_too_long(app, options);
  if (const auto problem = reader.check_head()) {
    const http::Request head = reader.head();
    return app.protocol_error(problem->status, problem->code, problem->message, &head);
  }
  if (const auto length = reader.content_length(); length && *length > options.body_limit) {
    // Refused before any of it is read.
    const http::Request head = reader.head();
    return answer_for_read_error(beast_http::error::body_limit, app, options, &head);
  }
  return std::nullopt;
}

std::optional<http::Response> refuse_body(const beast::error_code& ec, const RequestReader& reader,
                                          const ServerOptions& options,
                                          const app::Application& app) {
  if (!ec) return std::nullopt;
  const http::Request head = reader.head();
  if (ec == beast_http::error::header_limit) {
    return app.protocol_error(
        431, "header_too_large",
        "Request Header Fields Too Large: the chunked body's trailer fields (or a chunk-size "
        "line) with the request line and headers exceed " +
            std::to_string(options.header_limit) + " bytes (HEADER_LIMIT)",
        &head);
  }
  return answer_for_read_error(ec, app, options, &head);
}

}  // namespace cppapp::server
