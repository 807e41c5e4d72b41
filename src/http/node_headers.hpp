// How Node's http module presents request header fields to middleware (req.headers), so code
// ported from Express middleware sees the same string for repeated fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::http {

/// req.headers[name]: absent, the first value for fields Node keeps only once (If-Modified-Since,
/// Content-Type, ...), or all values joined with ", ".
std::optional<std::string> node_header(const Headers& headers, std::string_view name);

/// Sets `name` to `value` keeping the field's position when it exists (Node's setHeader keeps
/// the original insertion order of a header it overwrites), else appends it.
void set_header_in_place(Headers& headers, std::string_view name, std::string_view value);

}  // namespace cppapp::http
