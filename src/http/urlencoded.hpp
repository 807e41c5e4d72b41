// application/x-www-form-urlencoded bodies with qs 6.13 "extended" semantics, as body-parser
// 1.20.3 calls qs: nested keys (`a[b][c]=1`), arrays (`a[]=1`, `a[0]=x`), duplicates combined.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace cppapp::http {

/// body-parser's extended-parser settings.
struct QsOptions {
  std::size_t parameter_limit = 1000;
  std::size_t depth = 32;
};

/// Parses an application/x-www-form-urlencoded body with qs "extended" semantics exactly as
/// body-parser 1.20.3 calls qs (allowPrototypes: true, arrayLimit: max(100, paramCount), depth,
/// strictDepth: true, parameterLimit). Returns a JSON object; throws BodyError (413
/// parameters.too.many, 400 depth exceeded, ...) as body-parser would.
/// `body` is the decoded UTF-8 text (invalid UTF-8 is read as U+FFFD, as Node decodes it).
boost::json::object parse_urlencoded(std::string_view body, const QsOptions& options = {});

/// `bytes` as Node decodes a UTF-8 buffer: a leading BOM dropped (iconv-lite), each invalid
/// sequence replaced by U+FFFD (WHATWG decoder, maximal subparts).
std::string decode_utf8_body(std::string_view bytes);

}  // namespace cppapp::http
