// Content-Type for a served file, as send 0.19 picks it with mime 1.6.
#pragma once

#include <string>
#include <string_view>

namespace cppapp::http {

/// mime.lookup(path): the type for the path's extension (the text after the last '.', '/' or
/// '\', case-insensitive), or "application/octet-stream" when mime 1.6 does not know it.
std::string_view mime_type_for_path(std::string_view path);

/// The Content-Type header send sets: the mime type plus "; charset=UTF-8" for text/*,
/// application/javascript and application/json (mime.charsets.lookup).
std::string content_type_for_path(std::string_view path);

}  // namespace cppapp::http
