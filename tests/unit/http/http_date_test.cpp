// Expectations produced by V8 (Node 20, TZ=UTC): Date.parse and Date#toUTCString.
#include "http/http_date.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cppapp::http {
namespace {

struct ParseCase {
  std::string text;
  std::optional<std::int64_t> ms;
};

const ParseCase kParse[] = {
    {"Sun, 06 Nov 1994 08:49:37 GMT", std::optional<std::int64_t>(784111777000LL)},
    {"Sunday, 06-Nov-94 08:49:37 GMT", std::optional<std::int64_t>(784111777000LL)},
    {"Sun Nov  6 08:49:37 1994", std::optional<std::int64_t>(784111777000LL)},
    {"Sun, 31 Feb 2024 08:49:37 GMT", std::optional<std::int64_t>(1709369377000LL)},
    {"Sun, 06 Nov 1994 24:00:00 GMT", std::optional<std::int64_t>(784166400000LL)},
    {"06 Nov 1994 08:49:37 GMT", std::optional<std::int64_t>(784111777000LL)},
    {"Xyz, 06 Nov 1994 08:49:37 GMT", std::optional<std::int64_t>(784111777000LL)},
    {"sun, 06 nov 1994 08:49:37 gmt", std::optional<std::int64_t>(784111777000LL)},
    {"Sun, 06 Nov 1994 08:49:37", std::optional<std::int64_t>(784111777000LL)},
    {"Sun, 6 Nov 1994 8:49:37 GMT", std::optional<std::int64_t>(784111777000LL)},
    {"Sun, 06 Nov 1994 08:49:37 GMT garbage", std::nullopt},
    {"Sun, 06-Nov-1994 08:49:37 GMT", std::optional<std::int64_t>(784111777000LL)},
    {"Monday, 06-Nov-50 08:49:37 GMT", std::optional<std::int64_t>(-604422623000LL)},
    {"Monday, 06-Nov-49 08:49:37 GMT", std::optional<std::int64_t>(2519801377000LL)},
    {"garbage", std::nullopt},
    {"", std::nullopt},
    {"Sun, 06 Nov 1994 08:49:37 +0100", std::optional<std::int64_t>(784108177000LL)},
    {"Sun, 06 Nov 1994 08:49:37 GMT+0200", std::optional<std::int64_t>(784104577000LL)},
    {"Sun, 00 Nov 1994 08:49:37 GMT", std::nullopt},
    {"Sun, 32 Nov 1994 08:49:37 GMT", std::nullopt},
    {"Sun, 06 Nov 1994 08:49 GMT", std::optional<std::int64_t>(784111740000LL)},
    {"Sun, 06 Nov 1994 25:00:00 GMT", std::nullopt},
    {"Sun, 06 Nov 1994 08:60:00 GMT", std::nullopt},
    {"Tue, 02 Jan 2024 03:04:05 GMT", std::optional<std::int64_t>(1704164645000LL)},
    {"Thu, 01 Jan 1970 00:00:00 GMT", std::optional<std::int64_t>(0LL)},
    {"Fri, 31 Dec 9999 23:59:59 GMT", std::optional<std::int64_t>(253402300799000LL)},
};

TEST(ParseHttpDate, MatchesDateParse) {
  for (const auto& c : kParse) EXPECT_EQ(parse_http_date_ms(c.text), c.ms) << c.text;
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

struct FormatCase {
  std::int64_t ms;
  std::string text;
};

const FormatCase kFormat[] = {
    {0LL, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {1704164645678LL, "Tue, 02 Jan 2024 03:04:05 GMT"},
    {-1LL, "Wed, 31 Dec 1969 23:59:59 GMT"},
    {951782400000LL, "Tue, 29 Feb 2000 00:00:00 GMT"},
    {1709164800000LL, "Thu, 29 Feb 2024 00:00:00 GMT"},
};

TEST(HttpDate, MatchesToUTCString) {
  for (const auto& c : kFormat) {
    EXPECT_EQ(http_date(std::chrono::system_clock::time_point(std::chrono::milliseconds(c.ms))),
              c.text)
        << c.ms;
  }
}

}  // namespace
}  // namespace cppapp::http
