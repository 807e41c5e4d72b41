#include "app/spread_counter.hpp"

#include <utility>
#include <vector>

namespace cppapp::app {

std::atomic<std::uint64_t>& SpreadCounter::slot_of_this_thread() {
  // The counters this thread has a slot in, by id; a thread uses a handful, so a short list
  // beats a map.
  thread_local std::vector<std::pair<std::uint64_t, std::atomic<std::uint64_t>*>> mine;
  for (const auto& [id, slot] : mine) {
    if (id == id_) return *slot;
  }
  std::lock_guard lock(mutex_);
  std::atomic<std::uint64_t>& slot = slots_.emplace_back().value;
  mine.emplace_back(id_, &slot);
  return slot;
}

std::uint64_t SpreadCounter::next_id() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::uint64_t SpreadCounter::total() const {
  std::lock_guard lock(mutex_);
  std::uint64_t sum = 0;
  for (const Slot& slot : slots_) sum += slot.value.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace cppapp::app
