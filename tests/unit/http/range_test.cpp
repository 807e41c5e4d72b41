// Expectations produced by range-parser 1.2.1 (rangeParser(size, header, {combine: true})): read
// from tests/data/http/range.json, which tests/conformance/from_js/expectations.js writes.
#include "http/range.hpp"

#include "js_expectations.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::http {
namespace {

RangeResult::Kind kind_of(const std::string& name) {
  if (name == "ok") return RangeResult::ok;
  if (name == "malformed") return RangeResult::malformed;
  return RangeResult::unsatisfiable;
}

TEST(ParseRange, MatchesRangeParserWithCombine) {
  const auto cases = testing::js_expectations("range").at("cases").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    std::vector<ByteRange> ranges;
    for (const auto& r : c.at("ranges").as_array())
      ranges.push_back({boost::json::value_to<std::uint64_t>(r.at("start")),
                        boost::json::value_to<std::uint64_t>(r.at("end"))});
    const RangeResult result =
        parse_range(boost::json::value_to<std::uint64_t>(c.at("size")), testing::text(c, "header"));
    EXPECT_EQ(result.kind, kind_of(testing::text(c, "kind"))) << boost::json::serialize(c);
    EXPECT_EQ(result.ranges, ranges) << boost::json::serialize(c);
  }
}

TEST(ParseRange, ManyRangesStayLinearish) {
  std::string header = "bytes=";
  for (int i = 0; i < 20000; ++i)
    header += std::to_string(i * 3) + "-" + std::to_string(i * 3) + ",";
  const RangeResult result = parse_range(100000, header);
  ASSERT_EQ(result.kind, RangeResult::ok);
  EXPECT_EQ(result.ranges.size(), 20000u);
  EXPECT_EQ(result.ranges.front(), (ByteRange{0, 0}));
}

TEST(ParseRange, HugeFileSizes) {
  const std::uint64_t size = 1ull << 40;
  const RangeResult result = parse_range(size, "bytes=-10");
  ASSERT_EQ(result.kind, RangeResult::ok);
  EXPECT_EQ(result.ranges, (std::vector<ByteRange>{{size - 10, size - 1}}));
}

}  // namespace
}  // namespace cppapp::http

namespace cppapp::http {
namespace {

// Found by fuzz_range: past 2^53 bytes JavaScript's numbers (and so range-parser) lose
// precision; cppapp ignores the Range then instead of computing with rounded sizes.
TEST(ParseRange, SizesPastTwoToThe53AreIgnoredNotRounded) {
  EXPECT_EQ(parse_range(UINT64_MAX, "bytes=18446744073709551615-").kind, RangeResult::malformed);
  EXPECT_EQ(parse_range((std::uint64_t{1} << 53) + 1, "bytes=0-1").kind, RangeResult::malformed);
  const RangeResult largest = parse_range(std::uint64_t{1} << 53, "bytes=0-1");
  ASSERT_EQ(largest.kind, RangeResult::ok);
  EXPECT_EQ(largest.ranges.front().end, 1u);
}

}  // namespace
}  // namespace cppapp::http
