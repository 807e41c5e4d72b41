#include "app/store_work.hpp"

#include "app/worker_pool.hpp"
#include "http/error_page.hpp"
#include "log/logger.hpp"
#include "store/store.hpp"
#include "store/store_monitor.hpp"
#include "view/template_engine.hpp"

namespace cppapp::app {

namespace {

constexpr std::string_view kDatabaseAway =
    "The guestbook's database cannot be reached right now. Nothing was lost: please try again in a "
    "moment.";
constexpr std::string_view kBusy =
    "The server is too busy to reach the database right now. Please try again in a moment.";

void log_failure(const http::Request& request, std::string_view what, std::string_view detail) {
  log::emit(log::Event(log::Level::error, fmt::format("{}: {}", what, detail),
                       {{"http.request.id", request.id}, {"url.path", request.path}}));
}

http::Response with_retry_after(http::Response response) {
  response.headers.set("Retry-After", "1");
  return response;
}

}  // namespace

void run_store_work(const Services& services, const RequestPtr& request, const Reply& reply,
                    std::function<http::Response()> work, UnavailableAnswer unavailable) {
  if (services.monitor.known_down()) {
    reply(with_retry_after(unavailable(kDatabaseAway)));
    return;
  }
  auto job = [request, reply, work = std::move(work), unavailable]() {
    try {
      reply(work());
    } catch (const store::StoreError& error) {
      log_failure(*request, "database call failed", error.what());
      if (error.kind == store::StoreError::Kind::unavailable) {
        reply(with_retry_after(unavailable(kDatabaseAway)));
      } else {
        reply(http::error_response(*request, 500, "database_error", "Internal Server Error"));
      }
    } catch (const view::TemplateError& error) {
      log_failure(*request, "render error", error.what());
      reply(http::error_response(*request, 500, "render_failed", "Internal Server Error"));
    } catch (const std::exception& error) {
      log_failure(*request, "unhandled error", error.what());
      reply(http::error_response(*request, 500, "internal_error", "Internal Server Error"));
    }
  };
  if (!services.pool.try_submit(std::move(job))) {
    reply(with_retry_after(unavailable(kBusy)));
  }
}

}  // namespace cppapp::app
