// What a request head must satisfy before its body is read (RFC 9112): one way to frame the
// body, one Host, an Expect we can meet, no obsolete line folding. A request that two parsers
// (a proxy in front, this server) could read differently is refused and its connection closed:
// that difference is how requests are smuggled.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppapp::http {

/// The framing-relevant fields of a request head, every occurrence in arrival order (values
/// only view the parser's buffer).
struct FramingFields {
  unsigned version = 11;  ///< 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<std::string_view> host;
  std::vector<std::string_view> transfer_encoding;
  std::vector<std::string_view> content_length;
  std::vector<std::string_view> expect;
};

/// Why a request head is refused: the status (400, 417 or 501), a JSON error code, a message.
struct HeadRefusal {
  unsigned status;
  std::string code;
  std::string message;
};

/// Checks, in order: Transfer-Encoding (only a final, single `chunked`; not in HTTP/1.0; never
/// with Content-Length; 501 for another coding before it), Content-Length (one decimal number),
/// Host (exactly one in HTTP/1.1, at most one in HTTP/1.0, a plausible authority), Expect (only
/// 100-continue, else 417). nullopt when the head is acceptable.
std::optional<HeadRefusal> check_request_head(const FramingFields& fields);

/// Finds obsolete line folding (a header line starting with a space or tab, RFC 9112 5.2) in a
/// request head fed to it in pieces, in order. cppapp refuses it (400) rather than joining the
/// lines as Beast does, since a proxy that reads the folded line as a field of its own frames the
/// request differently.
class FoldDetector {
 public:
  void feed(std::string_view bytes);
  bool found() const { return found_; }

 private:
  int line_end_ = 0;  ///< 1 after a CR, 2 after CR LF
  bool found_ = false;
};

}  // namespace cppapp::http
