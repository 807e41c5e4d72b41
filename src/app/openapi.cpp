#include "app/openapi.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace cppapp::app {

namespace {

/// docs/openapi.json as it was when cppapp was configured (CMakeLists.txt writes the .inc).
constexpr std::string_view kDocument =
#include "openapi.json.inc"
    ;

/// The document names the default mount as its server; a client built from what this service
/// serves must call this service's mount.
std::string document_for(std::string_view mount) {
  boost::json::value document = boost::json::parse(kDocument);
  boost::json::array& servers = document.at("servers").as_array();
  if (servers.size() == 1 && servers[0].at("url").as_string() == mount)
    return std::string(kDocument);
  servers = boost::json::array{boost::json::object{
      {"url", mount}, {"description", "the mount path this service runs under"}}};
  return boost::json::serialize(document);
}

}  // namespace

void api_openapi(const Services& services, const RequestPtr&, const Reply& reply) {
  http::Response response;
  response.status = 200;
  response.body = document_for(services.config.mount);
  response.headers.set("Content-Type", "application/json; charset=utf-8");
  reply(std::move(response));
}

}  // namespace cppapp::app
