// The URLs the start-up line prints: ones a reader can open. The seed printed the machine's
// first IPv4 address and no path, which is wrong when cppapp listens on one address only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cppapp::app {

/// The page's URLs for a server listening on `host`:`port` with the app under `mount`, most
/// useful first: for a wildcard address (0.0.0.0, ::) the loopback address and then the
/// machine's address `machine_address` (when it differs); else the listen address itself
/// (IPv6 in brackets). Each ends in "<mount>/".
std::vector<std::string> start_urls(const std::string& host, std::uint16_t port,
                                    const std::string& mount, const std::string& machine_address);

/// "Started server: URL" with any further URLs after it in parentheses.
std::string started_line(const std::vector<std::string>& urls);

}  // namespace cppapp::app
