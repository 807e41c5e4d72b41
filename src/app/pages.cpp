#include "app/pages.hpp"

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

}  // namespace cppapp::app
