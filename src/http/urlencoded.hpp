// application/x-www-form-urlencoded bodies with qs 6.16.2 "extended" semantics, as body-parser
// 1.20.9 (what the seed's ^1.16.1 installs) calls qs: nested keys (`a[b][c]=1`, balanced
// brackets), arrays (`a[]=1`, `a[0]=x` below arrayLimit), duplicates combined, an object meeting
// a plain value wrapped into an array (strictMerge).
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
/// body-parser 1.20.9 calls qs 6.16.2 (allowPrototypes: true, arrayLimit: max(100, paramCount),
/// depth, strictDepth: true, parameterLimit; throwOnLimitExceeded off). Returns a JSON object;
/// throws BodyError with body-parser's status, type and message: 413 parameters.too.many "too
/// many parameters", 400 querystring.parse.rangeError "The input exceeded the depth".
/// `body` is the decoded UTF-8 text (invalid UTF-8 is read as U+FFFD, as Node decodes it).
boost::json::object parse_urlencoded(std::string_view body, const QsOptions& options = {});

/// `bytes` as Node decodes a UTF-8 buffer: a leading BOM dropped (iconv-lite), each invalid
/// sequence replaced by U+FFFD (WHATWG decoder, maximal subparts).
std::string decode_utf8_body(std::string_view bytes);

}  // namespace cppapp::http
