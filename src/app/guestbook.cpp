#include "app/guestbook.hpp"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <map>

#include "app/guestbook_counters.hpp"
#include "app/pages.hpp"
#include "app/store_work.hpp"
#include "app/write_rate_limit.hpp"
#include "http/body_parser.hpp"
#include "http/error_page.hpp"
#include "http/etag.hpp"
#include "http/send.hpp"
#include "http/urlencoded.hpp"
#include "log/event.hpp"
#include "store/entry_validation.hpp"
#include "store/store.hpp"
#include "store/store_monitor.hpp"

namespace cppapp::app {

namespace json = boost::json;

namespace {

constexpr std::size_t kPageSize = 20;
constexpr std::size_t kMaxApiLimit = 100;

// Built by emplace and move: an initializer list would copy every value once more.
json::object entry_json(const store::Entry& entry, json::storage_ptr storage = {}) {
  json::object object(std::move(storage));
  object.reserve(4);
  object.emplace("id", entry.id);
  object.emplace("name", entry.name);
  object.emplace("message", entry.message);
  object.emplace("createdAt", log::iso8601_utc(entry.created_at_ms));
  return object;
}

json::array entries_json(const store::Page& page, const json::storage_ptr& storage = {}) {
  json::array entries(storage);
  entries.reserve(page.entries.size());
  for (const auto& entry : page.entries) entries.emplace_back(entry_json(entry, storage));
  return entries;
}

/// A string query parameter (qs semantics, like Express's req.query); nullopt when absent or not
/// a plain string.
std::optional<std::string> query_string(const http::Request& request, std::string_view name) {
  try {
    const json::object query = http::parse_urlencoded(request.query);
    if (const auto* value = query.if_contains(name); value && value->is_string()) {
      return std::string(value->as_string());
    }
  } catch (const http::BodyError&) {
  }
  return std::nullopt;
}

/// The submitted fields as strings, to put back into the form (never anything else).
json::object form_values(const json::value& body) {
  json::object form{{"name", ""}, {"message", ""}};
  if (!body.is_object()) return form;
  for (const char* key : {"name", "message"}) {
    if (const auto* value = body.as_object().if_contains(key); value && value->is_string()) {
      form[key] = value->as_string();
    }
  }
  return form;
}

json::object errors_json(const std::map<std::string, std::string>& errors) {
  json::object out;
  for (const auto& [field, message] : errors) out[field] = message;
  return out;
}

/// Every field the guestbook page shows, each length-prefixed so no two different pages give the
/// same text: the rendered-page key, much cheaper than the context's JSON (entries can change in
/// the database behind our back, so their text is part of it, not just their ids).
std::string guestbook_data_key(const store::Page& page, const json::object& form,
                               const json::object& errors, std::string_view notice) {
  std::string key;
  key.reserve(64 + page.entries.size() * 128);
  const auto raw = [&key](const auto& value) {
    key.append(reinterpret_cast<const char*>(&value), sizeof value);
  };
  const auto field = [&](std::string_view text) {
    raw(text.size());
    key += text;
  };
  for (const auto& entry : page.entries) {
    field(entry.id);
    field(entry.name);
    field(entry.message);
    raw(entry.created_at_ms);
  }
  field(page.older_cursor.value_or(""));
  key += page.older_cursor ? '+' : '-';
  field(json::serialize(form));
  field(json::serialize(errors));
  field(notice);
  return key;
}

/// The guestbook page: entries, the form (with what the user typed), messages.
http::Response render_guestbook(const Services& services, const http::Request& request,
                                const store::Page& page, json::object form, json::object errors,
                                std::string_view notice, unsigned status) {
  const std::string data_key = guestbook_data_key(page, form, errors, notice);
  const auto context = [&]() {
    json::object context{
        {"base", services.config.mount}, {"form", form}, {"errors", errors}, {"notice", notice}};
    context.emplace("entries", entries_json(page));
    if (page.older_cursor) context["older"] = *page.older_cursor;
    return context;
  };
  return render_page(services.views, services.rendered_pages, request, "guestbook.html", data_key,
                     context, status);
}

/// A JSON answer from its text, with its ETag when known (else send semantics make it).
http::Response json_text_response(const http::Request& request, unsigned status, std::string body,
                                  std::string_view etag = {}) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.set("Content-Type", "application/json; charset=utf-8");
  if (!etag.empty()) response.headers.set("ETag", etag);
  http::apply_send_semantics(request, response);
  return response;
}

http::Response json_response(const http::Request& request, unsigned status,
                             const json::value& body) {
  return json_text_response(request, status, json::serialize(body));
}

http::Response validation_failed(unsigned status, std::string_view message,
                                 const std::map<std::string, std::string>& fields) {
  json::object error{
      {"code", "validation_failed"}, {"message", message}, {"fields", errors_json(fields)}};
  http::Response response;
  response.status = status;
  response.body = json::serialize(json::object{{"error", std::move(error)}});
  response.headers.set("Content-Type", "application/json; charset=utf-8");
  return response;
}

/// Absolute URL of a path under the mount, from the scheme and host the proxy forwarded.
std::string absolute_url(const Services& services, const http::Request& request,
                         std::string_view path) {
  const std::string local = services.config.mount + std::string(path);
  if (request.host.empty()) return local;
  return request.protocol + "://" + request.host + local;
}

RefusalAnswer json_refusal(const RequestPtr& request) {
  return [request](const StoreRefusal& refusal) {
    return http::error_response(*request, refusal.status, refusal.code, refusal.message);
  };
}

/// Stores a validated entry (on a worker): refused past MAX_ENTRIES; counted; a success tells
/// the monitor the store has room.
store::Entry store_entry(const Services& services, const store::NewEntry& entry) {
  const std::uint64_t cap = services.config.max_entries;
  if (cap > 0 && services.store.count() >= cap) throw EntryCapReached(cap);
  store::Entry created = services.store.create(entry);
  services.monitor.note_write_succeeded();
  services.counters.stored.fetch_add(1, std::memory_order_relaxed);
  services.counters.stored_bytes.fetch_add(entry.name.size() + entry.message.size(),
                                           std::memory_order_relaxed);
  return created;
}

/// The per-client write budget (WRITE_RATE, WRITE_BURST): nullopt when this write may go
/// ahead, else the whole seconds to wait (counted as refused).
std::optional<long long> write_wait_seconds(const Services& services,
                                            const http::Request& request) {
  // Keyed by what the nearest proxy saw: a client rotating X-Forwarded-For entries of its own
  // (which trust proxy believes for client_ip) still draws on one budget.
  const auto wait = services.write_limiter.admit(request.nearest_client_ip);
  if (!wait) return std::nullopt;
  services.counters.rate_limited.fetch_add(1, std::memory_order_relaxed);
  return std::max<long long>(1, (wait->count() + 999) / 1000);
}

http::Response with_retry_after(http::Response response, long long seconds) {
  response.headers.set("Retry-After", std::to_string(seconds));
  return response;
}

std::string too_fast_message(long long seconds) {
  return "You are adding entries too fast: please wait " + std::to_string(seconds) +
         (seconds == 1 ? " second" : " seconds") + " and try again.";
}

/// The API's listing of a page, {"entries":[…],"older":ID|null}, and its ETag.
struct ListingJson {
  std::weak_ptr<const store::Page> page;  ///< what it was made from (empty: nothing yet)
  std::string body;
  std::string etag;
};

/// The listing of `page`. A page the store keeps is the same object on every read until the
/// next write (run_store_read), so each thread keeps the last listing it made and gives it again
/// for the same page: the JSON and its hash are made once per page and thread, not per request.
/// (A weak_ptr keeps its page's control block alive: no later page can share its identity.)
const ListingJson& listing_json(const PagePtr& page) {
  thread_local ListingJson last;
  const bool same_page =
      !last.page.expired() && !last.page.owner_before(page) && !page.owner_before(last.page);
  if (same_page) return last;
  // One arena for the whole document, freed at once.
  json::monotonic_resource arena(16 * 1024);
  const json::storage_ptr storage(&arena);
  json::object fields(storage);
  fields.reserve(2);
  fields.emplace("entries", entries_json(*page, storage));
  fields.emplace("older", nullptr);
  if (page->older_cursor) fields["older"] = *page->older_cursor;
  last.body = json::serialize(fields);
  last.etag = http::entity_tag_for_body(last.body);
  last.page = page;
  return last;
}

}  // namespace

