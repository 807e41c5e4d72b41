// The app's routes, written without the mount prefix (the seed's controllers/index.js).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "app/answer_slot.hpp"
#include "app/config.hpp"
#include "http/message.hpp"

namespace cppapp::view {
class TemplateEngine;
}
namespace cppapp::store {
class Store;
class StoreMonitor;
}  // namespace cppapp::store

namespace cppapp::app {

class WorkerPool;
class RenderedPages;
class WriteRateLimiter;
struct GuestbookCounters;

/// What a controller may use.
struct Services {
  const Config& config;
  const view::TemplateEngine& views;
  store::Store& store;
  const store::StoreMonitor& monitor;
  WorkerPool& pool;
  RenderedPages* rendered_pages;    ///< production only: pages kept by context; null in development
  WriteRateLimiter& write_limiter;  ///< guestbook writes per client (WRITE_RATE)
  GuestbookCounters& counters;      ///< for /metrics
};

using RequestPtr = std::shared_ptr<http::Request>;

struct Route {
  std::string_view method;   ///< "GET" also answers HEAD, as in Express
  std::string_view pattern;  ///< path-to-regexp style: "/", "/guestbook", "/api/entries/:id"
  /// Answers now or later (after a database call on the worker pool), through `reply`.
  void (*handler)(const Services& services, const RequestPtr& request, const Reply& reply);
};

/// Every route of the app, in the order Express would try them.
std::span<const Route> routes();

}  // namespace cppapp::app
