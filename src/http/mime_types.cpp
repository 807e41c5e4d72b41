#include "http/mime_types.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "http/message.hpp"

namespace cppapp::http {

namespace {

struct ExtensionType {
  std::string_view extension;
  std::string_view type;
};

#include "http/mime_types.inc"

// The part of `path` that /^.*[\.\/\\]/ can see: '.' does not match line terminators, so the
// regex only looks at the first line (\n, \r, U+2028, U+2029 end it).
std::size_t first_line_length(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\n' || path[i] == '\r') return i;
    if (path.substr(i, 3) == "\xE2\x80\xA8" || path.substr(i, 3) == "\xE2\x80\xA9") return i;
  }
  return path.size();
}

}  // namespace

std::string_view mime_type_for_path(std::string_view path) {
  const std::string_view first_line = path.substr(0, first_line_length(path));
  const std::size_t cut = first_line.find_last_of("./\\");
  const std::string_view raw_extension =
      cut == std::string_view::npos ? path : path.substr(cut + 1);
  std::string extension;
  extension.reserve(raw_extension.size());
  for (char c : raw_extension) extension.push_back(ascii_lower(c));
  const auto* found = std::lower_bound(
      std::begin(kTypes), std::end(kTypes), extension,
      [](const ExtensionType& entry, const std::string& key) { return entry.extension < key; });
  if (found != std::end(kTypes) && found->extension == extension) return found->type;
  return "application/octet-stream";
}

std::string content_type_for_path(std::string_view path) {
  const std::string_view type = mime_type_for_path(path);
  std::string header(type);
  const bool utf8 = type.starts_with("text/") || type.starts_with("application/javascript") ||
                    type.starts_with("application/json");
  if (utf8) header += "; charset=UTF-8";
  return header;
}

}  // namespace cppapp::http