void guestbook_page(const Services& services, const RequestPtr& request, const Reply& reply) {
  const std::optional<std::string> before = query_string(*request, "before");
  if (before && !store::is_valid_id(*before)) {
    reply(http::error_response(
        *request, 400, "bad_cursor",
        "Bad Request: 'before' must be an entry id (24 hexadecimal characters)"));
    return;
  }
  run_store_read(
      services, request, reply, kPageSize, before,
      [&services, request](const PagePtr& page) {
        return render_guestbook(services, *request, *page, form_values({}), {}, "", 200);
      },
      [&services, request](const StoreRefusal& refusal) {
        return render_guestbook(services, *request, {}, form_values({}), {}, refusal.message,
                                refusal.status);
      });
}

void guestbook_post(const Services& services, const RequestPtr& request, const Reply& reply) {
  store::ValidationResult checked = store::validate_entry(request->parsed_body);
  json::object form = form_values(request->parsed_body);
  // What the user typed survives every failure: it is rendered back into the form.
  auto keep_input = [&services, request, form](const StoreRefusal& refusal) {
    return render_guestbook(services, *request, {}, form, {}, refusal.message, refusal.status);
  };
  if (!checked.entry) {
    json::object errors = errors_json(checked.field_errors);
    run_store_read(
        services, request, reply, kPageSize, std::nullopt,
        [&services, request, form, errors](const PagePtr& page) {
          return render_guestbook(services, *request, *page, form, errors, "", 400);
        },
        keep_input);
    return;
  }
  if (const auto wait = write_wait_seconds(services, *request)) {
    // The page as it is, with what was typed and when to send it again.
    run_store_read(
        services, request, reply, kPageSize, std::nullopt,
        [&services, request, form, seconds = *wait](const PagePtr& page) {
          return with_retry_after(
              render_guestbook(services, *request, *page, form, {}, too_fast_message(seconds), 429),
              seconds);
        },
        keep_input);
    return;
  }
  run_store_work(
      services, request, reply,
      [&services, request, entry = std::move(*checked.entry)] {
        store_entry(services, entry);
        http::Response response;
        response.status = 303;
        response.headers.set("Location", absolute_url(services, *request, "/guestbook"));
        response.headers.set("Content-Type", "text/plain; charset=utf-8");
        response.body = "See Other. Redirecting to " + services.config.mount + "/guestbook";
        return response;
      },
      keep_input);
}

