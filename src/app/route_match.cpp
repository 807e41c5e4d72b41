#include "app/route_match.hpp"

#include <boost/url/pct_string_view.hpp>

#include "http/message.hpp"

namespace cppapp::app {

namespace {

/// Splits on every '/', keeping empty parts: "/a//b" gives {"", "a", "", "b"}.
std::vector<std::string_view> split_slashes(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::optional<std::string> percent_decode(std::string_view text) {
  auto checked = boost::urls::make_pct_string_view(text);
  if (checked.has_error()) return std::nullopt;
  return checked->decode();
}

}  // namespace

std::optional<std::string> match_mount(std::string_view mount, std::string_view path) {
  if (path.size() < mount.size() || !http::iequals(path.substr(0, mount.size()), mount)) {
    return std::nullopt;
  }
  std::string_view rest = path.substr(mount.size());
  if (rest.empty() || rest == "/") return std::string("/");
  if (rest.front() != '/') return std::nullopt;  // "/app1x" is not under "/app1"
  // Express's mount pattern ^/app1/?(?=/|$) takes one slash along when another follows:
  // "/app1//x" leaves "/x" to the app, "/app1//" leaves "/".
  if (rest.size() >= 2 && rest[1] == '/') rest.remove_prefix(1);
  return std::string(rest);
}

std::optional<RouteParams> match_route(std::string_view pattern, std::string_view path) {
  // path-to-regexp without strict: the pattern, optionally followed by one slash.
  if (!pattern.empty() && pattern.back() == '/') pattern.remove_suffix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const auto pattern_parts = split_slashes(pattern);
  const auto path_parts = split_slashes(path);
  if (pattern_parts.size() != path_parts.size()) return std::nullopt;
  RouteParams params;
  for (std::size_t i = 0; i < pattern_parts.size(); ++i) {
    const std::string_view want = pattern_parts[i];
    const std::string_view got = path_parts[i];
    if (!want.empty() && want.front() == ':') {
      if (got.empty()) return std::nullopt;
      auto decoded = percent_decode(got);
      if (!decoded) return std::nullopt;
      params.emplace_back(std::string(want.substr(1)), std::move(*decoded));
    } else if (!http::iequals(want, got)) {
      return std::nullopt;
    }
  }
  return params;
}

}  // namespace cppapp::app
