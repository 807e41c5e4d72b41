// The guestbook: a page with a form (POST-redirect-GET) and the same data as a JSON API.
#pragma once

#include "app/controllers.hpp"

namespace cppapp::app {

/// GET /guestbook?before=ID — the latest entries (20 a page) and the form.
void guestbook_page(const Services& services, const RequestPtr& request, const Reply& reply);
/// POST /guestbook (urlencoded) — stores, then 303 to the page; 400 re-renders the form.
void guestbook_post(const Services& services, const RequestPtr& request, const Reply& reply);
/// GET /api/entries?limit=&before= — {"entries":[…],"older":ID|null}.
void api_list_entries(const Services& services, const RequestPtr& request, const Reply& reply);
/// POST /api/entries (JSON) — 201 with Location and the entry; 422 with per-field messages.
void api_create_entry(const Services& services, const RequestPtr& request, const Reply& reply);
/// GET /api/entries/:id — the entry, or 404.
void api_get_entry(const Services& services, const RequestPtr& request, const Reply& reply);

}  // namespace cppapp::app
