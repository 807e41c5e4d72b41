// Fuzz target: the whole request path without sockets. Raw bytes go through the request reader
// with the server's limits and the connection's request checks (server/request_checks.cpp), then
// either the refusal or Application::handle on the object graph src/main.cpp serves
// (app/service.cpp: a real template engine, SQLite store, store monitor, worker pool and
// metrics); the answer is serialized as the connection writes it. Checked: one answer per
// request, a valid status, and no CR/LF/NUL in any header (nothing a client sends may split the
// response).
#include <unistd.h>

#include <boost/beast/http/error.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string_view>
#include <variant>

#include "app/application.hpp"
#include "app/config.hpp"
#include "app/service.hpp"
#include "log/logger.hpp"
#include "server/request_checks.hpp"
#include "server/request_reader.hpp"
#include "server/server.hpp"
#include "server/wire.hpp"

namespace beast_http = boost::beast::http;
using namespace cppapp;

namespace {

/// The connection's limits: small, so the fuzzer reaches them with short inputs.
const server::ServerOptions kOptions{.header_limit = 2048, .uri_limit = 1024, .body_limit = 1024};

/// What src/main.cpp serves, built once per fuzzing process and never destroyed: libFuzzer exits
/// without unwinding, and the data directory is per process.
app::Service& service() {
  static app::Service* instance = [] {
    const auto data_dir = std::filesystem::temp_directory_path() /
                          ("cppapp-fuzz-request-" + std::to_string(::getpid()));
    std::filesystem::create_directories(data_dir);
    // Only critical lines: the access log and warnings would flood the fuzzer's output.
    log::init({.level = log::Level::critical, .spool_dir = data_dir / "log-spool"});
    app::Config config;
    config.views_dir = CPPAPP_SOURCE_DIR "/views";
    config.public_dir = CPPAPP_SOURCE_DIR "/public";
    config.data_dir = data_dir;
    config.header_limit = kOptions.header_limit;
    config.uri_limit = kOptions.uri_limit;
    config.body_limit = kOptions.body_limit;
    config.workers = 2;
    return new app::Service(config);
  }();
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
  const std::string head = server::serialize_head(response, "fuzz", true, std::chrono::seconds(5));
  if (!head.ends_with("\r\n\r\n") || head.find("\r\n\r\n") != head.size() - 4) std::abort();
  (void)server::bodiless(response.status, method);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::Application& app = service().application();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Several requests on one connection, as pipelining sends them; at most 4 per input.
  for (int round = 0; round < 4 && !input.empty(); ++round) {
    // As the connection reads and checks (server/connection.cpp): the head, the body.
    server::RequestReader reader(kOptions.header_limit, kOptions.body_limit);
    boost::beast::error_code ec;
    std::size_t used = reader.feed(boost::asio::buffer(input.data(), input.size()), ec);
    if (ec == beast_http::error::need_more || (!ec && !reader.head_done())) return 0;
    if (const auto refusal = server::refuse_head(ec, reader, kOptions, app)) {
      check_answer(*refusal, "GET");
      return 0;  // the connection closes after a refused request
    }
    if (ec) return 0;  // the client left: no answer
    reader.start_body();
    if (!reader.done()) {
      used += reader.feed(boost::asio::buffer(input.data() + used, input.size() - used), ec);
      // The client stopped sending: what a read would see at end of stream.
      if (ec == beast_http::error::need_more || (!ec && !reader.done())) {
        ec = {};
        reader.feed_eof(ec);
      }
      if (const auto refusal = server::refuse_body(ec, reader, kOptions, app)) {
        check_answer(*refusal, "GET");
        return 0;
      }
      if (ec || !reader.done()) return 0;
    }
    input.remove_prefix(std::min(used, input.size()));
    const bool keep_alive = reader.keep_alive();
    http::Request request = reader.release();
    request.id = "fuzz";
    const std::string method = request.method;
    app.request_started();
    app::Answer answer = app.handle(std::move(request), "127.0.0.1");
    http::Response response;
    if (auto* now = std::get_if<http::Response>(&answer)) {
      response = std::move(*now);
    } else {
      // Answered exactly once, later (a second set_value would throw).
      auto answered = std::make_shared<std::promise<http::Response>>();
      auto future = answered->get_future();
      if (auto ready = std::get<std::shared_ptr<app::AnswerSlot>>(answer)->take_or_wait(
              [answered](http::Response late) { answered->set_value(std::move(late)); })) {
        answered->set_value(std::move(*ready));
      }
      response = future.get();
    }
    app.request_finished(response.route, response.status, "GET", {});
    check_answer(response, method);
    if (!keep_alive) break;
  }
  return 0;
}
