// The object graph behind the pipeline, built in one place: the views, the store and its
// monitor, the database worker pool, the metrics, and the Application over them. src/main.cpp
// serves it; the request fuzzer and the unit tests drive the same graph without a socket.
#pragma once

#include <memory>

#include "app/config.hpp"

namespace cppapp::view {
class TemplateEngine;
}
namespace cppapp::store {
class Store;
class StoreMonitor;
}  // namespace cppapp::store

namespace cppapp::app {

class Application;
class Metrics;
class WorkerPool;

class Service {
 public:
  /// Builds everything `config` asks for; set logging up first (the monitor logs). Opening the
  /// database does no network I/O: the monitor finds MongoDB in the background. Throws
  /// view::TemplateError when, in production, a template does not compile (every one is
  /// compiled now, so a broken one stops start-up instead of failing a request later), and
  /// store::StoreError when the database cannot be opened.
  explicit Service(Config config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const Config& config() const { return config_; }
  Application& application() { return *application_; }

 private:
  // Declaration order is construction order: each part refers only to those above it.
  const Config config_;
  std::unique_ptr<view::TemplateEngine> views_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::StoreMonitor> monitor_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Application> application_;
};

}  // namespace cppapp::app
