// Expectations produced by V8 (Node 20, TZ=UTC): Date.parse and Date#toUTCString, read from
// tests/data/http/http_date.json, which tests/conformance/from_js/expectations.js writes.
#include "http/http_date.hpp"

#include "js_expectations.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cppapp::http {
namespace {

TEST(ParseHttpDate, MatchesDateParse) {
  const auto cases = testing::js_expectations("http_date").at("parse").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::optional<std::int64_t> ms =
        c.at("ms").is_null() ? std::nullopt
                             : std::optional(boost::json::value_to<std::int64_t>(c.at("ms")));
    EXPECT_EQ(parse_http_date_ms(testing::text(c, "text")), ms) << boost::json::serialize(c);
  }
}

TEST(ParseHttpDate, TimePointVersion) {
  const auto time = parse_http_date("Tue, 02 Jan 2024 03:04:05 GMT");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(time->time_since_epoch()).count(),
            1704164645000);
  EXPECT_FALSE(parse_http_date("Tue, 02 Jan 2024 03:04:05 GMT trailing").has_value());
  // Valid for Date.parse but outside what system_clock (nanoseconds, +-292 years) can hold.
  EXPECT_TRUE(parse_http_date_ms("Fri, 31 Dec 9999 23:59:59 GMT").has_value());
  EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").has_value());
}

TEST(ParseHttpDate, HostileInputIsRejectedQuickly) {
  EXPECT_FALSE(parse_http_date_ms(std::string(100000, '1')).has_value());
  EXPECT_FALSE(parse_http_date_ms(std::string(100000, ',')).has_value());
  EXPECT_FALSE(parse_http_date_ms(std::string("Sun, 06 Nov 1994 08:49:37 GMT\0", 30)).has_value());
}

TEST(HttpDate, MatchesToUTCString) {
  const auto cases = testing::js_expectations("http_date").at("format").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::chrono::milliseconds ms(boost::json::value_to<std::int64_t>(c.at("ms")));
    EXPECT_EQ(http_date(std::chrono::system_clock::time_point(ms)), testing::text(c, "text"))
        << boost::json::serialize(c);
  }
}

}  // namespace
}  // namespace cppapp::http
