// Range header parsing, as range-parser 1.2.1 does it with { combine: true } (send's call).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cppapp::http {

/// One satisfiable byte range; both ends inclusive.
struct ByteRange {
  std::uint64_t start;
  std::uint64_t end;
  bool operator==(const ByteRange&) const = default;
};

/// range-parser's answer: -1 (unsatisfiable), -2 (malformed: no '='), or the ranges.
struct RangeResult {
  enum Kind { unsatisfiable /*-1*/, malformed /*-2*/, ok } kind;
  /// Overlapping and adjacent ranges merged, in the order they were first asked for.
  std::vector<ByteRange> ranges;
};

/// rangeParser(size, header, { combine: true }). The unit before '=' is not checked here (send
/// checks for "bytes=" itself); unparsable parts are skipped as range-parser skips them.
RangeResult parse_range(std::uint64_t size, std::string_view header);

}  // namespace cppapp::http
