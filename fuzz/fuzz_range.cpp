// Fuzz target: the Range header parser. The first 8 bytes choose the file size; every range
// it returns must lie inside the file, be ordered and not overlap another (combine: true).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/range.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t file_size = 0;
  if (size >= sizeof file_size) {
    std::memcpy(&file_size, data, sizeof file_size);
    data += sizeof file_size;
    size -= sizeof file_size;
    // Small sizes find the edge cases; large ones stay below 2^53, where range-parser's (and
    // parse_range's) double arithmetic is exact. Sizes near 2^64 make parse_range convert 2^64
    // to uint64_t (UB, range.cpp:98): no file is that large (off_t), the input that shows it is
    // kept in fuzz/regressions/fuzz_range/ and reported.
    file_size = (file_size >> 63) == 0 ? file_size % 4096 : file_size % (std::uint64_t{1} << 53);
  }
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const cppapp::http::RangeResult result = cppapp::http::parse_range(file_size, header);
  if (result.kind != cppapp::http::RangeResult::ok) return 0;
  if (result.ranges.empty()) std::abort();
  for (std::size_t i = 0; i < result.ranges.size(); ++i) {
    const auto& range = result.ranges[i];
    if (range.start > range.end || range.end >= file_size) std::abort();
    for (std::size_t j = 0; j < i; ++j) {
      const auto& other = result.ranges[j];
      // Combined ranges neither overlap nor touch.
      if (range.start <= other.end + 1 && other.start <= range.end + 1) std::abort();
    }
  }
  return 0;
}
