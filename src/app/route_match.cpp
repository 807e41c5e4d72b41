#include "app/route_match.hpp"

#include <boost/url/pct_string_view.hpp>

#include "http/message.hpp"

namespace cppapp::app {

namespace {

/// The next '/'-separated part of `text` from `at` on (empty parts kept: "/a//b" has "", "a",
/// "", "b"); moves `at` past it and says whether more parts follow.
std::string_view next_part(std::string_view text, std::size_t& at, bool& more) {
  const std::size_t slash = text.find('/', at);
  more = slash != std::string_view::npos;
  const std::size_t end = more ? slash : text.size();
  const std::string_view part = text.substr(at, end - at);
  at = end + 1;
  return part;
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
  RouteParams params;
  std::size_t pattern_at = 0;
  std::size_t path_at = 0;
  bool pattern_more = true;
  bool path_more = true;
  while (pattern_more && path_more) {
    const std::string_view want = next_part(pattern, pattern_at, pattern_more);
    const std::string_view got = next_part(path, path_at, path_more);
    if (!want.empty() && want.front() == ':') {
      if (got.empty()) return std::nullopt;
      auto decoded = percent_decode(got);
      if (!decoded) return std::nullopt;
      params.emplace_back(std::string(want.substr(1)), std::move(*decoded));
    } else if (!http::iequals(want, got)) {
      return std::nullopt;
    }
  }
  if (pattern_more || path_more) return std::nullopt;  // a different number of parts
  return params;
}

}  // namespace cppapp::app
