// Keeps a line that repeats (a refused write on a full disk, an accept failing while descriptors
// are exhausted) from flooding the log: one line per interval, and the next one says how many
// were held back: "… (1234 more like this in the last 5s)".
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace cppapp::log {

class RepeatLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kDefaultInterval{5};

  explicit RepeatLimiter(Clock::duration interval = kDefaultInterval) : interval_(interval) {}

  /// Whether to log this occurrence: nullopt to hold it back (it is counted), else the text to
  /// append to the line: "" or " (N more like this in the last Xs)". Thread-safe.
  std::optional<std::string> admit(Clock::time_point now = Clock::now());

  /// The occurrences held back since the last line, which no line has reported yet.
  std::uint64_t held_back();
  /// The same, and forgets them: for a line that says the condition is over.
  std::uint64_t take_held_back();

 private:
  const Clock::duration interval_;
  std::mutex mutex_;
  std::optional<Clock::time_point> last_logged_;
  std::uint64_t held_back_ = 0;
};

}  // namespace cppapp::log
