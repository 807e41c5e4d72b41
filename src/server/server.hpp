// The network side: event-loop threads, the listening sockets, signals and draining.
#pragma once

#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "app/defaults.hpp"

namespace cppapp::app {
class Application;
}

namespace cppapp::server {

/// The defaults are app/defaults.hpp's (the one table; main.cpp fills these from Config anyway).
struct ServerOptions {
  std::string host = std::string(app::default_of("--host"));
  /// 0 picks a free port (reported to on_listening)
  std::uint16_t port = static_cast<std::uint16_t>(app::default_number("--port"));
  unsigned threads = 1;  ///< THREADS' default (one per usable core) is worked out in main.cpp
  std::size_t header_limit = app::default_size("--header-limit");  ///< line + headers, else 431
  std::size_t uri_limit = app::default_size("--uri-limit");        ///< request-target, else 414
  std::size_t body_limit = app::default_size("--body-limit");
  std::chrono::milliseconds header_timeout = app::default_duration("--header-timeout");
  std::chrono::milliseconds body_timeout = app::default_duration("--body-timeout");
  std::chrono::milliseconds keepalive_timeout = app::default_duration("--keepalive-timeout");
  std::chrono::milliseconds shutdown_grace = app::default_duration("--shutdown-grace");
  /// Kept whole answers per event loop (server/answer_cache.hpp); 0: none.
  std::size_t answer_cache = app::default_size("--answer-cache");
};

/// Signals that mean nothing to cppapp (no file to reopen, no configuration to reload, no timer of
/// its own) and whose default action would end the process without a drain: said in the log and
/// otherwise ignored. (SIGPROF stays as it is, for profilers.)
inline constexpr std::array<int, 8> kNotedSignals = {SIGHUP,    SIGUSR1, SIGUSR2, SIGALRM,
                                                     SIGVTALRM, SIGIO,   SIGPWR,  SIGSTKFLT};

/// The listening socket could not be made. `address`: the host is no address of this machine
/// (a configuration error); `bind`: the address is fine but cannot be listened on (taken,
/// not permitted).
struct ListenError : std::runtime_error {
  enum class Kind { address, bind };
  Kind kind;
  ListenError(Kind which, const std::string& message) : std::runtime_error(message), kind(which) {}
};

/// Serves `app` until SIGTERM or SIGINT, then drains: stops accepting, closes idle connections,
/// lets in-flight requests finish within shutdown_grace. `on_listening` gets the bound port.
/// Returns the process exit code (0 after a clean drain). Throws ListenError when the listening
/// socket cannot be made.
int run(const ServerOptions& options, app::Application& app,
        const std::function<void(std::uint16_t port)>& on_listening);

}  // namespace cppapp::server
