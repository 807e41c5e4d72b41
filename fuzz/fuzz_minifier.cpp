// Fuzz target: the HTML minifier on any bytes. It promises never to throw and to return the
// unparsed rest unchanged, so its output can only be as long as its input (plus nothing).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "view/html_minifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  const std::string minified = cppapp::view::minify_html(html);
  // Minifying only removes: a longer output means something was duplicated.
  if (minified.size() > html.size()) std::abort();
  // Idempotence is not promised by html-minifier, so it is not checked here.
  return 0;
}
