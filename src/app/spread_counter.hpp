// A counter bumped on every request by every event loop, without the loops sharing a cache line.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>

namespace cppapp::app {

/// Each thread adds to a slot of its own (a relaxed store, no locked read-modify-write, no cache
/// line bouncing between the loops); total() sums the slots when a scrape asks.
class SpreadCounter {
 public:
  SpreadCounter() = default;
  SpreadCounter(const SpreadCounter&) = delete;
  SpreadCounter& operator=(const SpreadCounter&) = delete;

  void add(std::uint64_t n = 1) {
    std::atomic<std::uint64_t>& slot = slot_of_this_thread();
    slot.store(slot.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t total() const;

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> value{0};
  };
  std::atomic<std::uint64_t>& slot_of_this_thread();

  /// Names this counter in the threads' lists of their slots; never reused, so a list entry of a
  /// destroyed counter can never be taken for a new one at the same address.
  const std::uint64_t id_ = next_id();
  static std::uint64_t next_id();
  mutable std::mutex mutex_;
  std::deque<Slot> slots_;  ///< a deque: slots never move once handed out
};

}  // namespace cppapp::app
