#include "store/store_monitor.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include <atomic>
#include <sstream>
#include <thread>

#include "ferretdb_server.hpp"
#include "log/logger.hpp"
#include "manual_clock.hpp"
#include "mongo/mongo_store.hpp"

namespace cppapp::store {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A store whose reachability the test switches; ping can also hang, like a frozen server.
class SwitchableStore final : public Store {
 public:
  Entry create(const NewEntry&) override { return {}; }
  Page list(std::size_t, const std::optional<std::string>&) override { return {}; }
  std::optional<Entry> get(std::string_view) override { return std::nullopt; }
  void ping() override {
    ++pings;
    while (hang) std::this_thread::sleep_for(5ms);
    if (!up) throw StoreError(StoreError::Kind::unavailable, "connection refused");
  }
  void probe_write() override {
    ++probes;
    if (full) throw StoreError(StoreError::Kind::full, "disk full");
  }
  std::uint64_t count() override { return 42; }
  std::string_view kind() const override { return "mongodb"; }
  std::atomic<bool> full{false};
  std::atomic<int> probes{0};
  std::atomic<bool> up{false};
  std::atomic<bool> hang{false};
  std::atomic<int> pings{0};
};

// Captures what the monitor logs, one "<level> <message>" line per event.
class CapturedLog {
 public:
  CapturedLog() {
    log::set_event_observer([this](const log::Event& event) {
      std::lock_guard lock(mutex_);
      stream_ << log::level_name(event.level) << ' ' << event.message << '\n';
    });
  }
  ~CapturedLog() { log::set_event_observer(nullptr); }
  std::string text() {
    std::lock_guard lock(mutex_);
    return stream_.str();
  }

 private:
  std::mutex mutex_;
  std::ostringstream stream_;
};

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t found = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++found;
  }
  return found;
}

constexpr MonitorTiming fast{10ms, 40ms, 20ms, 1000ms};

// Moves the monitor's clock on and waits until it has done what fell due.
void step(cppapp::testing::ManualClock& clock, std::chrono::milliseconds by) {
  clock.advance(by);
  ASSERT_TRUE(clock.settle());
}

TEST(StoreMonitor, LogsEachChangeOnceAndFollowsTheStore) {
  CapturedLog log;
  SwitchableStore store;
  cppapp::testing::ManualClock clock;
  StoreMonitor monitor(store, "connected to mongodb", "mongodb", fast, clock);
  ASSERT_TRUE(clock.settle());
  EXPECT_EQ(store.pings, 1);
  EXPECT_TRUE(monitor.known_down());
  for (const auto wait : {10ms, 20ms, 40ms, 40ms}) step(clock, wait);  // backing off to 40 ms
  EXPECT_EQ(store.pings, 5);
  EXPECT_EQ(monitor.ping_failures(), 5u);
  EXPECT_FALSE(monitor.reachable());

  store.up = true;
  step(clock, 40ms);
  EXPECT_EQ(store.pings, 6);
  EXPECT_TRUE(monitor.reachable());
  for (int i = 0; i < 5; ++i) step(clock, 20ms);  // interval_up
  EXPECT_EQ(store.pings, 11);
  EXPECT_TRUE(monitor.reachable());

  store.up = false;
  step(clock, 20ms);
  EXPECT_FALSE(monitor.reachable());
  for (const auto wait : {10ms, 20ms, 40ms, 40ms, 40ms}) step(clock, wait);  // backoff restarts
  EXPECT_EQ(store.pings, 17);
  EXPECT_FALSE(monitor.reachable());

  store.up = true;
  step(clock, 40ms);
  EXPECT_TRUE(monitor.reachable());
  EXPECT_EQ(store.pings, 18);
  EXPECT_EQ(monitor.ping_failures(), 11u);
  monitor.stop();

  const std::string text = log.text();
  EXPECT_EQ(count(text, "\n"), 4u) << text;
  EXPECT_EQ(
      count(text,
            "error cannot connect to mongodb: connection refused; retrying in the background"),
      1u)
      << text;
  EXPECT_EQ(count(text, "info connected to mongodb\n"), 1u) << text;
  EXPECT_EQ(count(text, "error lost connection to mongodb: connection refused"), 1u) << text;
  EXPECT_EQ(count(text, "info reconnected to mongodb\n"), 1u) << text;
}

TEST(StoreMonitor, AFullStoreStaysFullUntilAProbeWriteSucceeds) {
  CapturedLog log;
  SwitchableStore store;
  store.up = true;
  cppapp::testing::ManualClock clock;
  StoreMonitor monitor(store, "connected to mongodb", "mongodb", fast, clock);
  ASSERT_TRUE(clock.settle());
  EXPECT_TRUE(monitor.reachable());
  EXPECT_FALSE(monitor.storage_full());
  EXPECT_EQ(monitor.entries(), 42u);  // counted after the first ping
  step(clock, 20ms);
  EXPECT_EQ(store.probes, 0);  // no probe while nothing was refused

  store.full = true;
  monitor.note_storage_full();
  for (int i = 0; i < 3; ++i) step(clock, 20ms);
  EXPECT_EQ(store.probes, 3);  // one per ping
  EXPECT_TRUE(monitor.storage_full());
  EXPECT_TRUE(monitor.reachable());  // reads still work

  store.full = false;
  step(clock, 20ms);
  EXPECT_EQ(store.probes, 4);
  EXPECT_FALSE(monitor.storage_full());
  step(clock, 20ms);
  EXPECT_EQ(store.probes, 4);  // the store has room again: no more probes
  monitor.stop();
  EXPECT_EQ(count(log.text(), "info mongodb takes writes again\n"), 1u) << log.text();

  monitor.note_storage_full();
  monitor.note_write_succeeded();
  EXPECT_FALSE(monitor.storage_full());
}

