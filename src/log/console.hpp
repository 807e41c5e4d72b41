// Console logging (spdlog): coloured level when a terminal, local timestamp, one line per event.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cppapp::log {

/// Installs the process-wide console logger at `level` ("info", "debug", …).
void init_console(std::string_view level);

/// Flushes and stops the logger (end of main).
void shutdown();

/// One finished request, as the access line reports it.
struct AccessRecord {
  std::string_view method;
  std::string_view target;
  unsigned status = 0;
  std::uint64_t bytes = 0;  ///< body bytes sent
  std::chrono::nanoseconds duration{0};
  std::string_view client_ip;
};

/// Logs one access line: method, path, status, bytes, duration, client IP.
void access(const AccessRecord& record);

/// The first non-loopback IPv4 address of this host (the seed's ip.address()), else 127.0.0.1.
std::string first_ipv4_address();

}  // namespace cppapp::log
