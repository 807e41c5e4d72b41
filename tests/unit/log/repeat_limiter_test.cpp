#include "log/repeat_limiter.hpp"

#include <gtest/gtest.h>

namespace cppapp::log {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RepeatLimiterTest, OneLinePerIntervalThenTheCountOfTheRest) {
  RepeatLimiter limiter(seconds(5));
  const auto start = RepeatLimiter::Clock::now();
  EXPECT_EQ(limiter.admit(start), "");
  for (int i = 1; i <= 1000; ++i) EXPECT_FALSE(limiter.admit(start + milliseconds(i)));
  EXPECT_EQ(limiter.admit(start + seconds(6)), " (1000 more like this in the last 6s)");
  EXPECT_FALSE(limiter.admit(start + seconds(7)));
  EXPECT_EQ(limiter.admit(start + seconds(12)), " (1 more like this in the last 6s)");
  // A quiet spell: the next line comes with no count.
  EXPECT_EQ(limiter.admit(start + seconds(60)), "");
}

TEST(RepeatLimiterTest, TheHeldBackCountCanBeTakenWhenTheConditionEnds) {
  RepeatLimiter limiter(seconds(5));
  const auto start = RepeatLimiter::Clock::now();
  EXPECT_EQ(limiter.admit(start), "");
  for (int i = 1; i <= 29; ++i) EXPECT_FALSE(limiter.admit(start + milliseconds(i)));
  EXPECT_EQ(limiter.held_back(), 29u);
  EXPECT_EQ(limiter.take_held_back(), 29u);
  EXPECT_EQ(limiter.held_back(), 0u);
  // Taken once: the next line within the interval is still held back, and counts from zero.
  EXPECT_FALSE(limiter.admit(start + seconds(1)));
  EXPECT_EQ(limiter.admit(start + seconds(6)), " (1 more like this in the last 6s)");
}

}  // namespace
}  // namespace cppapp::log
