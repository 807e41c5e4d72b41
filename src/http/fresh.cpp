#include "http/fresh.hpp"

#include <string>
#include <vector>

#include "http/http_date.hpp"
#include "http/node_headers.hpp"

namespace cppapp::http {

namespace {

bool is_js_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
         static_cast<unsigned char>(c) == 0xA0;
}

// /(?:^|,)\s*?no-cache\s*?(?:,|$)/ : "no-cache" as a whole comma-separated element, with
// optional whitespace around it.
bool has_no_cache_directive(std::string_view cache_control) {
  constexpr std::string_view kToken = "no-cache";
  for (std::size_t pos = cache_control.find(kToken); pos != std::string_view::npos;
       pos = cache_control.find(kToken, pos + 1)) {
    std::size_t before = pos;
    while (before > 0 && is_js_space(cache_control[before - 1])) --before;
    if (before != 0 && cache_control[before - 1] != ',') continue;
    std::size_t after = pos + kToken.size();
    while (after < cache_control.size() && is_js_space(cache_control[after])) ++after;
    if (after == cache_control.size() || cache_control[after] == ',') return true;
  }
  return false;
}

// fresh's parseTokenList: splits on commas, drops spaces around items, keeps empty items.
std::vector<std::string_view> parse_token_list(std::string_view text) {
  std::vector<std::string_view> list;
  std::size_t start = 0, end = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      if (start == end) start = end = i + 1;
    } else if (text[i] == ',') {
      list.push_back(text.substr(start, end - start));
      start = end = i + 1;
    } else {
      end = i + 1;
    }
  }
  list.push_back(text.substr(start, end - start));
  return list;
}

}  // namespace

bool is_fresh(const Headers& request_headers, const Headers& response_headers) {
  const auto modified_since = node_header(request_headers, "If-Modified-Since");
  const auto none_match = node_header(request_headers, "If-None-Match");
  const bool has_modified_since = modified_since && !modified_since->empty();
  const bool has_none_match = none_match && !none_match->empty();
  if (!has_modified_since && !has_none_match) return false;

  const auto cache_control = node_header(request_headers, "Cache-Control");
  if (cache_control && has_no_cache_directive(*cache_control)) return false;

  if (has_none_match && *none_match != "*") {
    const auto etag = response_headers.get("ETag");
    if (!etag || etag->empty()) return false;
    bool matched = false;
    for (std::string_view candidate : parse_token_list(*none_match)) {
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
