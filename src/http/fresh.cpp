#include "http/fresh.hpp"

#include "http/header_tokens.hpp"

#include <string>
#include <vector>

#include "http/http_date.hpp"
#include "http/node_headers.hpp"

namespace cppapp::http {

namespace {}  // namespace

bool is_fresh(const Headers& request_headers, const Headers& response_headers) {
  const auto modified_since = node_header(request_headers, "If-Modified-Since");
  const auto none_match = node_header(request_headers, "If-None-Match");
  const bool has_modified_since = modified_since && !modified_since->empty();
  const bool has_none_match = none_match && !none_match->empty();
  if (!has_modified_since && !has_none_match) return false;

  const auto cache_control = node_header(request_headers, "Cache-Control");
  if (cache_control && has_list_element(*cache_control, "no-cache")) return false;

  if (has_none_match && *none_match != "*") {
    const auto etag = response_headers.get("ETag");
    if (!etag || etag->empty()) return false;
    bool matched = false;
    for (std::string_view candidate : split_token_list(*none_match, true)) {
      const bool weak_candidate = candidate.size() >= 2 && candidate.substr(0, 2) == "W/";
      const bool weak_etag = etag->size() >= 2 && etag->substr(0, 2) == "W/";
      if (candidate == *etag || (weak_candidate && candidate.substr(2) == *etag) ||
          (weak_etag && etag->substr(2) == candidate)) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }

  if (has_modified_since) {
    const auto last_modified = response_headers.get("Last-Modified");
    if (!last_modified || last_modified->empty()) return false;
    const auto last = parse_http_date_ms(*last_modified);
    const auto since = parse_http_date_ms(*modified_since);
    // !(NaN <= x) is stale, so an unparsable date on either side is stale.
    if (!last || !since || !(*last <= *since)) return false;
  }
  return true;
}

}  // namespace cppapp::http
