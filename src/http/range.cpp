#include "http/range.hpp"

#include "http/header_tokens.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace cppapp::http {

namespace {

// parseInt(text, 10): leading whitespace, an optional sign, then the longest run of digits;
// NaN when there is no digit. Numbers are doubles in JS, so huge values stay huge (not wrapped).
double js_parse_int(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_js_space(text[i])) ++i;
  double sign = 1;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    if (text[i] == '-') sign = -1;
    ++i;
  }
  const std::size_t digits_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == digits_start) return std::nan("");
  const std::string digits(text.substr(digits_start, i - digits_start));
  return sign * std::strtod(digits.c_str(), nullptr);
}

struct IndexedRange {
  double start;
  double end;
  std::size_t index;
};

}  // namespace

RangeResult parse_range(std::uint64_t size_u, std::string_view header) {
  const std::size_t equals = header.find('=');
  if (equals == std::string_view::npos) return {RangeResult::malformed, {}};

  // range-parser computes in JavaScript numbers: past 2^53 bytes (no real file) they lose
  // precision, so such a size is treated as if no Range were sent.
  if (size_u > (std::uint64_t{1} << 53)) return {RangeResult::malformed, {}};
  const auto size = static_cast<double>(size_u);
  std::vector<IndexedRange> ranges;
  std::string_view rest = header.substr(equals + 1);
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    // part.split('-'): only the first two pieces count.
    const std::size_t dash = part.find('-');
    const std::string_view first = part.substr(0, dash);
    double start = js_parse_int(first);
    double end = std::nan("");
    if (dash != std::string_view::npos) {
      std::string_view second = part.substr(dash + 1);
      second = second.substr(0, second.find('-'));
      end = js_parse_int(second);
    }
    if (std::isnan(start)) {  // -nnn: the last nnn bytes
      start = size - end;
      end = size - 1;
    } else if (std::isnan(end)) {  // nnn-: from nnn to the end
      end = size - 1;
    }
    if (end > size - 1) end = size - 1;
    if (!(std::isnan(start) || std::isnan(end) || start > end || start < 0)) {
      ranges.push_back({start, end, ranges.size()});
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (ranges.empty()) return {RangeResult::unsatisfiable, {}};

  // combineRanges: stable sort by start, merge overlapping/adjacent, restore request order.
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const IndexedRange& a, const IndexedRange& b) { return a.start < b.start; });
  std::size_t j = 0;
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    const IndexedRange range = ranges[i];
    IndexedRange& current = ranges[j];
    if (range.start > current.end + 1) {
      ranges[++j] = range;
    } else if (range.end > current.end) {
      current.end = range.end;
      current.index = std::min(current.index, range.index);
    }
  }
  ranges.resize(j + 1);
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const IndexedRange& a, const IndexedRange& b) { return a.index < b.index; });

  RangeResult result{RangeResult::ok, {}};
  for (const auto& r : ranges) {
    result.ranges.push_back(
        {static_cast<std::uint64_t>(r.start), static_cast<std::uint64_t>(r.end)});
  }
  return result;
}

}  // namespace cppapp::http
