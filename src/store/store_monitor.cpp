#include "store/store_monitor.hpp"

#include "log/logger.hpp"

#include <algorithm>
#include <utility>

namespace cppapp::store {
namespace {

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string connected_message(const Store& store, const std::string& location) {
  if (store.kind() == "mongodb") return "connected to mongodb";
  return "opened embedded database " + location;
}

StoreMonitor::StoreMonitor(Store& store, std::string connected_line, std::string name,
                           MonitorTiming timing)
    : store_(store),
      connected_line_(std::move(connected_line)),
      name_(std::move(name)),
      timing_(timing),
      thread_([this] { run(); }) {}

StoreMonitor::~StoreMonitor() {
  stop();
}

bool StoreMonitor::reachable() const {
  if (!last_ping_ok_.load()) return false;
  const std::int64_t started = ping_started_ns_.load();
  const auto stalled_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timing_.stall);
  return started == 0 || steady_now_ns() - started < stalled_ns.count();
}

void StoreMonitor::note_storage_full() const {
  storage_full_.store(true);
}

void StoreMonitor::note_write_succeeded() const {
  storage_full_.store(false);
}

bool StoreMonitor::known_down() const {
  return answered_once_.load() && !reachable();
}

void StoreMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool StoreMonitor::wait_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void StoreMonitor::check_storage() {
  // Database calls like the ping: one that hangs counts as the database not answering.
  struct Tracked {
    std::atomic<std::int64_t>& started;
    explicit Tracked(std::atomic<std::int64_t>& s) : started(s) { started.store(steady_now_ns()); }
    ~Tracked() { started.store(0); }
  };
  if (storage_full_.load()) {
    const Tracked tracked(ping_started_ns_);
    try {
      store_.probe_write();
      if (storage_full_.exchange(false)) log::info("{} takes writes again", name_);
    } catch (const StoreError& error) {
      // Still full (or the probe failed otherwise): a write will tell again.
      if (error.kind != StoreError::Kind::full) storage_full_.store(false);
    }
  }
  // The entry count is a gauge: every few seconds is enough (for MongoDB it is a round trip).
  const auto now = std::chrono::steady_clock::now();
  if (now - last_count_ < kCountInterval) return;
  last_count_ = now;
  const Tracked tracked(ping_started_ns_);
  try {
    entries_.store(store_.count());
  } catch (const StoreError&) {
    // The count waits for a later ping.
  }
}

void StoreMonitor::run() {
  bool ever_connected = false;
  bool reported_down = false;  // one error line per outage, not one per ping
  std::chrono::milliseconds retry = timing_.first_retry;
  for (;;) {
    std::string failure;
    ping_started_ns_.store(steady_now_ns());
    try {
      store_.ping();
    } catch (const std::exception& error) {
      failure = error.what();
    }
    ping_started_ns_.store(0);

    std::chrono::milliseconds next_ping;
    if (failure.empty()) {
      last_ping_ok_.store(true);
      answered_once_.store(true);
      if (!ever_connected) {
        log::info("{}", connected_line_);
      } else if (reported_down) {
        log::info("reconnected to {}", name_);
      }
      ever_connected = true;
      reported_down = false;
      check_storage();
      retry = timing_.first_retry;
      next_ping = timing_.interval_up;
    } else {
      last_ping_ok_.store(false);
      answered_once_.store(true);
      if (!reported_down) {
        log::error("{} {}: {}; retrying in the background",
                   ever_connected ? "lost connection to" : "cannot connect to", name_, failure);
        reported_down = true;
      }
      next_ping = retry;
      retry = std::min(retry * 2, timing_.max_retry);
    }
    if (!wait_for(next_ping)) return;
  }
}

}  // namespace cppapp::store
