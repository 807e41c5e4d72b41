#include "app/service.hpp"

#include <algorithm>
#include <boost/json/string.hpp>
#include <chrono>
#include <utility>

#include "app/application.hpp"
#include "app/metrics.hpp"
#include "app/worker_pool.hpp"
#include "log/logger.hpp"
#include "store/mongo_module.hpp"
#include "store/store.hpp"
#include "store/store_monitor.hpp"
#include "view/template_engine.hpp"

namespace cppapp::app {

namespace {

std::unique_ptr<view::TemplateEngine> open_views(const Config& config) {
  // Development re-reads a changed template on the next request; production compiles every
  // template now.
  auto views = std::make_unique<view::TemplateEngine>(
      view::EngineOptions{.views_dir = config.views_dir, .reload_on_change = !config.production()});
  views->set_global("prod", config.production());
  views->set_global("base", boost::json::string(config.mount));
  if (config.production()) views->compile_all();
  return views;
}

std::unique_ptr<store::Store> open_store(const Config& config) {
  return config.mongo_url.empty()
             ? store::open_sqlite_store(config.data_dir, config.read_cache)
             : store::load_mongo_store({.uri = config.mongo_url, .timeout = config.db_timeout});
}

}  // namespace

Service::Service(Config config)
    : config_(std::move(config)), views_(open_views(config_)), store_(open_store(config_)) {
  const bool embedded = config_.mongo_url.empty();
  monitor_ = std::make_unique<store::StoreMonitor>(
      *store_, store::connected_message(*store_, (config_.data_dir / "guestbook.sqlite3").string()),
      embedded ? "embedded database" : "mongodb",
      // Ping every 0.5 s while up and at most every second while down, and count a ping hanging
      // over a second as unreachable: /readyz follows an outage within 1.5 s, and requests are
      // answered again soon after the database returns (pings are cheap; only changes are
      // logged). Requests themselves fail at once only when a ping has hung as long as they
      // may wait (DB_TIMEOUT): a database that is merely slow, on a host short of CPU, still
      // answers them.
      store::MonitorTiming{.first_retry = std::chrono::milliseconds(250),
                           .max_retry = std::chrono::milliseconds(1000),
                           .interval_up = std::chrono::milliseconds(500),
                           .stall = std::min(config_.db_timeout, std::chrono::milliseconds(1000)),
                           .down_after = config_.db_timeout});
  pool_ = std::make_unique<WorkerPool>(config_.workers, config_.worker_queue);
  metrics_ = std::make_unique<Metrics>(MetricSources{
      .pool = pool_.get(), .monitor = monitor_.get(), .shipping = log::shipping_counters()});
  application_ =
      std::make_unique<Application>(config_, *views_, *store_, *monitor_, *pool_, *metrics_);
}

// Database work still queued answers through the Application: it finishes while everything it
// uses is there, then the parts go in reverse order.
Service::~Service() {
  application_->stop_background_work();
}

}  // namespace cppapp::app
