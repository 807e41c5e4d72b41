// Rendering a page: template → minified HTML → response with Express's send semantics.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::view {
class TemplateEngine;
}

namespace cppapp::app {

/// res.render with express-minify-html: renders `name`, minifies it with the seed's options and
/// answers text/html with an ETag (304 when fresh). Throws view::TemplateError on a broken template.
http::Response render_page(const view::TemplateEngine& views, const http::Request& request,
                           std::string_view name, const boost::json::object& context,
                           unsigned status = 200);

}  // namespace cppapp::app