TEST(StoreMonitor, BacksOffWhileDown) {
  SwitchableStore store;
  cppapp::testing::ManualClock clock;
  StoreMonitor monitor(store, "connected", "mongodb", {10ms, 80ms, 20ms, 1000ms}, clock);
  ASSERT_TRUE(clock.settle());
  // Pings at 0, 10, 30, 70, 150, then every 80 ms: 230, 310, 390, 470. Each just before its time
  // has not happened yet.
  std::chrono::milliseconds at{0};
  int expected = 1;
  for (const auto next : {10ms, 30ms, 70ms, 150ms, 230ms, 310ms, 390ms, 470ms}) {
    step(clock, next - at - 1ms);
    EXPECT_EQ(store.pings, expected) << "at " << (next - 1ms).count() << " ms";
    step(clock, 1ms);
    EXPECT_EQ(store.pings, ++expected) << "at " << next.count() << " ms";
    at = next;
  }
  step(clock, 79ms);
  monitor.stop();
  EXPECT_EQ(store.pings, 9);  // a fixed 10 ms would have given 55
}

TEST(StoreMonitor, AHangingPingCountsAsUnreachableThenAsDown) {
  SwitchableStore store;
  store.up = true;
  cppapp::testing::ManualClock clock;
  StoreMonitor monitor(store, "connected", "mongodb", {10ms, 40ms, 20ms, 200ms, 500ms}, clock);
  ASSERT_TRUE(clock.settle());
  ASSERT_TRUE(monitor.reachable());
  store.hang = true;
  clock.advance(20ms);  // the next ping starts, and hangs
  ASSERT_TRUE(eventually([&] { return store.pings == 2; }, 5s));
  clock.advance(199ms);
  EXPECT_TRUE(monitor.reachable());  // not stalled yet
  EXPECT_FALSE(monitor.known_down());
  clock.advance(1ms);
  EXPECT_FALSE(monitor.reachable());   // stalled: /readyz sends new traffic elsewhere
  EXPECT_FALSE(monitor.known_down());  // but requests still wait for it themselves
  clock.advance(299ms);
  EXPECT_FALSE(monitor.known_down());
  clock.advance(1ms);
  EXPECT_TRUE(monitor.known_down());  // hung as long as a request may wait: answer 503 at once
  store.hang = false;
  ASSERT_TRUE(clock.settle());
  EXPECT_TRUE(monitor.reachable());
}

TEST(StoreMonitor, StopsPromptlyWhileWaiting) {
  SwitchableStore store;
  store.up = true;
  StoreMonitor monitor(store, "connected", "mongodb", {1h, 1h, 1h, 1h});
  ASSERT_TRUE(eventually([&] { return store.pings >= 1; }, 1s));
  const auto start = Clock::now();
  monitor.stop();
  EXPECT_LT(Clock::now() - start, 100ms);
}

TEST(StoreMonitor, ConnectedMessageNamesTheDatabase) {
  testing::TempDir dir;
  auto sqlite = open_sqlite_store(dir.path());
  EXPECT_EQ(connected_message(*sqlite, "/data/guestbook.sqlite3"),
            "opened embedded database /data/guestbook.sqlite3");
  SwitchableStore mongo;
  EXPECT_EQ(connected_message(mongo, "mongodb://x"), "connected to mongodb");
}

TEST(StoreMonitor, FollowsSqlite) {
  CapturedLog log;
  testing::TempDir dir;
  auto store = open_sqlite_store(dir.path());
  StoreMonitor monitor(*store, "opened embedded database x", "embedded database", fast);
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 1s));
  std::filesystem::remove_all(dir.path());
  EXPECT_TRUE(eventually([&] { return !monitor.reachable(); }, 1s));
  monitor.stop();
  EXPECT_NE(log.text().find("lost connection to embedded database"), std::string::npos);
}

// The real thing: FerretDB killed, restarted, frozen and thawed, with the default timing.
TEST(StoreMonitor, FollowsFerretDbGoingAwayAndComingBack) {
  testing::install_ferretdb();
  testing::TempDir state;
  testing::FerretDbServer server(state.path(), testing::free_loopback_port());
  server.start();
  auto store = open_mongo_store({server.uri("monitor"), 1000ms, 4});
  StoreMonitor monitor(*store, "connected to mongodb", "mongodb");
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 5s));

  server.kill_hard();
  auto start = Clock::now();
  ASSERT_TRUE(eventually([&] { return !monitor.reachable(); }, 5s));
  EXPECT_LT(Clock::now() - start, 2500ms);

  server.start();
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 8s));
  store->create({"after", "restart"});

  server.pause();
  start = Clock::now();
  ASSERT_TRUE(eventually([&] { return !monitor.reachable(); }, 6s));
  // At worst the 2 s wait between pings, then the 1 s stall threshold.
  EXPECT_LT(Clock::now() - start, 3500ms);
  server.resume();
  EXPECT_TRUE(eventually([&] { return monitor.reachable(); }, 8s));
}

}  // namespace
}  // namespace cppapp::store
