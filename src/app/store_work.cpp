#include "app/store_work.hpp"

#include "app/guestbook_counters.hpp"
#include "app/worker_pool.hpp"
#include "http/error_page.hpp"
#include "log/logger.hpp"
#include "log/repeat_limiter.hpp"
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
constexpr std::string_view kStorageFull =
    "The guestbook's storage is full, so your entry was not saved. Please try again later.";

/// Logs a failure; a kind that repeats (every write on a full disk) at most once per few
/// seconds, the next line counting the ones held back.
void log_failure(log::RepeatLimiter& limiter, const http::Request& request, std::string_view what,
                 std::string_view detail) {
  const auto repeated = limiter.admit();
  if (!repeated) return;
  log::emit(log::Event(log::Level::error, fmt::format("{}: {}{}", what, detail, *repeated),
                       {{"http.request.id", request.id}, {"url.path", request.path}}));
}

log::RepeatLimiter unavailable_lines, full_lines, cap_lines, failed_lines, render_lines,
    other_lines, recovery_lines;

http::Response with_retry_after(http::Response response) {
  response.headers.set("Retry-After", "1");
  return response;
}

}  // namespace

http::Response template_unavailable(const http::Request& request) {
  return with_retry_after(http::error_response(request, 503, "unavailable",
                                               "Service Unavailable: the server is short of file "
                                               "descriptors or memory; try again shortly."));
}

namespace {

StoreRefusal unavailable(std::string_view message) {
  return {503, "database_unavailable", message};
}

/// After a call that worked: the failures of a condition now over that no line reported yet (a
/// full disk's refusals after the last line) are said, so the log's count is whole; at most one
/// such line per few seconds (a flapping database would otherwise make one per request).
void report_recovery(const Services& services, const http::Request& request) {
  for (auto [limiter, what] : {std::pair{&unavailable_lines, "database calls failed"},
                               std::pair{&full_lines, "writes refused, storage full"},
                               std::pair{&failed_lines, "database calls failed"}}) {
    if (limiter->held_back() == 0) continue;
    // Reads go on while the disk is full: that condition is over only once a write succeeds.
    if (limiter == &full_lines && services.monitor.storage_full()) continue;
    if (!recovery_lines.admit()) return;
    log::emit(log::Event(
        log::Level::info,
        fmt::format("the database answers again; {} more {} after the last line that said so",
                    limiter->take_held_back(), what),
        {{"http.request.id", request.id}}));
  }
}

StoreRefusal storage_full() {
  return {507, "storage_full", kStorageFull};
}

}  // namespace

EntryCapReached::EntryCapReached(std::uint64_t cap)
    : std::runtime_error("the guestbook holds " + std::to_string(cap) +
                         " entries (MAX_ENTRIES); new ones are refused"),
      cap(cap) {}

namespace {

/// Runs `work` and replies with its response, or with the refusal or error page its failure
/// calls for (see run_store_work). `asked_database`: the work called the store, so a success
/// also says the database answers again.
void answer_from_work(const Services& services, const RequestPtr& request, const Reply& reply,
                      const std::function<http::Response()>& work, const RefusalAnswer& refused,
                      bool asked_database) {
  try {
    http::Response response = work();
    if (asked_database) report_recovery(services, *request);
    reply(std::move(response));
  } catch (const store::StoreError& error) {
    switch (error.kind) {
      case store::StoreError::Kind::unavailable:
        log_failure(unavailable_lines, *request, "database call failed", error.what());
        reply(with_retry_after(refused(unavailable(kDatabaseAway))));
        break;
      case store::StoreError::Kind::full:
        services.monitor.note_storage_full();
        services.counters.storage_full.fetch_add(1, std::memory_order_relaxed);
        log_failure(full_lines, *request, "write refused, storage full", error.what());
        reply(refused(storage_full()));
        break;
      case store::StoreError::Kind::failed:
        log_failure(failed_lines, *request, "database call failed", error.what());
        reply(http::error_response(*request, 500, "database_error", "Internal Server Error"));
        break;
    }
  } catch (const EntryCapReached& error) {
    services.counters.storage_full.fetch_add(1, std::memory_order_relaxed);
    log_failure(cap_lines, *request, "write refused", error.what());
    reply(refused(
        {507, "storage_full",
         "The guestbook is full (it keeps a fixed number of entries), so your entry was not "
         "saved."}));
  } catch (const view::TemplateUnavailable& error) {
    log_failure(render_lines, *request, "render unavailable", error.what());
    reply(template_unavailable(*request));
  } catch (const view::TemplateError& error) {
    log_failure(render_lines, *request, "render error", error.what());
    reply(http::error_response(*request, 500, "render_failed", "Internal Server Error"));
  } catch (const std::exception& error) {
    log_failure(other_lines, *request, "unhandled error", error.what());
    reply(http::error_response(*request, 500, "internal_error", "Internal Server Error"));
  }
}

}  // namespace

void run_store_work(const Services& services, const RequestPtr& request, const Reply& reply,
                    std::function<http::Response()> work, RefusalAnswer refused) {
  if (services.monitor.known_down()) {
    reply(with_retry_after(refused(unavailable(kDatabaseAway))));
    return;
  }
  auto job = [&services, request, reply, work = std::move(work), refused]() {
    answer_from_work(services, request, reply, work, refused, /*asked_database=*/true);
  };
  if (!services.pool.try_submit(std::move(job))) {
    reply(with_retry_after(refused(unavailable(kBusy))));
  }
}

void run_store_read(const Services& services, const RequestPtr& request, const Reply& reply,
                    std::size_t limit, std::optional<std::string> before,
                    std::function<http::Response(const PagePtr& page)> work,
                    RefusalAnswer refused) {
  // Known down: refused as every database call is, though the page may be in memory.
  if (!services.monitor.known_down()) {
    if (const auto page = services.store.current_page(limit, before)) {
      services.counters.reads_from_memory.fetch_add(1, std::memory_order_relaxed);
      answer_from_work(
          services, request, reply, [&work, &page] { return work(page); }, refused,
          /*asked_database=*/false);
      return;
    }
  }
  run_store_work(
      services, request, reply,
      [&services, limit, before = std::move(before), work = std::move(work)] {
        return work(std::make_shared<const store::Page>(services.store.list(limit, before)));
      },
      std::move(refused));
}

}  // namespace cppapp::app
