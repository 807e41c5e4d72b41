#include "store/store_monitor.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include <atomic>
#include <sstream>
#include <thread>

#include "ferretdb_server.hpp"
#include "log/logger.hpp"

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

TEST(StoreMonitor, LogsEachChangeOnceAndFollowsTheStore) {
  CapturedLog log;
  SwitchableStore store;
  StoreMonitor monitor(store, "connected to mongodb", "mongodb", fast);

  ASSERT_TRUE(eventually([&] { return store.pings >= 5; }, 2s));
  EXPECT_FALSE(monitor.reachable());
  store.up = true;
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 1s));
  const int pings_when_up = store.pings;
  ASSERT_TRUE(eventually([&] { return store.pings >= pings_when_up + 5; }, 2s));
  store.up = false;
  ASSERT_TRUE(eventually([&] { return !monitor.reachable(); }, 1s));
  const int pings_when_down = store.pings;
  ASSERT_TRUE(eventually([&] { return store.pings >= pings_when_down + 5; }, 2s));
  store.up = true;
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 1s));
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
  StoreMonitor monitor(store, "connected to mongodb", "mongodb", fast);
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 1s));
  EXPECT_FALSE(monitor.storage_full());
  EXPECT_EQ(store.probes, 0);  // no probe while nothing was refused
  ASSERT_TRUE(eventually([&] { return monitor.entries() == 42u; }, 1s));

  store.full = true;
  monitor.note_storage_full();
  ASSERT_TRUE(eventually([&] { return store.probes >= 3; }, 2s));
  EXPECT_TRUE(monitor.storage_full());
  EXPECT_TRUE(monitor.reachable());  // reads still work

  store.full = false;
  ASSERT_TRUE(eventually([&] { return !monitor.storage_full(); }, 1s));
  monitor.stop();
  EXPECT_EQ(count(log.text(), "info mongodb takes writes again\n"), 1u) << log.text();

  monitor.note_storage_full();
  monitor.note_write_succeeded();
  EXPECT_FALSE(monitor.storage_full());
}

TEST(StoreMonitor, BacksOffWhileDown) {
  SwitchableStore store;
  StoreMonitor monitor(store, "connected", "mongodb", {10ms, 80ms, 20ms, 1000ms});
  std::this_thread::sleep_for(500ms);
  monitor.stop();
  // 10+20+40+80+80+... ms: about 8 pings in 500 ms (a fixed 10 ms would give 50).
  EXPECT_GE(store.pings, 5);
  EXPECT_LE(store.pings, 11);
}

TEST(StoreMonitor, AHangingPingCountsAsUnreachable) {
  SwitchableStore store;
  store.up = true;
  StoreMonitor monitor(store, "connected", "mongodb", {10ms, 40ms, 20ms, 200ms});
  ASSERT_TRUE(eventually([&] { return monitor.reachable(); }, 1s));
  store.hang = true;
  const auto start = Clock::now();
  ASSERT_TRUE(eventually([&] { return !monitor.reachable(); }, 2s));
  EXPECT_LT(Clock::now() - start, 500ms);
  store.hang = false;
  EXPECT_TRUE(eventually([&] { return monitor.reachable(); }, 1s));
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
