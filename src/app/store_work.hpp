// Running a database call for a request: on the worker pool, never on an event loop, with a
// 503 when the database is away or the pool is full and a 507 when it has no room for a write.
// A read the store can answer from memory (store::Store::current_page) skips the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "app/controllers.hpp"
#include "store/store.hpp"

namespace cppapp::app {

/// Why database work could not be done, for the answer: the status (503, 507), the API's error
/// code and a sentence for the user.
struct StoreRefusal {
  unsigned status;
  std::string_view code;
  std::string_view message;
};

/// Builds the response for work that could not be done.
using RefusalAnswer = std::function<http::Response(const StoreRefusal& refusal)>;

/// Thrown by work that would store an entry past MAX_ENTRIES: answered 507 like a full disk,
/// but the store itself is fine (readiness does not change).
struct EntryCapReached : std::runtime_error {
  explicit EntryCapReached(std::uint64_t cap);
  std::uint64_t cap;
};

/// The answer when a page's template cannot be read for want of descriptors or memory
/// (view::TemplateUnavailable): 503 with Retry-After, the server's passing state.
http::Response template_unavailable(const http::Request& request);

/// Runs `work` on the worker pool and replies with its response. Replies `refused(…)` with 503
/// (and Retry-After) at once when the database is known to be down or the pool's queue is full,
/// and when the store reports it unreachable; with 507 when the store reports it has no room
/// (the monitor is told, so /readyz says so) or the work throws EntryCapReached; any other failure
/// answers 500. Errors are logged with the request id, each kind at most once per few seconds (with
/// a count of the rest).
void run_store_work(const Services& services, const RequestPtr& request, const Reply& reply,
                    std::function<http::Response()> work, RefusalAnswer refused);

/// A page of entries as the store handed it over: a page it keeps (current_page) is the same
/// object on every read until the next write, so what is made from it can be kept beside it.
using PagePtr = std::shared_ptr<const store::Page>;

/// run_store_work for work on one page of entries, `list(limit, before)`: done at once on the
/// calling event loop, with no database call and no worker, when the store holds that page as
/// current (store::Store::current_page: the embedded store, nothing written since); else the
/// page is read on a worker. Failures are answered as run_store_work answers them.
void run_store_read(const Services& services, const RequestPtr& request, const Reply& reply,
                    std::size_t limit, std::optional<std::string> before,
                    std::function<http::Response(const PagePtr& page)> work, RefusalAnswer refused);

}  // namespace cppapp::app
