// GET <mount>/api/openapi.json: the API's contract (docs/openapi.yaml, compiled in as
// docs/openapi.json), so a client or an API fuzzer can read it from the running service.
#pragma once

#include "app/controllers.hpp"

namespace cppapp::app {

void api_openapi(const Services& services, const RequestPtr& request, const Reply& reply);

}  // namespace cppapp::app
