// Plain request and response values that every pipeline stage works on.
// They carry no Boost.Beast types, so stages compile fast and tests build them by hand;
// the server (src/server) converts between these and the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace cppapp::http {

/// The ASCII lower-case of c (HTTP tokens are ASCII; the locale plays no part).
inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// True when a and b are equal ignoring ASCII case (header names, tokens). Inline: header
/// lookups call it dozens of times per request, and most calls end at the size check.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// An ordered list of header fields; names compare case-insensitively.
class Headers {
 public:
  struct Field {
    std::string name;
    std::string value;
  };

  /// The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  /// The first value of `name`, or "" when absent.
  std::string_view value_or_empty(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  /// How many fields are called `name` (duplicate Content-Length detection).
  std::size_t count(std::string_view name) const;
  /// Replaces every field called `name` by one with `value`.
  void set(std::string_view name, std::string_view value);
  /// Appends a field even if one of that name exists.
  void add(std::string_view name, std::string_view value);
  /// Makes room for `count` fields in all, so adding them allocates once.
  void reserve(std::size_t count) { fields_.reserve(count); }
  void erase(std::string_view name);
  /// Removes every field for which `remove(field)` is true.
  template <typename Predicate>
  void erase_if(Predicate remove) {
    std::erase_if(fields_, remove);
  }

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

/// A parsed request, plus what the early stages derive from it.
struct Request {
  std::string method;     ///< upper-case token as sent, e.g. "GET"
  std::string target;     ///< request-target as sent, e.g. "/app1/public/a.css?v=1"
  unsigned version = 11;  ///< 10 or 11
  Headers headers;
  std::string body;
  /// The request id: the proxy's X-Request-Id when it sent a sane one, else generated.
  std::string id;

  // Derived by the trust-proxy stage.
  std::string client_ip;  ///< X-Forwarded-For's client, else the peer address
  /// The address the nearest proxy saw: the last X-Forwarded-For entry (which a client cannot
  /// forge behind a proxy that appends, as HAProxy and Traefik do), else the peer address. What
  /// per-client limits key on: the leftmost entry (client_ip) is whatever the client wrote.
  std::string nearest_client_ip;
  std::string protocol = "http";  ///< X-Forwarded-Proto, else "http"
  std::string host;  ///< host[:port] from X-Forwarded-Host, else Host; empty when implausible

  // Derived by routing: the decoded-free path split from the query.
  std::string path;   ///< target before '?', never empty
  std::string query;  ///< target after '?', without it
  /// Path relative to the mount point ("/" for the mount itself), set by the mount stage.
  std::string app_path;

  /// The parsed body (body-parser's req.body): an object, or an array for JSON.
  boost::json::value parsed_body;
  /// Route parameters (":id"), percent-decoded.
  std::vector<std::pair<std::string, std::string>> params;
};

/// A response under construction; the server writes it as built.
struct Response {
  unsigned status = 200;
  Headers headers;
  std::string body;
  /// When set, the body is this file's [offset, offset+length) and `body` stays empty.
  struct FileBody {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };
  std::optional<FileBody> file;
  /// For a 304: the Content-Type the full answer would have had (the 304 itself carries none),
  /// so compression can still send the `Vary: Accept-Encoding` that answer carries (RFC 9110
  /// 15.4.5: a 304 sends the Vary a 200 would).
  std::string not_modified_type;
  /// Which route answered, for metrics ("/", "/guestbook", "static", "not_found", …); always a
  /// string literal (metrics key on its address).
  std::string_view route = "unmatched";
  /// Header lines written before `headers` (as Express sends helmet's, set before any route),
  /// already in wire form ("Name: value\r\n"…) and shared by many responses (the security
  /// headers); never holds a per-response value.
  std::string_view header_block;
  /// Set by a route whose whole answer, through every later stage, can only change with the
  /// method, the target and Accept-Encoding for as long as the process runs (production's index
  /// page: rendered once, the same security headers, the same negotiation). The server may then
  /// send these bytes again to a request with none of the fields that change an answer or bring
  /// a body (server/answer_cache.hpp), without running the pipeline.
  bool replayable = false;

  /// Body length the Content-Length header must announce.
  std::uint64_t content_length() const { return file ? file->length : body.size(); }
};

}  // namespace cppapp::http
