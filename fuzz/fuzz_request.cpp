// Fuzz target: the whole request path without sockets. Raw bytes go through Beast's request
// parser with the server's limits, then either the protocol-error answer (as the connection
// gives it) or Application::handle with a real template engine, SQLite store, store monitor,
// worker pool and metrics (as src/main.cpp builds them); the answer is serialized as the
// connection writes it. Checked: one answer per request, a valid status, and no CR/LF/NUL in
// any header (nothing a client sends may split the response).
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string_view>

#include "app/application.hpp"
#include "app/config.hpp"
#include "app/metrics.hpp"
#include "app/worker_pool.hpp"
#include "log/logger.hpp"
#include "server/request_reader.hpp"
#include "server/wire.hpp"
#include "store/store.hpp"
#include "store/store_monitor.hpp"
#include "view/template_engine.hpp"

namespace beast_http = boost::beast::http;
using namespace cppapp;

namespace {

/// Small limits, so the fuzzer reaches them with short inputs.
constexpr std::size_t kHeaderLimit = 2048;
constexpr std::size_t kBodyLimit = 1024;

/// Everything src/main.cpp builds around the Application, built once per fuzzing process.
struct Service {
  Service() {
    data_dir = std::filesystem::temp_directory_path() /
               ("cppapp-fuzz-request-" + std::to_string(::getpid()));
    std::filesystem::create_directories(data_dir);
    // Only critical lines: the access log and warnings would flood the fuzzer's output.
    log::init({.level = log::Level::critical, .spool_dir = data_dir / "log-spool"});
    config.views_dir = CPPAPP_SOURCE_DIR "/views";
    config.public_dir = CPPAPP_SOURCE_DIR "/public";
    config.data_dir = data_dir;
    config.header_limit = kHeaderLimit;
    config.body_limit = kBodyLimit;
    config.workers = 2;
    views =
        std::make_unique<view::TemplateEngine>(view::EngineOptions{.views_dir = config.views_dir});
    views->set_global("prod", false);
    views->set_global("base", boost::json::string(config.mount));
    store = store::open_sqlite_store(config.data_dir);
    monitor = std::make_unique<store::StoreMonitor>(*store, "opened", "embedded database",
                                                    store::MonitorTiming{});
    pool = std::make_unique<app::WorkerPool>(config.workers, config.worker_queue);
    metrics = std::make_unique<app::Metrics>(
        app::MetricSources{.pool = pool.get(), .monitor = monitor.get()});
    application =
        std::make_unique<app::Application>(config, *views, *store, *monitor, *pool, *metrics);
  }
  // Never destroyed: libFuzzer exits without unwinding, and the data directory is per process.

  std::filesystem::path data_dir;
  app::Config config;
  std::unique_ptr<view::TemplateEngine> views;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::StoreMonitor> monitor;
  std::unique_ptr<app::WorkerPool> pool;
  std::unique_ptr<app::Metrics> metrics;
  std::unique_ptr<app::Application> application;
};

Service& service() {
  static Service* instance = new Service();
  return *instance;
}

bool clean_header_text(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

/// The checks every answer must pass, whatever the request was.
void check_answer(const http::Response& response, std::string_view method) {
  if (response.status < 100 || response.status > 599) std::abort();
  for (const auto& field : response.headers.fields()) {
    if (field.name.empty() || !clean_header_text(field.name) || !clean_header_text(field.value))
      std::abort();
  }
  const std::string head = server::serialize_head(response, true, std::chrono::seconds(5));
  if (!head.ends_with("\r\n\r\n") || head.find("\r\n\r\n") != head.size() - 4) std::abort();
  (void)server::bodiless(response.status, method);
}

/// The connection's answer to a parse error (server/connection.cpp, answer_for_read_error).
http::Response refusal(const boost::beast::error_code& ec) {
  const app::Application& app = *service().application;
  if (ec == beast_http::error::header_limit)
    return app.protocol_error(431, "header_too_large", "too large");
  if (ec == beast_http::error::body_limit)
    return app.protocol_error(413, "entity.too.large", "too large");
  return app.protocol_error(400, "bad_request", "Bad Request: " + ec.message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Service& svc = service();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Several requests on one connection, as pipelining sends them; at most 4 per input.
  for (int round = 0; round < 4 && !input.empty(); ++round) {
    // As the connection reads (server/request_reader.cpp): the head, its checks, the body.
    server::RequestReader reader(kHeaderLimit, kBodyLimit);
    boost::beast::error_code ec;
    std::size_t used = reader.feed(boost::asio::buffer(input.data(), input.size()), ec);
    if (!ec && reader.head_done()) {
      if (const auto problem = reader.check_head()) {
        check_answer(
            svc.application->protocol_error(problem->status, problem->code, problem->message),
            "GET");
        return 0;  // the connection closes after a refused head
      }
      reader.start_body();
      if (!reader.done()) {
        used += reader.feed(boost::asio::buffer(input.data() + used, input.size() - used), ec);
      }
    }
    if (!ec && !reader.done()) {
      // The client stopped sending: what a read would see at end of stream.
      reader.feed_eof(ec);
      if (!ec && !reader.done()) return 0;
    }
    if (ec) {
      if (ec == beast_http::error::need_more || ec == beast_http::error::partial_message) return 0;
      check_answer(refusal(ec), "GET");
      return 0;  // the connection closes after a protocol error
    }
    input.remove_prefix(std::min(used, input.size()));
    const bool keep_alive = reader.keep_alive();
    http::Request request = reader.release();
    request.id = "fuzz";
    const std::string method = request.method;
    auto answered = std::make_shared<std::promise<http::Response>>();
    auto future = answered->get_future();
    svc.application->request_started();
    auto immediate = svc.application->handle(
        std::move(request), "127.0.0.1",
        [answered](http::Response response) { answered->set_value(std::move(response)); });
    // Answered now, or exactly once later (a second set_value would throw).
    http::Response response = immediate ? std::move(*immediate) : future.get();
    svc.application->request_finished(response, "GET", {});
    check_answer(response, method);
    if (!keep_alive) break;
  }
  return 0;
}
