// The request pipeline: the order a request goes through, written once (see handle()).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "app/answer_slot.hpp"
#include "app/config.hpp"
#include "app/controllers.hpp"
#include "http/encoded_cache.hpp"
#include "http/message.hpp"
#include "http/static_files.hpp"

namespace cppapp::app {

class Metrics;
class RenderedPages;

/// What handle() gives back: the finished response when the pipeline answered before returning,
/// else the slot the database work delivers it to (AnswerSlot::take_or_wait).
using Answer = std::variant<http::Response, std::shared_ptr<AnswerSlot>>;

/// nodeapp's two Express instances in one: the outer server (health endpoints, the mount) and
/// the mounted app (security headers, static files, body parsing, routes, rendering).
class Application {
 public:
  Application(const Config& config, view::TemplateEngine& views, store::Store& store,
              store::StoreMonitor& monitor, WorkerPool& pool, Metrics& metrics);
  ~Application();

  /// Runs one request through the pipeline. Returns the finished response when the pipeline
  /// answered before returning (pages, static files, errors: nearly every request); otherwise
  /// the slot the database work delivers it to, exactly once, from its own thread.
  /// `peer_address` is the socket's remote address (the trust-proxy fallback).
  Answer handle(http::Request request, std::string_view peer_address) const;

  /// A finished error answer for a request the server could not read or accept (400, 413, 414,
  /// 417, 431, 501; a client too slow for a time limit is cut off, not answered), or for a file
  /// answer whose file cannot be opened when it is sent (503, or 500).
  /// `head`, when the request line and headers were read (an oversized body, a bad trailer),
  /// decides the answer's format as for any other error: JSON for an API client.
  http::Response protocol_error(unsigned status, std::string_view code, std::string_view message,
                                const http::Request* head = nullptr) const;

  /// Metrics: a request enters the pipeline / its answer has been written (`route`: the
  /// answer's Response::route).
  void request_started() const;
  void request_finished(std::string_view route, unsigned status, std::string_view method,
                        std::chrono::nanoseconds duration) const;

  /// Metrics: an answer went out again from an event loop's kept answers.
  void answer_replayed() const;

  /// Whether an answer of `route` gets an access record: not the probes (/healthz, /readyz,
  /// /metrics) unless LOG_PROBES is on. Their metrics are counted either way.
  bool access_logged(std::string_view route) const;

  /// From now on /readyz answers 503 so the orchestrator stops routing here (SIGTERM).
  void begin_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  /// Finishes the database work still queued (after the server has drained, before it tears its
  /// event loops down, so every reply still has a loop to go to), and stops the database check,
  /// so nothing is logged after the server's "stopped".
  void stop_background_work();

 private:
  void route_root(const RequestPtr& request, const Reply& reply) const;
  void route_app(const RequestPtr& request, const Reply& reply) const;
  void route_controllers(const RequestPtr& request, const Reply& reply) const;
  void finish(const http::Request& request, http::Response& response) const;

  const Config& config_;
  // Before services_, which refers to them.
  std::unique_ptr<WriteRateLimiter> write_limiter_;
  std::unique_ptr<GuestbookCounters> guestbook_counters_;
  Services services_;
  store::StoreMonitor& monitor_;  ///< services_ reads it; only stop_background_work stops it
  Metrics& metrics_;
  std::unique_ptr<RenderedPages> rendered_pages_;            ///< production only
  std::unique_ptr<http::EncodedCache> encoded_;              ///< compressed bodies by ETag
  std::unique_ptr<http::StaticLookupCache> static_lookups_;  ///< production only
  std::atomic<bool> draining_{false};
};

}  // namespace cppapp::app
