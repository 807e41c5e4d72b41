#include "log/logstash_shipper.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "manual_clock.hpp"

namespace cppapp::log {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A loopback port nothing listens on: connecting to it is refused at once.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class ShipperBackoffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("shipper-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    options.address = "127.0.0.1:" + std::to_string(closed_port());
    options.spool_dir = dir;
    options.flush_on_stop = 0ms;
    options.buffer_bytes = 1 << 20;
    options.spool_max_bytes = 1 << 20;
    options.resend_window_bytes = 64 << 10;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::unique_ptr<LogstashShipper> start() {
    return std::make_unique<LogstashShipper>(
        options,
        [this](bool warning, const std::string& message) {
          std::lock_guard lock(mutex);
          reports.push_back((warning ? "warn " : "info ") + message);
        },
        clock);
  }

  std::vector<std::string> reported() {
    std::lock_guard lock(mutex);
    return reports;
  }

  /// Moves the shipper's clock on and waits until it has done what fell due.
  void step(std::chrono::milliseconds by) {
    clock.advance(by);
    ASSERT_TRUE(clock.settle());
  }

  fs::path dir;
  ShipperOptions options;
  testing::ManualClock clock;
  std::mutex mutex;
  std::vector<std::string> reports;
};

TEST_F(ShipperBackoffTest, ABatchTooLargeForMemoryKeepsTheLinesThatFitAndCountsTheRest) {
  // Logstash is away: what memory takes goes on to the spool, in order, when the shipper stops.
  options.buffer_bytes = 100;
  auto shipper = start();
  std::string batch;
  for (char c = 'a'; c < 'f'; ++c) batch += std::string(29, c) + '\n';  // 5 lines of 30 bytes
  shipper->enqueue(batch, 5);
  EXPECT_EQ(shipper->counters().dropped.load(), 2u);  // 3 lines (90 bytes) fit
  shipper->enqueue(std::string(200, 'z') + '\n', 1);  // never fits
  EXPECT_EQ(shipper->counters().dropped.load(), 3u);
  shipper->stop();
  EXPECT_EQ(shipper->counters().spooled.load(), 3u);
  Spool spool(dir, options.spool_max_bytes);
  EXPECT_EQ(spool.peek(1 << 20), batch.substr(0, 90));
}

TEST_F(ShipperBackoffTest, RetriesDoublingUpToTheCapAndSaysSoOnce) {
  options.initial_backoff = 100ms;
  options.max_backoff = 500ms;
  options.backoff_jitter = 0;
  auto shipper = start();
  ASSERT_TRUE(clock.settle());
  const auto& counters = shipper->counters();
  EXPECT_EQ(counters.connect_failures, 1u);
  // Attempts at 0, 100, 300, 700, then every 500 ms: 1200, 1700. Just before each, none yet.
  std::chrono::milliseconds at{0};
  std::uint64_t expected = 1;
  for (const auto next : {100ms, 300ms, 700ms, 1200ms, 1700ms}) {
    step(next - at - 1ms);
    EXPECT_EQ(counters.connect_failures, expected) << "at " << (next - 1ms).count() << " ms";
    step(1ms);
    EXPECT_EQ(counters.connect_failures, ++expected) << "at " << next.count() << " ms";
    at = next;
  }
  shipper->stop();
  const auto lines = reported();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("warn cannot reach logstash at " + options.address, 0), 0u) << lines[0];
  EXPECT_EQ(counters.reconnects, 0u);
}

TEST_F(ShipperBackoffTest, JitterKeepsEachWaitWithinItsShare) {
  options.initial_backoff = 100ms;
  options.backoff_jitter = 0.2;
  auto shipper = start();
  ASSERT_TRUE(clock.settle());
  const auto& counters = shipper->counters();
  step(79ms);  // the first wait is 80 to 120 ms
  EXPECT_EQ(counters.connect_failures, 1u);
  step(41ms);
  EXPECT_EQ(counters.connect_failures, 2u);
  step(159ms);  // the second, 160 to 240 ms
  EXPECT_EQ(counters.connect_failures, 2u);
  step(81ms);
  EXPECT_EQ(counters.connect_failures, 3u);
}

TEST_F(ShipperBackoffTest, StopsAtOnceWhileWaitingToRetry) {
  options.initial_backoff = 1h;
  auto shipper = start();
  ASSERT_TRUE(clock.settle());
  shipper->stop();  // returns without the clock moving
  EXPECT_EQ(shipper->counters().connect_failures, 1u);
}

/// A receiver on loopback that reads and discards what one connection sends.
class DiscardingReceiver {
 public:
  DiscardingReceiver() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      const int connection = ::accept(listener_, nullptr, nullptr);
      char sink[4096];
      while (connection >= 0 && ::read(connection, sink, sizeof sink) > 0) {
      }
      if (connection >= 0) ::close(connection);
    });
  }
  ~DiscardingReceiver() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

/// Waits (at most 10 s) until the shipper has written `lines` lines.
bool shipped_at_least(const LogstashShipper& shipper, std::uint64_t lines) {
  for (int waited = 0; waited < 10000; ++waited) {
    if (shipper.counters().shipped.load() >= lines) return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

TEST_F(ShipperBackoffTest, HandsBackTheStringsItNoLongerKeepsForTheNextBatch) {
  // A batch string that has left the resend window comes back from enqueue, emptied, with its
  // room: an event loop writes its next batch into memory it already has.
  DiscardingReceiver receiver;
  options.address = "127.0.0.1:" + std::to_string(receiver.port());
  options.resend_window_bytes = 1;  // only the last batch sent is kept for a resend
  auto shipper = start();
  std::string first = "first\n";
  first.reserve(40000);
  const std::size_t room = first.capacity();
  EXPECT_EQ(shipper->enqueue(std::move(first), 1).capacity(), std::string().capacity());
  ASSERT_TRUE(shipped_at_least(*shipper, 1));
  EXPECT_EQ(shipper->enqueue("second\n", 1).capacity(), std::string().capacity());
  ASSERT_TRUE(shipped_at_least(*shipper, 2));  // the first has left the window
  const std::string spare = shipper->enqueue("third\n", 1);
  EXPECT_TRUE(spare.empty());
  EXPECT_EQ(spare.capacity(), room);
  ASSERT_TRUE(shipped_at_least(*shipper, 3));
  shipper->stop();
}

TEST_F(ShipperBackoffTest, LetsGoOfAStringTooLargeToKeep) {
  // A burst's string is not kept resident for later batches.
  DiscardingReceiver receiver;
  options.address = "127.0.0.1:" + std::to_string(receiver.port());
  options.resend_window_bytes = 1;
  auto shipper = start();
  std::string large = "large\n";
  large.reserve(1 << 20);
  shipper->enqueue(std::move(large), 1);
  ASSERT_TRUE(shipped_at_least(*shipper, 1));
  shipper->enqueue("second\n", 1);
  ASSERT_TRUE(shipped_at_least(*shipper, 2));
  EXPECT_LT(shipper->enqueue("third\n", 1).capacity(), std::size_t{1} << 20);
  shipper->stop();
}

}  // namespace
}  // namespace cppapp::log
