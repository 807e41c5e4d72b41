// HTTP-date formatting and parsing (RFC 9110 section 5.6.7), as Node's Date does it for
// Last-Modified, If-Modified-Since, If-Unmodified-Since and If-Range.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cppapp::http {

/// The IMF-fixdate for `time`, e.g. "Tue, 02 Jan 2024 03:04:05 GMT" (JS Date#toUTCString).
std::string http_date(std::chrono::system_clock::time_point time);

/// Parses an HTTP-date the way V8's Date.parse reads the three RFC formats (IMF-fixdate,
/// RFC 850, asctime), including its leniency (any leading day name, one-digit fields, an optional
/// zone, day 31 of a shorter month rolling over); nullopt where Date.parse gives NaN.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// parse_http_date in milliseconds since the epoch, the unit send and fresh compare in.
std::optional<std::int64_t> parse_http_date_ms(std::string_view text);

}  // namespace cppapp::http
