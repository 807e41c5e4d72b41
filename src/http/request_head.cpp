#include "http/request_head.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "http/message.hpp"

namespace cppapp::http {

namespace {

bool is_tchar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// The comma-separated elements of every occurrence of a field, trimmed; nullopt when one is
/// empty or not a token (parameters on a transfer coding are not accepted either: no coding we
/// could decode takes any).
std::optional<std::vector<std::string_view>> token_elements(
    const std::vector<std::string_view>& values) {
  std::vector<std::string_view> elements;
  for (std::string_view value : values) {
    while (true) {
      const std::size_t comma = value.find(',');
      const std::string_view element = trim_ows(value.substr(0, comma));
      if (element.empty() || !std::all_of(element.begin(), element.end(), is_tchar))
        return std::nullopt;
      elements.push_back(element);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return elements;
}

HeadRefusal bad_request(std::string why) {
  return {400, "bad_request", "Bad Request: " + std::move(why)};
}

std::optional<HeadRefusal> check_transfer_encoding(const FramingFields& fields) {
  if (fields.transfer_encoding.empty()) return std::nullopt;
  if (fields.version < 11) return bad_request("Transfer-Encoding is not allowed in HTTP/1.0");
  if (!fields.content_length.empty())
    return bad_request("Transfer-Encoding and Content-Length together");
  const auto codings = token_elements(fields.transfer_encoding);
  if (!codings) return bad_request("Transfer-Encoding must be a list of transfer codings");
  if (!iequals(codings->back(), "chunked"))
    return bad_request("Transfer-Encoding must end in chunked");
  for (std::size_t i = 0; i + 1 < codings->size(); ++i) {
    if (iequals((*codings)[i], "chunked")) return bad_request("chunked is applied more than once");
  }
  if (codings->size() > 1) {
    return HeadRefusal{501, "not_implemented",
                       "Not Implemented: the transfer coding '" + std::string(codings->front()) +
                           "' is not supported (send the body chunked only)"};
  }
  return std::nullopt;
}

std::optional<HeadRefusal> check_content_length(const FramingFields& fields) {
  if (fields.content_length.size() > 1) return bad_request("more than one Content-Length");
  if (fields.content_length.size() == 1) {
    const std::string_view length = fields.content_length.front();
    if (length.empty() ||
        !std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad_request("Content-Length must be a single number");
  }
  return std::nullopt;
}

/// A port as a Host may give it: empty ("host:" is allowed by the grammar) or digits up to 65535.
bool plausible_port(std::string_view port) {
  if (port.empty()) return true;
  std::uint32_t number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  return ec == std::errc{} && end == port.data() + port.size() && number <= 65535;
}

/// The common Host, a name of RFC 3986 unreserved characters (letters, digits, '-', '.', '_',
/// '~') and at most a port, decided without a full parse: such a name is always a registered
/// name (or an IPv4 address) to Boost.URL, and what follows its first ':' can only be a port.
/// nullopt for anything else.
std::optional<bool> plain_host(std::string_view host) {
  const auto unreserved = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  };
  const std::size_t name_end = host.find(':');
  const std::string_view name = host.substr(0, name_end);
  if (name.empty() || !std::all_of(name.begin(), name.end(), unreserved)) return std::nullopt;
  return name_end == std::string_view::npos || plausible_port(host.substr(name_end + 1));
}

/// uri-host [ ":" port ] (RFC 9110 7.2) as Boost.URL reads an authority: a registered name, an
/// IPv4 address or a bracketed IP literal, then at most a port of up to 65535, and nothing that
/// could make the authority mean two things (userinfo, a second colon). Empty is allowed: the
/// field may be empty when the target has no authority.
bool plausible_host(std::string_view host) {
  if (host.empty()) return true;
  if (const auto plain = plain_host(host)) return *plain;
  const auto authority = boost::urls::parse_authority(host);
  if (!authority || authority->has_userinfo()) return false;
  return !authority->has_port() || plausible_port(authority->port());
}

std::optional<HeadRefusal> check_host(const FramingFields& fields) {
  if (fields.host.size() > 1) return bad_request("more than one Host");
  if (fields.host.empty()) {
    if (fields.version >= 11) return bad_request("an HTTP/1.1 request must have a Host");
    return std::nullopt;
  }
  if (!plausible_host(fields.host.front())) return bad_request("Host is not a host[:port]");
  return std::nullopt;
}

std::optional<HeadRefusal> check_expect(const FramingFields& fields) {
  if (fields.expect.empty()) return std::nullopt;
  const auto expectations = token_elements(fields.expect);
  const bool only_continue =
      expectations && std::all_of(expectations->begin(), expectations->end(),
                                  [](std::string_view e) { return iequals(e, "100-continue"); });
  if (only_continue) return std::nullopt;
  return HeadRefusal{417, "expectation_failed",
                     "Expectation Failed: only 'Expect: 100-continue' can be met"};
}

}  // namespace

std::optional<HeadRefusal> check_request_head(const FramingFields& fields) {
  if (auto refusal = check_transfer_encoding(fields)) return refusal;
  if (auto refusal = check_content_length(fields)) return refusal;
  if (auto refusal = check_host(fields)) return refusal;
  return check_expect(fields);
}

void FoldDetector::feed(std::string_view bytes) {
  // Only what follows a CR LF matters, so the scan jumps from one LF to the next (memchr) instead
  // of stepping through every byte of the head. The state carries a CR or CR LF at the end of
  // one piece over to the next.
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (line_end_ == 2 && (bytes[at] == ' ' || bytes[at] == '\t')) found_ = true;
    const void* lf = std::memchr(bytes.data() + at, '\n', bytes.size() - at);
    if (lf == nullptr) {
      line_end_ = bytes.back() == '\r' ? 1 : 0;
      return;
    }
    const std::size_t lf_at = static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data());
    const bool after_cr = lf_at > at ? bytes[lf_at - 1] == '\r' : line_end_ == 1;
    line_end_ = after_cr ? 2 : 0;
    at = lf_at + 1;
  }
}

}  // namespace cppapp::http
