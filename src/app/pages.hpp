// Rendering a page: template → minified HTML → response with Express's send semantics.
#pragma once

#include <boost/json/object.hpp>
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

/// Pages whose context never changes (the index), rendered and minified once with their ETag.
/// Only for production, where templates are compiled once and never change.
class StaticPages {
 public:
  explicit StaticPages(const view::TemplateEngine& views) : views_(views) {}
  /// The page as render_page would answer it, from memory after the first time.
  http::Response answer(const http::Request& request, std::string_view name);

 private:
  struct Page {
    std::string body;
    std::string etag;
  };
  const view::TemplateEngine& views_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Page>, std::less<>> pages_;
};

}  // namespace cppapp::app
