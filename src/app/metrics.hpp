// Prometheus metrics (prometheus-cpp core), served as text by GET /metrics at the root.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace cppapp::store {
class StoreMonitor;
}
namespace cppapp::log {
struct ShipperCounters;
}

namespace cppapp::app {

class WorkerPool;
struct GuestbookCounters;

/// Where the live values come from; each may be null.
struct MetricSources {
  const WorkerPool* pool = nullptr;
  const store::StoreMonitor* monitor = nullptr;
  const log::ShipperCounters* shipping = nullptr;
};

/// The method as a metric label: the standard methods as themselves, anything else "other".
std::string_view method_label(std::string_view method);

class Metrics {
 public:
  explicit Metrics(MetricSources sources);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// A request was read and enters the pipeline.
  void request_started();
  /// Its answer was written: counted by route, method and status, timed in the latency
  /// histogram by route and method.
  void request_finished(std::string_view route, std::string_view method, unsigned status,
                        std::chrono::nanoseconds duration);

  /// An answer went out again from an event loop's kept answers (server/answer_cache.hpp).
  void answer_replayed();

  /// Also reports the guestbook's write counters (set once, before serving).
  void watch_guestbook(const GuestbookCounters* counters);

  /// Every metric in the Prometheus text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cppapp::app
