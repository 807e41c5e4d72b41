#include "app/controllers.hpp"

#include "app/guestbook.hpp"
#include "app/openapi.hpp"
#include "app/pages.hpp"

namespace cppapp::app {

namespace {

/// GET / — the seed's Hello World page.
void index(const Services& services, const RequestPtr& request, const Reply& reply) {
  http::Response response =
      render_page(services.views, services.rendered_pages, *request, "index.html", {});
  // Production renders it once from templates compiled once: the same page for every request.
  response.replayable = services.rendered_pages != nullptr;
  reply(std::move(response));
}

constexpr Route kRoutes[] = {
    {"GET", "/", index},
    {"GET", "/guestbook", guestbook_page},
    {"POST", "/guestbook", guestbook_post},
    {"GET", "/api/entries", api_list_entries},
    {"POST", "/api/entries", api_create_entry},
    {"GET", "/api/entries/:id", api_get_entry},
    {"GET", "/api/openapi.json", api_openapi},
};

}  // namespace

std::span<const Route> routes() {
  return kRoutes;
}

}  // namespace cppapp::app
