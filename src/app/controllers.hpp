// The app's routes, written without the mount prefix (the seed's controllers/index.js).
#pragma once

#include <span>
#include <string_view>

#include "app/config.hpp"
#include "http/message.hpp"

namespace cppapp::view {
class TemplateEngine;
}

namespace cppapp::app {

/// What a controller may use.
struct Services {
  const Config& config;
  const view::TemplateEngine& views;
};

struct Route {
  std::string_view method;   ///< "GET" also answers HEAD, as in Express
  std::string_view pattern;  ///< path-to-regexp style: "/", "/guestbook", "/api/entries/:id"
  http::Response (*handler)(const Services& services, http::Request& request);
};

/// Every route of the app, in the order Express would try them.
std::span<const Route> routes();

}  // namespace cppapp::app
