// The request pipeline: the order a request goes through, written once (see handle()).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "app/config.hpp"
#include "http/message.hpp"

namespace cppapp::view {
class TemplateEngine;
}

namespace cppapp::app {

/// Receives the finished response of a request; called exactly once, possibly on another thread.
using Responder = std::function<void(http::Response)>;

/// nodeapp's two Express instances in one: the outer server (health endpoints, the mount) and
/// the mounted app (security headers, static files, body parsing, routes, rendering).
class Application {
 public:
  Application(const Config& config, view::TemplateEngine& views);

  /// Runs one request through the pipeline and hands the finished response to `respond`.
  /// `peer_address` is the socket's remote address (the trust-proxy fallback).
  void handle(http::Request request, std::string_view peer_address, const Responder& respond) const;

  /// A finished error answer for a request the server could not parse (400, 408, 413, 431).
  http::Response protocol_error(unsigned status, std::string_view code, std::string_view message) const;

  /// From now on /readyz answers 503 so the orchestrator stops routing here (SIGTERM).
  void begin_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

 private:
  http::Response route_root(http::Request& request) const;
  http::Response route_app(http::Request& request) const;
  http::Response route_controllers(http::Request& request) const;
  void finish(const http::Request& request, http::Response& response) const;

  const Config& config_;
  view::TemplateEngine& views_;
  std::atomic<bool> draining_{false};
};

}  // namespace cppapp::app
