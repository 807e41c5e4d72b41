// One client connection: read requests, run them through the pipeline, write the answers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/answer_cache.hpp"
#include "server/connection_registry.hpp"
#include "server/server.hpp"

namespace cppapp::server {

/// Serves one accepted connection until the client leaves, an error, a timeout or draining.
/// `registry` and `answers` are its event loop's.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const ServerOptions& options, app::Application& app,
                                              ConnectionRegistry& registry, AnswerCache& answers);

}  // namespace cppapp::server
