// Ships JSON lines to Logstash (tcp input, json_lines codec) from a thread of its own.
//
// Request threads only enqueue (a mutex and a memory copy; never I/O). The shipper thread sends,
// reconnects forever with capped exponential backoff, spills to the spool when the memory queue
// fills, and replays spool then memory in order. TCP acknowledges nothing a receiver has read, so
// after a reconnect the last `resend_window_bytes` sent on the dead connection are sent again:
// delivery is at-least-once, and Logstash stores each event.id once
// (deploy/logstash/pipeline.conf).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/clock.hpp"
#include "log/repeat_limiter.hpp"
#include "log/spool.hpp"

namespace cppapp::log {

/// The sizes come from the configuration (LogOptions); their defaults are app/defaults.hpp's.
struct ShipperOptions {
  std::string address;                  ///< "host:port"
  std::size_t buffer_bytes = 0;         ///< memory queue (LOG_BUFFER)
  std::uint64_t spool_max_bytes = 0;    ///< spool on disk (LOG_SPOOL_MAX)
  std::size_t resend_window_bytes = 0;  ///< re-sent after a reconnect (LOG_RESEND_WINDOW)
  std::filesystem::path spool_dir;      ///< DATA_DIR/log-spool
  std::chrono::milliseconds flush_on_stop{2000};
  std::chrono::milliseconds initial_backoff{100};  ///< first wait after a failed connect, doubled
  std::chrono::milliseconds max_backoff{5000};
  double backoff_jitter = 0.2;  ///< each wait is scaled by a random factor in 1 ± this
};

/// Monotonic counters, read by the metrics endpoint.
struct ShipperCounters {
  std::atomic<std::uint64_t> shipped{0};     ///< lines written to Logstash (re-sends included)
  std::atomic<std::uint64_t> spooled{0};     ///< lines written to the spool
  std::atomic<std::uint64_t> dropped{0};     ///< lines lost because memory and spool were full
  std::atomic<std::uint64_t> reconnects{0};  ///< connections made after the first
  std::atomic<std::uint64_t> resent{0};      ///< lines sent again after a reconnect
  std::atomic<std::uint64_t> connect_failures{0};  ///< connection attempts that failed
};

/// Where the shipper reports its own state (console only: never back into the shipper).
using ShipperReport = std::function<void(bool is_warning, const std::string& message)>;

class LogstashShipper {
 public:
  /// `clock` schedules the reconnect backoff and the flush on stop (a test's moves by hand; I/O
  /// timeouts stay on the steady clock); it must outlive the shipper.
  LogstashShipper(ShipperOptions options, ShipperReport report,
                  const Clock& clock = steady_clock());
  ~LogstashShipper();
  LogstashShipper(const LogstashShipper&) = delete;
  LogstashShipper& operator=(const LogstashShipper&) = delete;

  /// Queues `count` lines, `lines` (each ending in '\n'): one record, or an event loop's batch.
  /// Never blocks on I/O. When the memory queue cannot take them all, the first lines that fit go
  /// in and the rest are dropped (and counted). Returns an empty string to write the next batch
  /// into: one the shipper has sent and no longer keeps, with its room, when it has one. Handed
  /// round so, batch strings cost an event loop no allocation, nor the page faults of writing
  /// into memory glibc returned to the system in between (a fresh string per batch cost the
  /// shipped access log more than its formatting).
  std::string enqueue(std::string lines, std::uint64_t count);

  /// Flushes to Logstash for up to flush_on_stop, spools the rest, stops the thread.
  void stop();

  const ShipperCounters& counters() const { return counters_; }

 private:
  struct Batch;
  void run();
  void wake();
  bool connect_once();
  void disconnect(std::deque<std::string>&& unsent_lines);
  void spill_memory(std::size_t keep_bytes);
  void spill_everything();
  bool send(const std::string& data);
  void wait_for_work(Clock::time_point until);
  /// Keeps a string the shipper is done with for enqueue to hand back (a few, not too large).
  void recycle(std::string&& done);

  ShipperOptions options_;
  ShipperReport report_;
  const Clock& clock_;
  RepeatLimiter spool_failures_;  ///< one line per few seconds while the spool cannot be written
  ShipperCounters counters_;

  // Shared with request threads.
  std::mutex mutex_;
  std::deque<std::string> memory_;  ///< newer than anything in the spool
  std::size_t memory_bytes_ = 0;
  bool stopping_ = false;
  std::uint64_t dropped_unreported_ = 0;
  std::atomic<bool> wake_pending_{false};
  std::vector<std::string> spare_strings_;  ///< emptied, their room kept (recycle)
  int wake_fd_ = -1;                        ///< eventfd the shipper sleeps on

  // The shipper thread's own.
  std::unique_ptr<Spool> spool_;
  int socket_ = -1;
  std::deque<std::string> recent_;  ///< last lines sent on this connection (the resend window)
  std::size_t recent_bytes_ = 0;
  std::deque<std::string> resend_;  ///< to send first after a reconnect
  bool ever_connected_ = false;
  bool failure_reported_ = false;
  std::thread thread_;
};

}  // namespace cppapp::log
