#include "app/write_rate_limit.hpp"

#include <gtest/gtest.h>

namespace cppapp::app {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WriteRateTest, ParsesCountsPerUnit) {
  EXPECT_DOUBLE_EQ(*parse_write_rate("10/min"), 10.0 / 60);
  EXPECT_DOUBLE_EQ(*parse_write_rate("2/s"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_write_rate("36/h"), 0.01);
  EXPECT_DOUBLE_EQ(*parse_write_rate("off"), 0.0);
  EXPECT_DOUBLE_EQ(*parse_write_rate("0"), 0.0);
  for (const char* bad :
       {"10", "10/day", "/min", "x/min", "-1/min", "10 /min", "nan/s", "0/s", "0.0/min"})
    EXPECT_FALSE(parse_write_rate(bad).has_value()) << bad;
}

TEST(WriteRateLimiterTest, ABurstThenOneWritePerInterval) {
  WriteRateLimiter limiter({.per_second = 10.0 / 60, .burst = 3, .max_clients = 100});
  const auto start = WriteRateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.admit("10.0.0.1", start)) << i;
  const auto wait = limiter.admit("10.0.0.1", start);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, milliseconds(6000));
  EXPECT_FALSE(limiter.admit("10.0.0.2", start));  // another client has its own bucket
  EXPECT_TRUE(limiter.admit("10.0.0.1", start + seconds(5)));
  EXPECT_FALSE(limiter.admit("10.0.0.1", start + seconds(6)));
  EXPECT_TRUE(limiter.admit("10.0.0.1", start + seconds(7)));
}

TEST(WriteRateLimiterTest, IPv6CountsByItsSlash64AndMappedIPv4AsIPv4) {
  WriteRateLimiter limiter({.per_second = 1.0 / 60, .burst = 1, .max_clients = 100});
  const auto now = WriteRateLimiter::Clock::now();
  EXPECT_FALSE(limiter.admit("2001:db8:1:2::1", now));
  EXPECT_TRUE(limiter.admit("2001:db8:1:2:ffff::9", now));
  EXPECT_FALSE(limiter.admit("2001:db8:1:3::1", now));
  EXPECT_FALSE(limiter.admit("::ffff:10.1.1.1", now));
  EXPECT_TRUE(limiter.admit("10.1.1.1", now));
}

TEST(WriteRateLimiterTest, TheTableIsBoundedAndDropsTheLeastRecentClient) {
  WriteRateLimiter limiter({.per_second = 1.0 / 60, .burst = 1, .max_clients = 3});
  const auto now = WriteRateLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) limiter.admit("10.0.0." + std::to_string(i), now);
  EXPECT_EQ(limiter.clients(), 3u);
  EXPECT_TRUE(limiter.admit("10.0.0.999", now));  // recent: still limited
  EXPECT_FALSE(limiter.admit("10.0.0.1", now));   // dropped long ago: a fresh bucket
}

TEST(WriteRateLimiterTest, OffAdmitsEverything) {
  WriteRateLimiter limiter({.per_second = 0, .burst = 1, .max_clients = 1});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.admit("10.0.0.1"));
  EXPECT_EQ(limiter.clients(), 0u);
}

}  // namespace
}  // namespace cppapp::app
