// The network side: event-loop threads, the listening sockets, signals and draining.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace cppapp::app {
class Application;
}

namespace cppapp::server {

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;  ///< 0 picks a free port (reported to on_listening)
  unsigned threads = 1;
  std::size_t header_limit = 16 * 1024;  ///< request line + headers, else 431
  std::size_t uri_limit = 8 * 1024;      ///< request-target, else 414
  std::size_t body_limit = 100 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds keepalive_timeout{5'000};
  std::chrono::milliseconds shutdown_grace{10'000};
};

/// Serves `app` until SIGTERM or SIGINT, then drains: stops accepting, closes idle connections,
/// lets in-flight requests finish within shutdown_grace. `on_listening` gets the bound port.
/// Returns the process exit code (0 after a clean drain). Throws on a bind failure.
int run(const ServerOptions& options, app::Application& app,
        const std::function<void(std::uint16_t port)>& on_listening);

}  // namespace cppapp::server