void api_list_entries(const Services& services, const RequestPtr& request, const Reply& reply) {
  std::map<std::string, std::string> problems;
  std::size_t limit = kPageSize;
  if (const auto text = query_string(*request, "limit")) {
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc{} || end != text->data() + text->size() || limit < 1 ||
        limit > kMaxApiLimit) {
      problems["limit"] = "limit must be a whole number from 1 to 100.";
    }
  }
  const std::optional<std::string> before = query_string(*request, "before");
  if (before && !store::is_valid_id(*before))
    problems["before"] = "before must be an entry id (24 hexadecimal characters).";
  if (!problems.empty()) {
    reply(validation_failed(400, "The query parameters are invalid.", problems));
    return;
  }
  run_store_read(
      services, request, reply, limit, before,
      [request](const PagePtr& page) {
        const ListingJson& listing = listing_json(page);
        return json_text_response(*request, 200, listing.body, listing.etag);
      },
      json_refusal(request));
}

void api_create_entry(const Services& services, const RequestPtr& request, const Reply& reply) {
  const std::string_view content_type = request->headers.value_or_empty("Content-Type");
  if (content_type.substr(0, content_type.find(';')).find("json") == std::string_view::npos) {
    reply(http::error_response(*request, 415, "unsupported_media_type",
                               "Send the entry as JSON with Content-Type: application/json"));
    return;
  }
  store::ValidationResult checked = store::validate_entry(request->parsed_body);
  if (!checked.entry) {
    reply(validation_failed(422, "The entry is invalid.", checked.field_errors));
    return;
  }
  if (const auto wait = write_wait_seconds(services, *request)) {
    reply(with_retry_after(
        http::error_response(*request, 429, "rate_limited", too_fast_message(*wait)), *wait));
    return;
  }
  run_store_work(
      services, request, reply,
      [&services, request, entry = std::move(*checked.entry)] {
        const store::Entry created = store_entry(services, entry);
        http::Response response = json_response(*request, 201, entry_json(created));
        response.headers.set("Location", services.config.mount + "/api/entries/" + created.id);
        return response;
      },
      json_refusal(request));
}

void api_get_entry(const Services& services, const RequestPtr& request, const Reply& reply) {
  const std::string id = request->params.empty() ? "" : request->params.front().second;
  auto not_found = [request] {
    return http::error_response(*request, 404, "not_found", "No entry has this id.");
  };
  if (!store::is_valid_id(id)) {
    reply(not_found());
    return;
  }
  run_store_work(
      services, request, reply,
      [&services, request, id, not_found] {
        const auto entry = services.store.get(id);
        return entry ? json_response(*request, 200, entry_json(*entry)) : not_found();
      },
      json_refusal(request));
}

}  // namespace cppapp::app
