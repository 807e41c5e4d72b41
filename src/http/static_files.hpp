// Static files with the behaviour of Express's serve-static 1.16.2 (send 0.19.0) under the seed's
// options, minus one thing on purpose: a path never leads outside the root, not even through a
// symbolic link (send follows links anywhere; here a link whose target resolves outside the root
// is treated as missing, and so falls through to the app's 404).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::http {

struct StaticOptions {
  std::filesystem::path root;
};

/// serve-static (fallthrough, send's default dotfile rule: a path whose last segment starts with
/// "." is ignored, dot directories are not; index.html, redirect, ETag, Last-Modified,
/// Accept-Ranges, Cache-Control "public, max-age=0") for `relative_target`: the request target
/// below the mount, still percent-encoded, starting with "/" (e.g. "/css/site.css?v=2").
/// `original_url_path` is the whole requested path (e.g. "/app1/public/css"), used for the
/// directory redirect. nullopt whenever serve-static calls next() without an error (method not
/// GET/HEAD, not found, bad encoding, NUL, "..", a dotfile, outside the root). Otherwise the
/// complete response: 200/206 with `file` set (not read; HEAD too, the writer omits the body),
/// 304, 301 to the directory with a slash, and the error pages Express's final handler writes
/// (production form) for 412, 416 and 500. No Content-Length field: the writer derives it.
std::optional<Response> serve_static(const Request& request, std::string_view relative_target,
                                     std::string_view original_url_path,
                                     const StaticOptions& options);

}  // namespace cppapp::http
