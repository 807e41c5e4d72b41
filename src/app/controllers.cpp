#include "app/controllers.hpp"

#include "app/pages.hpp"

namespace cppapp::app {

namespace {

/// GET / — the seed's Hello World page.
http::Response index(const Services& services, http::Request& request) {
  return render_page(services.views, request, "index.html", {});
}

constexpr Route kRoutes[] = {
    {"GET", "/", index},
};

}  // namespace

std::span<const Route> routes() { return kRoutes; }

}  // namespace cppapp::app
