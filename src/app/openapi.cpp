#include "app/openapi.hpp"

#include <string_view>

namespace cppapp::app {

namespace {

/// docs/openapi.json as it was when cppapp was configured (CMakeLists.txt writes the .inc).
constexpr std::string_view kDocument =
#include "openapi.json.inc"
    ;

}  // namespace

void api_openapi(const Services&, const RequestPtr&, const Reply& reply) {
  http::Response response;
  response.status = 200;
  response.body = std::string(kDocument);
  response.headers.set("Content-Type", "application/json; charset=utf-8");
  reply(std::move(response));
}

}  // namespace cppapp::app
