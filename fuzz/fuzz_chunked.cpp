// Fuzz target: the request reader (server/request_reader.cpp) over chunked bodies and trailers,
// fed in pieces as a socket would deliver them. The first input byte picks the piece size, the
// rest is the connection's bytes. Checked, for whatever arrives:
//   - the bytes held back unparsed never exceed HEADER_LIMIT plus one piece (a trailer flood or a
//     huge chunk-size line is refused early, not buffered);
//   - an accepted request's headers are the head's only: no field name appears that is not in
//     the bytes before the first blank line (trailer fields never become headers);
//   - the body stays within BODY_LIMIT;
//   - the same input fed whole, when both readings accept it, gives the same request.
// Beast's std::length_error for a field over 64 KiB must not escape either (the reader turns it
// into a 431), nor any other exception.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "read_in_pieces.hpp"

using namespace cppapp;

namespace {

/// Small limits, so the fuzzer reaches them with short inputs.
constexpr std::size_t kHeaderLimit = 1024;
constexpr std::size_t kBodyLimit = 2048;

/// One request read from `input` in pieces of `piece` bytes, as the connection reads it;
/// nullopt when refused or incomplete. Aborts when the reader held back more than the limit.
std::optional<http::Request> read(std::string_view input, std::size_t piece) {
  testing::ReadOutcome outcome = testing::read_in_pieces(input, piece, kHeaderLimit, kBodyLimit);
  // (A chunk-size line may take 1 KiB even when the head left less: RequestReader.)
  if (outcome.most_unparsed > std::max<std::size_t>(kHeaderLimit, 1024) + piece) std::abort();
  return std::move(outcome.request);
}

bool contains_ignoring_case(std::string_view text, std::string_view word) {
  if (word.size() > text.size()) return false;
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (http::iequals(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::optional<http::Request> pieces = read(input, piece);
  if (!pieces) return 0;
  // Empty lines before the request line are skipped (RFC 9112 2.2): the head starts after them.
  const std::size_t start = std::min(input.find_first_not_of("\r\n"), input.size());
  const std::string_view head = input.substr(start, input.find("\r\n\r\n", start) - start);
  for (const auto& field : pieces->headers.fields()) {
    if (!contains_ignoring_case(head, field.name)) std::abort();  // a trailer became a header
  }
  if (pieces->body.size() > kBodyLimit) std::abort();
  const std::optional<http::Request> whole = read(input, input.size() + 1);
  if (whole) {
    if (whole->method != pieces->method || whole->target != pieces->target ||
        whole->body != pieces->body ||
        whole->headers.fields().size() != pieces->headers.fields().size()) {
      std::abort();
    }
  }
  return 0;
}
