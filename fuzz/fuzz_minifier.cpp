// Fuzz target: the HTML minifier on any bytes. It promises never to throw and to return the
// unparsed rest unchanged. Its output may outgrow the input only a little: an invalid UTF-8 byte
// becomes U+FFFD (3 bytes) and an element left open gets its end tag ("<b>" → "<b></b>").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "view/html_minifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  const std::string minified = cppapp::view::minify_html(html);
  // Anything beyond that bound means something was duplicated.
  if (minified.size() > 4 * html.size() + 16) std::abort();
  // Idempotence is not promised by html-minifier, so it is not checked here.
  return 0;
}
