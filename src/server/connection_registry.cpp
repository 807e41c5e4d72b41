#include "server/connection_registry.hpp"

#include <boost/system/error_code.hpp>

namespace cppapp::server {

std::list<ConnectionRegistry::Entry>::iterator ConnectionRegistry::add(
    boost::asio::ip::tcp::socket& socket) {
  auto entry = entries.insert(entries.end(), Entry{.socket = &socket, .clock = clock});
  if (!sweeping) arm_sweep();
  return entry;
}

void ConnectionRegistry::arm_sweep() {
  if (!sweep_timer) return;
  sweeping = true;
  sweep_timer->expires_after(kDeadlineSweepInterval);
  sweep_timer->async_wait([this](const boost::system::error_code& ec) {
    sweeping = false;
    if (!ec) sweep();
  });
}

void ConnectionRegistry::sweep() {
  const Clock::time_point time = clock->now();
  boost::system::error_code ignored;
  for (auto& entry : entries) {
    if (entry.timed_out || time < entry.deadline) continue;
    entry.timed_out = true;
    if (entry.in_operation) entry.socket->cancel(ignored);
  }
  // An idle loop is not woken: the next connection starts the sweep again.
  if (!entries.empty()) arm_sweep();
}

void ConnectionRegistry::begin_draining() {
  draining = true;
  boost::system::error_code ignored;
  for (auto& entry : entries) {
    if (entry.idle) entry.socket->cancel(ignored);
  }
}

}  // namespace cppapp::server
