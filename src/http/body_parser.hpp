// Request body parsing as the seed's body-parser middleware does it
// (app.use(bodyParser.urlencoded({extended: true})) and bodyParser.json()). The oracle is what
// the seed's `body-parser ^1.16.1` installs today: body-parser 1.20.9 with qs 6.16.2
// (tests/conformance/package-lock.json); the urlencoded parser follows that qs exactly.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "http/message.hpp"
#include "http/urlencoded.hpp"

namespace cppapp::http {

/// A body-parser error: HTTP status, body-parser's error type (e.g. "entity.too.large",
/// "entity.parse.failed", "charset.unsupported", "encoding.unsupported", "parameters.too.many")
/// and a message telling the client what to fix.
struct BodyError : std::runtime_error {
  BodyError(unsigned status, std::string type, std::string message);
  unsigned status;
  std::string type;
};

/// Limits for parse_body; the defaults are body-parser's.
struct BodyOptions {
  std::size_t limit = 100 * 1024;
  QsOptions qs;
};

/// The body kinds a route accepts (bit flags).
enum class BodyKind : unsigned { urlencoded = 1, json = 2 };

/// type-is's hasBody, the one rule for "this request carries a body": a Transfer-Encoding, or a
/// Content-Length that is a number (including 0: body-parser then reads an empty body).
bool has_body(const Request& request);

/// Parses req.body like app.use(bodyParser.urlencoded({extended:true})) + bodyParser.json() for
/// the kinds accepted: no body (has_body) or a Content-Type not handled → empty object (as
/// body-parser leaves req.body = {}); a body (after Content-Encoding gzip/deflate inflation, which
/// is bounded by the limit too) over options.limit → 413; unsupported charset → 415; unsupported
/// Content-Encoding → 415; malformed → 400; JSON strict (only objects and arrays, like
/// body-parser's strict:true). Throws BodyError.
boost::json::value parse_body(const Request& request, unsigned accepted_kinds,
                              const BodyOptions& options);

/// Parses a size like "100kb", "1mb", "512" (bytes package semantics); nullopt when malformed.
std::optional<std::size_t> parse_byte_size(std::string_view text);

}  // namespace cppapp::http
