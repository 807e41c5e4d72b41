// One client connection: read requests, run them through the pipeline, write the answers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <list>

#include "server/server.hpp"

namespace cppapp::server {

/// The connections of one event-loop thread, so that draining can close the idle ones.
/// Only touched from that thread.
struct ConnectionRegistry {
  struct Entry {
    boost::beast::tcp_stream* stream = nullptr;
    bool idle = false;  ///< waiting for the first byte of a request
  };
  std::list<Entry> entries;
  bool draining = false;

  /// Starts draining: idle connections are closed now, busy ones after their answer.
  void begin_draining();
};

/// Serves one accepted connection until the client leaves, an error, a timeout or draining.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const ServerOptions& options, app::Application& app,
                                              ConnectionRegistry& registry);

}  // namespace cppapp::server
