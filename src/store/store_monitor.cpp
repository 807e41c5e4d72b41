#include "store/store_monitor.hpp"

#include "log/logger.hpp"

#include <algorithm>
#include <utility>

namespace cppapp::store {

std::string connected_message(const Store& store, const std::string& location) {
  if (store.kind() == "mongodb") return "connected to mongodb";
  return "opened embedded database " + location;
}

StoreMonitor::StoreMonitor(Store& store, std::string connected_line, std::string name,
                           MonitorTiming timing, const log::Clock& clock)
    : store_(store),
      connected_line_(std::move(connected_line)),
      name_(std::move(name)),
      timing_(timing),
      clock_(clock),
      thread_([this] { run(); }) {}

StoreMonitor::~StoreMonitor() {
  stop();
}

std::int64_t StoreMonitor::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.now().time_since_epoch())
      .count();
}

bool StoreMonitor::ping_hung_for(std::chrono::milliseconds limit) const {
  const std::int64_t started = ping_started_ns_.load();
  return started != 0 &&
         now_ns() - started >= std::chrono::duration_cast<std::chrono::nanoseconds>(limit).count();
}

bool StoreMonitor::reachable() const {
  return last_ping_ok_.load() && !ping_hung_for(timing_.stall);
}

void StoreMonitor::note_storage_full() const {
  storage_full_.store(true);
}

void StoreMonitor::note_write_succeeded() const {
  storage_full_.store(false);
}

bool StoreMonitor::known_down() const {
  return answered_once_.load() && (!last_ping_ok_.load() || ping_hung_for(timing_.down_after));
}

void StoreMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool StoreMonitor::stop_requested() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool StoreMonitor::wait_until(log::Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto wait = clock_.real_wait(deadline);
    if (wait <= log::Clock::duration::zero()) return true;
    wake_.wait_for(lock, wait);
  }
  return false;
}

void StoreMonitor::check_storage() {
  // Database calls like the ping: one that hangs counts as the database not answering.
  struct Tracked {
    std::atomic<std::int64_t>& started;
    Tracked(std::atomic<std::int64_t>& s, std::int64_t now) : started(s) { started.store(now); }
    ~Tracked() { started.store(0); }
  };
  if (storage_full_.load()) {
    const Tracked tracked(ping_started_ns_, now_ns());
    try {
      store_.probe_write();
      if (storage_full_.exchange(false)) log::info("{} takes writes again", name_);
    } catch (const StoreError& error) {
      // Still full (or the probe failed otherwise): a write will tell again.
      if (error.kind != StoreError::Kind::full) storage_full_.store(false);
    }
  }
  // The entry count is a gauge: every few seconds is enough (for MongoDB it is a round trip).
  const auto now = clock_.now();
  if (now - last_count_ < kCountInterval) return;
  last_count_ = now;
  const Tracked tracked(ping_started_ns_, now_ns());
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
    ping_started_ns_.store(now_ns());
    try {
      store_.ping();
    } catch (const std::exception& error) {
      failure = error.what();
    }
    ping_started_ns_.store(0);
    // Stopping (before the server says "stopped"): what this ping found is no longer news.
    if (stop_requested()) return;

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
      ping_failures_.fetch_add(1);
      if (!reported_down) {
        log::error("{} {}: {}; retrying in the background",
                   ever_connected ? "lost connection to" : "cannot connect to", name_, failure);
        reported_down = true;
      }
      next_ping = retry;
      retry = std::min(retry * 2, timing_.max_retry);
    }
    if (!wait_until(clock_.now() + next_ping)) return;
  }
}

}  // namespace cppapp::store
