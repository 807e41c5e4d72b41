// The connections of one event loop: their time limits (deadlines one sweep checks) and draining.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>

#include "log/clock.hpp"

namespace cppapp::server {

/// The connections of one event-loop thread: draining closes the idle ones, and a sweep enforces
/// their time limits. Only touched from that thread.
///
/// Time limits are deadlines checked by one sweep per loop (every kDeadlineSweepInterval while
/// the loop has connections) rather than a timer armed and cancelled around every socket
/// operation: the same limits at a fraction of the cost per request.
struct ConnectionRegistry {
  using Clock = std::chrono::steady_clock;
  static constexpr auto kDeadlineSweepInterval = std::chrono::milliseconds(100);

  struct Entry {
    boost::asio::ip::tcp::socket* socket = nullptr;
    bool idle = false;  ///< waiting for the first byte of a request
    /// When the operations begun since the limit was set must have finished.
    Clock::time_point deadline = Clock::time_point::max();
    bool in_operation = false;  ///< a socket operation is under way
    bool timed_out = false;     ///< the deadline passed; cleared when a new limit is set
    const log::Clock* clock = &log::steady_clock();  ///< the registry's clock

    /// Sets the time limit for the operations that follow (like beast::tcp_stream's
    /// expires_after): they fail with a timeout once it is over.
    void limit_to(Clock::duration limit) {
      deadline = clock->now() + limit;
      timed_out = false;
    }
  };
  std::list<Entry> entries;
  /// The clock of the deadlines (set before the first add()): the steady clock, or one a test
  /// advances by hand (the store monitor's and the shipper's kind, log/clock.hpp).
  const log::Clock* clock = &log::steady_clock();
  bool draining = false;
  /// The loop's sweep timer (owned by the loop, which outlives every connection's use of it).
  boost::asio::steady_timer* sweep_timer = nullptr;
  bool sweeping = false;

  /// Registers a connection and makes sure the sweep runs.
  std::list<Entry>::iterator add(boost::asio::ip::tcp::socket& socket);

  /// Starts draining: idle connections are closed now, busy ones after their answer.
  void begin_draining();

  /// Marks connections past their deadline and cancels the operation they wait in; re-arms
  /// itself while there are connections.
  void sweep();

 private:
  void arm_sweep();
};

}  // namespace cppapp::server
