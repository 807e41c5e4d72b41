// Fuzz target: a urlencoded body as body-parser's extended parser sees it: Node's UTF-8 decoding,
// then qs. BodyError is the documented answer to bad input; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/body_parser.hpp"
#include "http/urlencoded.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string text = cppapp::http::decode_utf8_body(bytes);
  try {
    // Small limits as well as the defaults: the limit checks are where the edge cases sit.
    (void)cppapp::http::parse_urlencoded(text);
    (void)cppapp::http::parse_urlencoded(text, {.parameter_limit = 3, .depth = 1});
  } catch (const cppapp::http::BodyError&) {
  }
  return 0;
}
