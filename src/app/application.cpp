#include "app/application.hpp"

#include "app/controllers.hpp"
#include "app/guestbook_counters.hpp"
#include "app/metrics.hpp"
#include "app/pages.hpp"
#include "app/route_match.hpp"
#include "app/store_work.hpp"
#include "app/worker_pool.hpp"
#include "app/write_rate_limit.hpp"
#include "http/body_parser.hpp"
#include "http/compression.hpp"
#include "http/error_page.hpp"
#include "http/security_headers.hpp"
#include "http/send.hpp"
#include "http/static_files.hpp"
#include "http/trust_proxy.hpp"
#include "log/logger.hpp"
#include "store/store_monitor.hpp"
#include "view/template_engine.hpp"

namespace cppapp::app {

namespace {

/// Splits the request-target into path and query (origin-form, or absolute-form as proxies send).
void split_target(http::Request& request) {
  std::string_view target = request.target;
  if (!target.empty() && target.front() != '/') {
    const std::size_t scheme_end = target.find("://");
    if (scheme_end != std::string_view::npos) {
      const std::size_t path_start = target.find('/', scheme_end + 3);
      target =
          path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    }
  }
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  request.query =
      question == std::string_view::npos ? "" : std::string(target.substr(question + 1));
  if (request.path.empty()) request.path.push_back('/');
}

http::Response text(unsigned status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.set("Content-Type", "text/plain; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http::Response labelled(std::string_view route, http::Response response) {
  response.route = route;
  return response;
}

bool method_matches(std::string_view route_method, std::string_view method) {
  return route_method == method || (route_method == "GET" && method == "HEAD");
}

}  // namespace

Application::Application(const Config& config, view::TemplateEngine& views, store::Store& store,
                         store::StoreMonitor& monitor, WorkerPool& pool, Metrics& metrics)
    : config_(config),
      write_limiter_(std::make_unique<WriteRateLimiter>(
          WriteRate{.per_second = config.write_rate,
                    .burst = static_cast<double>(config.write_burst),
                    .max_clients = config.write_rate_clients})),
      guestbook_counters_(std::make_unique<GuestbookCounters>()),
      services_{config, views,   store,           monitor,
                pool,   nullptr, *write_limiter_, *guestbook_counters_},
      monitor_(monitor),
      metrics_(metrics),
      encoded_(std::make_unique<http::EncodedCache>(config.compression_cache)) {
  if (config.production()) {
    rendered_pages_ = std::make_unique<RenderedPages>(views, config.page_cache);
    services_.rendered_pages = rendered_pages_.get();
    static_lookups_ = std::make_unique<http::StaticLookupCache>(config.static_cache_validity);
  }
  metrics_.watch_guestbook(guestbook_counters_.get());
}

Application::~Application() = default;

void Application::request_started() const {
  metrics_.request_started();
}

void Application::request_finished(std::string_view route, unsigned status, std::string_view method,
                                   std::chrono::nanoseconds duration) const {
  metrics_.request_finished(route, method, status, duration);
}

void Application::answer_replayed() const {
  metrics_.answer_replayed();
}

bool Application::access_logged(std::string_view route) const {
  // The orchestrator's and the monitoring's probes come every few seconds per replica: noise in
  // the access log and in Logstash unless asked for (LOG_PROBES).
  const bool probe = route == "healthz" || route == "readyz" || route == "metrics";
  return !probe || config_.log_probes;
}

void Application::stop_background_work() {
  services_.pool.stop();
  monitor_.stop();
}

Answer Application::handle(http::Request request, std::string_view peer_address) const {
  auto shared = std::make_shared<http::Request>(std::move(request));
  http::apply_trust_proxy(*shared, peer_address);
  split_target(*shared);

  // Every answer, now or from the worker pool later, leaves through finish().
  auto slot = std::make_shared<AnswerSlot>();
  const Reply reply = [this, shared, slot](http::Response response) {
    finish(*shared, response);
    slot->deliver(std::move(response));
  };
  try {
    route_root(shared, reply);
  } catch (const view::TemplateUnavailable& error) {
    log::emit(log::Event(log::Level::warn, fmt::format("render unavailable: {}", error.what()),
                         {{"http.request.id", shared->id}, {"url.path", shared->path}}));
    reply(template_unavailable(*shared));
  } catch (const view::TemplateError& error) {
    log::emit(log::Event(log::Level::error, fmt::format("render error: {}", error.what()),
                         {{"http.request.id", shared->id},
                          {"url.path", shared->path},
                          {"error.type", std::string("TemplateError")}}));
    reply(http::error_response(*shared, 500, "render_failed", "Internal Server Error"));
  } catch (const std::exception& error) {
    // The seed's handleExceptions / exitOnError = false: log with detail and keep serving.
    log::emit(log::Event(log::Level::error, fmt::format("unhandled error: {}", error.what()),
                         {{"http.request.id", shared->id},
                          {"url.path", shared->path},
                          {"error.type", std::string("exception")}}));
    reply(http::error_response(*shared, 500, "internal_error", "Internal Server Error"));
  }
  if (auto now = slot->take()) return std::move(*now);
  return slot;
}

http::Response Application::protocol_error(unsigned status, std::string_view code,
                                           std::string_view message,
                                           const http::Request* head) const {
  http::Request known;
  if (head) {
    known.method = head->method;
    known.target = head->target;
    known.headers = head->headers;
    split_target(known);
    known.app_path = match_mount(config_.mount, known.path).value_or("");
  }
  http::Response response = http::error_response(known, status, code, message);
  response.route = "protocol_error";
  finish(known, response);
  return response;
}

/// The outer server: orchestrator endpoints, then the mounted app.
void Application::route_root(const RequestPtr& request, const Reply& reply) const {
  const bool read = request->method == "GET" || request->method == "HEAD";
  if (read && request->path == "/healthz") return reply(labelled("healthz", text(200, "ok\n")));
  if (read && request->path == "/readyz") {
    if (draining()) return reply(labelled("readyz", text(503, "draining\n")));
    if (!services_.monitor.reachable())
      return reply(labelled("readyz", text(503, "database unreachable\n")));
    // Reads still work, but this replica cannot store an entry: send writers elsewhere.
    if (services_.monitor.storage_full())
      return reply(labelled("readyz", text(503, "storage full\n")));
    return reply(labelled("readyz", text(200, "ready\n")));
  }
  if (read && request->path == "/metrics") {
    http::Response response = text(200, metrics_.render());
    response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return reply(labelled("metrics", std::move(response)));
  }
  auto app_path = match_mount(config_.mount, request->path);
  if (!app_path) return reply(labelled("not_found", http::not_found(*request)));
  request->app_path = std::move(*app_path);
  route_app(request, reply);
}

/// The mounted app: static files, body parsers, then the routes.
void Application::route_app(const RequestPtr& request, const Reply& reply) const {
  if (auto below_public = match_mount("/public", request->app_path)) {
    std::string relative_target = std::move(*below_public);
    if (!request->query.empty()) relative_target += "?" + request->query;
    auto file = http::serve_static(*request, relative_target, request->path,
                                   {.root = config_.public_dir, .lookups = static_lookups_.get()});
    if (file) return reply(labelled("static", std::move(*file)));
  }

  if (http::has_body(*request)) {
    try {
      const unsigned kinds = static_cast<unsigned>(http::BodyKind::urlencoded) |
                             static_cast<unsigned>(http::BodyKind::json);
      request->parsed_body =
          http::parse_body(*request, kinds, {.limit = config_.body_limit, .qs = {}});
    } catch (const http::BodyError& error) {
      return reply(labelled(
          "body_error", http::error_response(*request, error.status, error.type, error.what())));
    }
  }
  route_controllers(request, reply);
}

/// Express's router: the first route whose path and method match; OPTIONS lists the methods.
void Application::route_controllers(const RequestPtr& request, const Reply& reply) const {
  std::string allowed;
  for (const Route& route : routes()) {
    auto params = match_route(route.pattern, request->app_path);
    if (!params) continue;
    if (method_matches(route.method, request->method)) {
      request->params = std::move(*params);
      const std::string_view label = route.pattern;
      return route.handler(services_, request, [reply, label](http::Response response) {
        response.route = label;
        reply(std::move(response));
      });
    }
    const std::string methods = route.method == "GET" ? "GET,HEAD" : std::string(route.method);
    if (allowed.find(methods) == std::string::npos)
      allowed += (allowed.empty() ? "" : ",") + methods;
  }
  if (request->method == "OPTIONS" && !allowed.empty()) {
    http::Response response;
    response.headers.set("Allow", allowed);
    response.headers.set("Content-Type", "text/html; charset=utf-8");
    response.body = allowed;
    http::apply_send_semantics(*request, response);
    return reply(labelled("options", std::move(response)));
  }
  reply(labelled("not_found", http::not_found(*request)));
}

/// What every response gets on its way out: helmet's headers, then compression. (Whatever is
/// added here must keep a replayable answer the same for every request that shares its method,
/// target and Accept-Encoding: see http::Response::replayable.)
void Application::finish(const http::Request& request, http::Response& response) const {
  http::apply_security_headers(response);
  http::compress_response(request, response,
                          {.threshold = config_.compression_threshold, .cache = encoded_.get()});
}

}  // namespace cppapp::app
