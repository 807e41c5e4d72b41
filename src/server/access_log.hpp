// The access record of a request: what the connection keeps of it before the pipeline consumes
// it, and the one call that logs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::app {
class Application;
}

namespace cppapp::server {

/// A proxy's X-Request-Id when it is a plain token (letters, digits, `-_.:`, at most 128);
/// anything else gets a fresh id, so nothing a client sends is echoed into a header or a log
/// unchecked.
std::string request_id_for(const http::Headers& headers);

/// What the access record needs from a request that the pipeline consumes.
struct AccessFacts {
  /// A request as read (its id already set); `peer` is the socket's remote address.
  AccessFacts(const http::Request& request, std::string_view peer);
  /// A request that could not be read: "-" for the method and path, the peer as client.
  static AccessFacts unread(std::string_view peer);

  std::string_view path() const;
  std::string_view query() const;

  std::string method;
  std::string target;
  std::string client_ip;
  std::string user_agent;
  std::string request_id;

 private:
  AccessFacts() = default;
};

/// Logs the request's access record, unless the answer is a probe's that LOG_PROBES leaves out
/// (Application::access_logged). `route` and `status`: the answer's; `bytes`: the body bytes
/// sent.
void log_access(const app::Application& app, const AccessFacts& facts, std::string_view route,
                unsigned status, std::uint64_t bytes, std::chrono::nanoseconds duration);

}  // namespace cppapp::server
