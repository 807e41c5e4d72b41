// The time background threads schedule by (the store monitor's pings, the Logstash shipper's
// reconnect backoff), injected so that a test can advance it by hand and count exactly what
// happened, instead of sleeping and hoping. Production uses steady_clock() everywhere.
#pragma once

#include <chrono>

namespace cppapp::log {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  /// How long, in real time, a thread waiting for `deadline` may block before it looks at now()
  /// again (it may be woken sooner for other reasons). Never negative. The steady clock answers
  /// `deadline - now()`; a clock moved by hand answers a short poll interval and notes that the
  /// caller is idle until `deadline` (see tests/support/manual_clock.hpp).
  virtual duration real_wait(time_point deadline) const = 0;
};

/// std::chrono::steady_clock behind the Clock interface: the one production uses.
const Clock& steady_clock();

}  // namespace cppapp::log
