// The process-wide logger: every event (start-up, errors, access) is one structured record that
// goes to the console (coloured text, or JSON lines with LOG_FORMAT=json) and, when configured,
// to Logstash. Logging from a request thread only formats and enqueues; it never waits on I/O.
#pragma once

#include <fmt/format.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "log/access_format.hpp"
#include "log/event.hpp"

namespace cppapp::log {

struct ShipperCounters;

/// Filled from the configuration (main.cpp); the defaults are app/defaults.hpp's, not repeated.
struct LogOptions {
  Level level = Level::info;
  bool json_console = false;            ///< LOG_FORMAT=json
  std::string node_name;                ///< LOG_NODE_NAME, sent as `label`
  std::string logstash_address;         ///< host:port; empty: no shipping
  std::size_t buffer_bytes = 0;         ///< LOG_BUFFER
  std::uint64_t spool_max_bytes = 0;    ///< LOG_SPOOL_MAX
  std::size_t resend_window_bytes = 0;  ///< LOG_RESEND_WINDOW
  std::filesystem::path spool_dir;      ///< DATA_DIR/log-spool
};

/// Starts the console (and the Logstash shipper when an address is set). Call once, first.
void init(const LogOptions& options);

/// Flushes: Logstash gets up to 2 s, the rest goes to the spool; then the console.
void shutdown();

/// Logs one event (dropped below the configured level).
void emit(Event event);

/// Runs a call a little later on this thread's event loop (the server waits a millisecond).
using DeferToLoop = std::function<void(std::function<void()>)>;

/// From now on, what this thread logs is collected and handed on (console and Logstash) in one
/// piece through `defer`, which the first line of a batch schedules: one write for many
/// requests. The thread calls flush_this_thread() before it ends. Threads that never call this
/// log each event at once.
void batch_on_this_thread(DeferToLoop defer);

/// Hands on what this thread has collected so far (nothing when it does not batch).
void flush_this_thread();

/// "trace", "debug", "info", "warn"/"warning", "error", "critical"; nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);

/// Also hands every logged event to `observer` (empty: none). Set it before logging starts or
/// while nothing logs (tests capture events with it).
void set_event_observer(std::function<void(const Event&)> observer);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  emit(Event(Level::debug, fmt::format(format, std::forward<Args>(args)...)));
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  emit(Event(Level::info, fmt::format(format, std::forward<Args>(args)...)));
}
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  emit(Event(Level::warn, fmt::format(format, std::forward<Args>(args)...)));
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  emit(Event(Level::error, fmt::format(format, std::forward<Args>(args)...)));
}
template <typename... Args>
void critical(fmt::format_string<Args...> format, Args&&... args) {
  emit(Event(Level::critical, fmt::format(format, std::forward<Args>(args)...)));
}

/// Logs the access record: a human line on the console, ECS http/url/client fields in JSON
/// (log/access_format.hpp writes both).
void access(const AccessRecord& record);

/// A fresh request id (when the proxy sent none).
std::string new_request_id();

/// Console writes (a line, or an event loop's lines of one millisecond) lost because stdout was
/// blocked for longer than the console queue absorbs. Each loss is also reported on the console.
std::uint64_t console_writes_dropped();

/// The Logstash shipper's counters, or nullptr when not shipping.
const ShipperCounters* shipping_counters();

/// The first non-loopback IPv4 address of this host (the seed's ip.address()), else 127.0.0.1.
std::string first_ipv4_address();

}  // namespace cppapp::log
