// Entity tags as Express generates them: res.send's weak body tag (etag 1.8.1 over the bytes)
// and send's weak file tag (etag 1.8.1 over fs.Stats).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cppapp::http {

/// W/"<byte length hex>-<first 27 chars of base64 SHA-1>"; W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk" for
/// "".
std::string entity_tag_for_body(std::string_view body);

/// W/"<size hex>-<mtime in ms hex>", with mtime_ms as Node rounds it (fs.Stats#mtime).
std::string entity_tag_for_file(std::uint64_t size, std::int64_t mtime_ms);

}  // namespace cppapp::http
