#include "app/pages.hpp"

#include "http/etag.hpp"
#include "http/send.hpp"
#include "view/html_minifier.hpp"
#include "view/template_engine.hpp"

namespace cppapp::app {

http::Response render_page(const view::TemplateEngine& views, const http::Request& request,
                           std::string_view name, const boost::json::object& context,
                           unsigned status) {
  http::Response response;
  response.status = status;
  response.body = view::minify_html(views.render(name, context));
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  http::apply_send_semantics(request, response);
  return response;
}

http::Response StaticPages::answer(const http::Request& request, std::string_view name) {
  std::shared_ptr<const Page> page;
  {
    std::lock_guard lock(mutex_);
    if (auto found = pages_.find(name); found != pages_.end()) page = found->second;
  }
  if (!page) {
    // Rendered outside the lock; two threads may both render a page the first time, same bytes.
    auto fresh = std::make_shared<Page>();
    fresh->body = view::minify_html(views_.render(name, {}));
    fresh->etag = http::entity_tag_for_body(fresh->body);
    std::lock_guard lock(mutex_);
    page = pages_.emplace(std::string(name), std::move(fresh)).first->second;
  }
  http::Response response;
  response.body = page->body;
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  response.headers.set("ETag", page->etag);
  http::apply_send_semantics(request, response);
  return response;
}

}  // namespace cppapp::app
