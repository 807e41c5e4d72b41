// Express's path matching (path-to-regexp 0.1 with strict: false, sensitive: false).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppapp::app {

/// Where a mounted app or middleware matched: the rest of the path as the mounted app sees it.
/// `app.use('/app1', …)` on "/app1", "/app1/", "/APP1/x" and "/app1//x" gives "/", "/", "/x"
/// and "/x".
std::optional<std::string> match_mount(std::string_view mount, std::string_view path);

using RouteParams = std::vector<std::pair<std::string, std::string>>;

/// Matches a route pattern such as "/", "/guestbook" or "/api/entries/:id" against a path,
/// case-insensitively and with an optional trailing slash. Parameters are percent-decoded;
/// a parameter that does not decode fails the match.
std::optional<RouteParams> match_route(std::string_view pattern, std::string_view path);

}  // namespace cppapp::app
