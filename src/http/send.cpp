#include "http/send.hpp"

#include "http/etag.hpp"
#include "http/fresh.hpp"

namespace cppapp::http {

void apply_send_semantics(const Request& request, Response& response) {
  if (!response.file && !response.headers.has("ETag")) {
    response.headers.set("ETag", entity_tag_for_body(response.body));
  }
  // req.fresh only holds for GET/HEAD with a 2xx or 304 answer.
  const bool cacheable_method = request.method == "GET" || request.method == "HEAD";
  const bool cacheable_status =
      (response.status >= 200 && response.status < 300) || response.status == 304;
  if (cacheable_method && cacheable_status && is_fresh(request.headers, response.headers)) {
    response.status = 304;
    response.not_modified_type = response.headers.value_or_empty("Content-Type");
    response.headers.erase("Content-Type");
    response.headers.erase("Content-Length");
    response.headers.erase("Transfer-Encoding");
    response.body.clear();
    response.file.reset();
  }
}

}  // namespace cppapp::http
