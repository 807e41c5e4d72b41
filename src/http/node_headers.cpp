#include "http/node_headers.hpp"

#include <array>
#include <vector>

namespace cppapp::http {

namespace {
// Node's IncomingMessage._addHeaderLine drops repeats of these (see lib/_http_incoming.js).
constexpr std::array<std::string_view, 18> kSingleValueFields = {"age",
                                                                 "authorization",
                                                                 "content-length",
                                                                 "content-type",
                                                                 "etag",
                                                                 "expires",
                                                                 "from",
                                                                 "host",
                                                                 "if-modified-since",
                                                                 "if-unmodified-since",
                                                                 "last-modified",
                                                                 "location",
                                                                 "max-forwards",
                                                                 "proxy-authorization",
                                                                 "referer",
                                                                 "retry-after",
                                                                 "server",
                                                                 "user-agent"};
}  // namespace

std::optional<std::string> node_header(const Headers& headers, std::string_view name) {
  bool single = false;
  for (auto field : kSingleValueFields) single = single || iequals(field, name);
  std::optional<std::string> joined;
  for (const auto& field : headers.fields()) {
    if (!iequals(field.name, name)) continue;
    if (!joined) {
      joined = field.value;
      if (single) break;
    } else {
      joined->append(", ").append(field.value);
    }
  }
  return joined;
}

void set_header_in_place(Headers& headers, std::string_view name, std::string_view value) {
  if (!headers.has(name)) {
    headers.add(name, value);
    return;
  }
  Headers rebuilt;
  bool written = false;
  for (const auto& field : headers.fields()) {
    if (!iequals(field.name, name)) {
      rebuilt.add(field.name, field.value);
    } else if (!written) {
      rebuilt.add(field.name, value);
      written = true;
    }
  }
  headers = std::move(rebuilt);
}

}  // namespace cppapp::http
