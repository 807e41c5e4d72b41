// compressible 2.0.18 over mime-db 1.54.0: is a Content-Type worth compressing?
#include <algorithm>
#include <iterator>
#include <string>

#include "http/compression.hpp"

#include "http/header_tokens.hpp"

namespace cppapp::http {

namespace {

struct TypeFlag {
  std::string_view type;
  bool compressible;
};

#include "http/compressible.inc"

}  // namespace

namespace {

bool look_up_compressible(std::string_view content_type) {
  // /^\s*([^;\s]*)(?:;|\s|$)/ then toLowerCase()
  std::size_t i = 0;
  while (i < content_type.size() && is_js_space(content_type[i])) ++i;
  std::string mime;
  while (i < content_type.size() && content_type[i] != ';' && !is_js_space(content_type[i])) {
    mime.push_back(ascii_lower(content_type[i++]));
  }
  const auto* found = std::lower_bound(
      std::begin(kCompressibleFlags), std::end(kCompressibleFlags), mime,
      [](const TypeFlag& entry, const std::string& key) { return entry.type < key; });
  if (found != std::end(kCompressibleFlags) && found->type == mime) return found->compressible;
  // /^text\/|\+(?:json|text|xml)$/i
  const std::string_view m = mime;
  return m.starts_with("text/") || m.ends_with("+json") || m.ends_with("+text") ||
         m.ends_with("+xml");
}

}  // namespace

bool is_compressible(std::string_view content_type) {
  // Nearly every answer carries one of a handful of types: remember the last one per thread.
  thread_local std::string last_type;
  thread_local bool last_answer = false;
  if (content_type != last_type) {
    last_answer = look_up_compressible(content_type);
    last_type.assign(content_type);
  }
  return last_answer;
}

}  // namespace cppapp::http
