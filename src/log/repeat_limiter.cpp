#include "log/repeat_limiter.hpp"

#include <fmt/format.h>

namespace cppapp::log {

std::optional<std::string> RepeatLimiter::admit(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (last_logged_ && now - *last_logged_ < interval_) {
    ++held_back_;
    return std::nullopt;
  }
  std::string suffix;
  if (held_back_ > 0) {
    const auto seconds = std::chrono::duration<double>(now - *last_logged_).count();
    suffix = fmt::format(" ({} more like this in the last {:.0f}s)", held_back_, seconds);
  }
  held_back_ = 0;
  last_logged_ = now;
  return suffix;
}

std::uint64_t RepeatLimiter::held_back() {
  std::lock_guard lock(mutex_);
  return held_back_;
}

std::uint64_t RepeatLimiter::take_held_back() {
  std::lock_guard lock(mutex_);
  const std::uint64_t held_back = held_back_;
  held_back_ = 0;
  return held_back;
}

}  // namespace cppapp::log
