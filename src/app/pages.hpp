// Rendering a page: template → minified HTML → response with Express's send semantics.
#pragma once

#include <boost/json/object.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::view {
class TemplateEngine;
}

namespace cppapp::app {

/// res.render with express-minify-html: renders `name`, minifies it with the seed's options and
/// answers text/html with an ETag (304 when fresh). Throws view::TemplateError on a broken
/// template.
http::Response render_page(const view::TemplateEngine& views, const http::Request& request,
                           std::string_view name, const boost::json::object& context,
                           unsigned status = 200);

/// Rendered pages kept by template and context: the same data renders to the same bytes, so in
/// production (templates compiled once) a page is rendered and minified once per distinct
/// context — the index once, the guestbook once per set of entries shown.
class RenderedPages {
 public:
  /// Keeps at most `max_bytes` of pages; the oldest go first.
  RenderedPages(const view::TemplateEngine& views, std::size_t max_bytes)
      : views_(views), max_bytes_(max_bytes) {}
  /// The page as render_page would answer it, from memory when this context was seen before.
  http::Response answer(const http::Request& request, std::string_view name,
                        const boost::json::object& context, unsigned status = 200);

  /// The same for a caller that names its data more cheaply than by serialising the context:
  /// `data_key` must differ whenever the context would (say, every field of every entry shown);
  /// `context` is built only when the page is not in memory.
  http::Response answer(const http::Request& request, std::string_view name,
                        std::string_view data_key,
                        const std::function<boost::json::object()>& context, unsigned status = 200);

 private:
  http::Response answer_for_key(const http::Request& request, std::string_view name,
                                std::string key,
                                const std::function<boost::json::object()>& context,
                                unsigned status);

  struct Page {
    std::string body;
    std::string etag;
  };
  const view::TemplateEngine& views_;
  const std::size_t max_bytes_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Page>, std::less<>> pages_;
  std::deque<std::string> insertion_order_;
  std::size_t bytes_ = 0;
};

/// render_page through `cache` when there is one (production), else rendered now.
http::Response render_page(const view::TemplateEngine& views, RenderedPages* cache,
                           const http::Request& request, std::string_view name,
                           const boost::json::object& context, unsigned status = 200);

/// The same with RenderedPages' cheaper key (see there); the context is built only when needed.
http::Response render_page(const view::TemplateEngine& views, RenderedPages* cache,
                           const http::Request& request, std::string_view name,
                           std::string_view data_key,
                           const std::function<boost::json::object()>& context,
                           unsigned status = 200);

}  // namespace cppapp::app
