// The deadlines of a loop's connections, on a clock the test advances by hand: no sleeping.
#include "server/connection_registry.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>

#include "manual_clock.hpp"

namespace cppapp::server {
namespace {

using namespace std::chrono_literals;

class ConnectionRegistryTest : public ::testing::Test {
 protected:
  ConnectionRegistryTest() { registry.clock = &hand_clock; }

  /// The hand-advanced clock the registry reads.
  cppapp::testing::ManualClock hand_clock;
  boost::asio::io_context context;
  boost::asio::ip::tcp::socket socket{context};
  ConnectionRegistry registry;  // no sweep timer: the test sweeps
};

TEST_F(ConnectionRegistryTest, ADeadlineFiresAfterItsLimitAndNotBefore) {
  auto entry = registry.add(socket);
  entry->limit_to(10s);
  hand_clock.advance(10s - 1ns);
  registry.sweep();
  EXPECT_FALSE(entry->timed_out);
  hand_clock.advance(1ns);
  registry.sweep();
  EXPECT_TRUE(entry->timed_out);
}

TEST_F(ConnectionRegistryTest, ANewLimitStartsFromNowAndClearsTheTimeout) {
  auto entry = registry.add(socket);
  entry->limit_to(5s);
  hand_clock.advance(6s);
  registry.sweep();
  ASSERT_TRUE(entry->timed_out);
  entry->limit_to(5s);
  EXPECT_FALSE(entry->timed_out);
  hand_clock.advance(4s);
  registry.sweep();
  EXPECT_FALSE(entry->timed_out);
  hand_clock.advance(1s);
  registry.sweep();
  EXPECT_TRUE(entry->timed_out);
}

TEST_F(ConnectionRegistryTest, AConnectionWithoutALimitNeverTimesOut) {
  auto entry = registry.add(socket);
  hand_clock.advance(24h);
  registry.sweep();
  EXPECT_FALSE(entry->timed_out);
}

TEST_F(ConnectionRegistryTest, EachConnectionKeepsItsOwnDeadline) {
  boost::asio::ip::tcp::socket other(context);
  auto quick = registry.add(socket);
  auto slow = registry.add(other);
  quick->limit_to(1s);
  slow->limit_to(30s);
  hand_clock.advance(2s);
  registry.sweep();
  EXPECT_TRUE(quick->timed_out);
  EXPECT_FALSE(slow->timed_out);
}

TEST_F(ConnectionRegistryTest, TheSweepCancelsTheReadAConnectionWaitsIn) {
  namespace asio = boost::asio;
  asio::ip::tcp::acceptor acceptor(context, {asio::ip::address_v4::loopback(), 0});
  asio::ip::tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(socket);
  auto entry = registry.add(socket);
  entry->limit_to(1s);
  entry->in_operation = true;
  boost::system::error_code result;
  std::array<char, 1> byte{};
  socket.async_read_some(asio::buffer(byte), [&result](const boost::system::error_code& ec,
                                                       std::size_t) { result = ec; });
  hand_clock.advance(1s);
  registry.sweep();
  context.run();
  EXPECT_TRUE(entry->timed_out);
  EXPECT_EQ(result, asio::error::operation_aborted);
}

}  // namespace
}  // namespace cppapp::server
