#include "app/pages.hpp"

#include <boost/json/serialize.hpp>

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

http::Response RenderedPages::answer(const http::Request& request, std::string_view name,
                                     const boost::json::object& context, unsigned status) {
  std::string key(name);
  key += '\n';
  key += boost::json::serialize(context);  // starts with '{': never equal to a data key below
  return answer_for_key(
      request, name, std::move(key), [&context] { return context; }, status);
}

http::Response RenderedPages::answer(const http::Request& request, std::string_view name,
                                     std::string_view data_key,
                                     const std::function<boost::json::object()>& context,
                                     unsigned status) {
  std::string key(name);
  key += "\n#";
  key += data_key;
  return answer_for_key(request, name, std::move(key), context, status);
}

http::Response RenderedPages::answer_for_key(const http::Request& request, std::string_view name,
                                             std::string key,
                                             const std::function<boost::json::object()>& context,
                                             unsigned status) {
  std::shared_ptr<const Page> page;
  {
    std::lock_guard lock(mutex_);
    if (auto found = pages_.find(key); found != pages_.end()) page = found->second;
  }
  if (!page) {
    // Rendered outside the lock; two threads may both render a page the first time: same bytes.
    auto fresh = std::make_shared<Page>();
    fresh->body = view::minify_html(views_.render(name, context()));
    fresh->etag = http::entity_tag_for_body(fresh->body);
    page = fresh;
    const std::size_t size = key.size() + fresh->body.size();
    std::lock_guard lock(mutex_);
    if (size <= max_bytes_ && !pages_.contains(key)) {
      while (bytes_ + size > max_bytes_ && !insertion_order_.empty()) {
        const auto oldest = pages_.find(insertion_order_.front());
        bytes_ -= oldest->first.size() + oldest->second->body.size();
        pages_.erase(oldest);
        insertion_order_.pop_front();
      }
      bytes_ += size;
      insertion_order_.push_back(key);
      pages_.emplace(std::move(key), std::move(fresh));
    }
  }
  http::Response response;
  response.status = status;
  response.body = page->body;
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  response.headers.set("ETag", page->etag);
  http::apply_send_semantics(request, response);
  return response;
}

http::Response render_page(const view::TemplateEngine& views, RenderedPages* cache,
                           const http::Request& request, std::string_view name,
                           const boost::json::object& context, unsigned status) {
  return cache ? cache->answer(request, name, context, status)
               : render_page(views, request, name, context, status);
}

http::Response render_page(const view::TemplateEngine& views, RenderedPages* cache,
                           const http::Request& request, std::string_view name,
                           std::string_view data_key,
                           const std::function<boost::json::object()>& context, unsigned status) {
  return cache ? cache->answer(request, name, data_key, context, status)
               : render_page(views, request, name, context(), status);
}

}  // namespace cppapp::app
