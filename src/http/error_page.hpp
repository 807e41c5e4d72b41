// Error answers: Express's finalhandler page for HTML clients, a JSON error for API clients.
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::http {

/// The escape-html package, as Express's finalhandler, send and serve-static use it: & < > " '
/// as entities. (Templates escape as nunjucks does: view::escape_html_nunjucks, which also
/// escapes the backslash.)
std::string escape_html_express(std::string_view text);

/// The small HTML page Express's finalhandler and send write: `body` (already escaped) in a
/// <pre> under `title`.
std::string html_document(std::string_view title, std::string_view body);

/// encodeurl 2.0: percent-encodes what may not stand in a URL, keeping valid %XX escapes; raw
/// bytes >= 0x80 are Latin-1 characters, as Node reads a request-target.
std::string encode_url(std::string_view url);

/// True when the client asked for JSON (an API path, a JSON body or Accept preferring it).
bool wants_json(const Request& request);

/// An error response: finalhandler's HTML document with `message`, or
/// {"error":{"code":…,"message":…}} for JSON clients.
Response error_response(const Request& request, unsigned status, std::string_view code,
                        std::string_view message);

/// Express's 404 for an unmatched route: "Cannot GET /path" (the path URL-encoded, HTML-escaped).
Response not_found(const Request& request);

}  // namespace cppapp::http
