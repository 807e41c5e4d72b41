// Watches the database in the background so that /readyz can answer instantly, and logs the
// connection's story once per change (not once per ping).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "log/clock.hpp"
#include "store/store.hpp"

namespace cppapp::store {

/// How often the monitor pings.
struct MonitorTiming {
  std::chrono::milliseconds first_retry{250};   ///< first wait after a failed ping, then doubled
  std::chrono::milliseconds max_retry{5000};    ///< the longest wait while down
  std::chrono::milliseconds interval_up{2000};  ///< the wait between pings while up
  /// A ping still unanswered after this long already counts as unreachable (/readyz sends new
  /// traffic elsewhere).
  std::chrono::milliseconds stall{1000};
  /// A ping still unanswered after this long makes requests fail at once (known_down) instead of
  /// waiting for the database themselves. The requests' own limit (DB_TIMEOUT): a database that
  /// is slow, say on a host short of CPU, but answers within it still gets them.
  std::chrono::milliseconds down_after{2000};
};

/// The log line for the first successful ping: "connected to mongodb" (as nodeapp) or
/// "opened embedded database <path>".
std::string connected_message(const Store& store, const std::string& location);

/// Pings `store` from its own thread: with backoff while down, every interval_up while up.
class StoreMonitor {
 public:
  /// Starts the thread; `connected_line` is logged once on the first success. `name` ("mongodb",
  /// "embedded database") appears in the other log lines. `store` and `clock` (what the waits
  /// between pings and the stall are measured by; a test's moves by hand) must outlive the
  /// monitor.
  StoreMonitor(Store& store, std::string connected_line, std::string name,
               MonitorTiming timing = {}, const log::Clock& clock = log::steady_clock());
  /// Stops the thread (see stop()).
  ~StoreMonitor();
  StoreMonitor(const StoreMonitor&) = delete;
  StoreMonitor& operator=(const StoreMonitor&) = delete;

  /// True when the last ping succeeded and no ping has been hanging longer than timing.stall.
  bool reachable() const;
  /// True once a ping has failed (or has hung for timing.down_after) and none has succeeded
  /// since: callers may answer 503 at once instead of waiting for a database that is known to be
  /// away. False before the first ping has finished.
  bool known_down() const;
  /// Stops pinging; returns once the thread has ended (at most one in-flight ping later).
  void stop();

  /// A write failed for want of room (StoreError::Kind::full): storage_full() holds until a
  /// write succeeds or the monitor's probe write (Store::probe_write, once per ping) does.
  /// Const: callers holding a read-only monitor report what they saw; only these flags change.
  void note_storage_full() const;
  /// A write succeeded: the store has room again.
  void note_write_succeeded() const;
  /// True while the store is known to refuse writes for want of room (/readyz says so).
  bool storage_full() const { return storage_full_.load(); }
  /// Entries stored, counted at most every 5 s after a successful ping (Store::count; metrics).
  std::uint64_t entries() const { return entries_.load(); }
  /// Pings that failed since start (cppapp_store_ping_failures_total).
  std::uint64_t ping_failures() const { return ping_failures_.load(); }

 private:
  void run();
  /// After a successful ping: probes a store known to be full, and refreshes the entry count.
  void check_storage();
  bool wait_until(log::Clock::time_point deadline);  // false when stopping
  bool stop_requested();
  std::int64_t now_ns() const;
  /// Whether a ping is running and has been for at least `limit`.
  bool ping_hung_for(std::chrono::milliseconds limit) const;

  Store& store_;
  const std::string connected_line_;
  const std::string name_;
  const MonitorTiming timing_;
  const log::Clock& clock_;
  std::atomic<bool> last_ping_ok_{false};
  std::atomic<bool> answered_once_{false};        ///< a ping has finished, successfully or not
  std::atomic<std::int64_t> ping_started_ns_{0};  // clock_; 0 when no ping is running
  mutable std::atomic<bool> storage_full_{false};
  std::atomic<std::uint64_t> entries_{0};
  std::atomic<std::uint64_t> ping_failures_{0};
  static constexpr std::chrono::seconds kCountInterval{5};
  log::Clock::time_point last_count_{};  ///< monitor thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cppapp::store
