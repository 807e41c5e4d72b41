// What the guestbook counts, for /metrics: entries stored and their bytes, writes refused by the
// per-client rate limit or for want of room, and pages answered from memory (READ_CACHE).
#pragma once

#include <atomic>
#include <cstdint>

namespace cppapp::app {

struct GuestbookCounters {
  std::atomic<std::uint64_t> stored{0};             ///< entries this process stored
  std::atomic<std::uint64_t> stored_bytes{0};       ///< their name and message bytes
  std::atomic<std::uint64_t> rate_limited{0};       ///< writes refused with 429 (WRITE_RATE)
  std::atomic<std::uint64_t> storage_full{0};       ///< writes refused with 507 (full, MAX_ENTRIES)
  std::atomic<std::uint64_t> reads_from_memory{0};  ///< pages answered with no database call
};

}  // namespace cppapp::app
