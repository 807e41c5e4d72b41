// A log::Clock that moves only when a test advances it, so a test counts exactly the pings or
// connection attempts a stretch of time holds, without sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "log/clock.hpp"

namespace cppapp::testing {

class ManualClock final : public cppapp::log::Clock {
 public:
  time_point now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  /// Waiters poll every millisecond of real time; a waiter whose deadline is still ahead is idle.
  duration real_wait(time_point deadline) const override {
    std::lock_guard lock(mutex_);
    if (deadline <= now_) return duration::zero();
    idle_since_ = generation_;
    idle_.notify_all();
    return std::chrono::milliseconds(1);
  }

  /// Moves time on by `step` (settle() waits for what falls due).
  void advance(duration step) {
    std::lock_guard lock(mutex_);
    now_ += step;
    ++generation_;
  }

  /// Returns once the thread using the clock waits for a deadline still ahead (false if it did
  /// not within `limit` of real time): it has done everything due so far.
  bool settle(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    ++generation_;
    return idle_.wait_for(lock, limit, [this] { return idle_since_ == generation_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable idle_;
  time_point now_{std::chrono::hours(1)};
  std::uint64_t generation_ = 1;
  mutable std::uint64_t idle_since_ = 0;
};

}  // namespace cppapp::testing
