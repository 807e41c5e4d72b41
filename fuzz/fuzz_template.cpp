// Fuzz target: the template engine on any source text: lexer and parser, then the renderer over
// a context shaped like the guestbook page's (entries holding markup that autoescape must
// neutralise). TemplateError is the documented answer to a bad template.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "view/template_engine.hpp"
#include "view/template_error.hpp"

namespace {

const cppapp::view::TemplateEngine& engine() {
  static const cppapp::view::TemplateEngine instance = [] {
    // The real views: {% include %} / {% extends %} of "layout.html" etc. reach real files.
    cppapp::view::TemplateEngine views({.views_dir = CPPAPP_SOURCE_DIR "/views"});
    views.set_global("prod", false);
    views.set_global("base", "/app1");
    return views;
  }();
  return instance;
}

const boost::json::object& context() {
  static const boost::json::object instance = [] {
    boost::json::object object;
    boost::json::array entries;
    entries.push_back(boost::json::object{{"name", "<script>alert(1)</script>"},
                                          {"message", "<img src=x onerror=alert(1)>\n\"'&"},
                                          {"created_at", "2026-11-29T15:46:36.123Z"}});
    entries.push_back(boost::json::object{{"name", "ok"}, {"message", "plain"}});
    object["entries"] = std::move(entries);
    object["errors"] = boost::json::object{{"name", "too long"}};
    object["title"] = "Guestbook";
    object["count"] = 3;
    object["ratio"] = 0.5;
    object["flag"] = true;
    object["nothing"] = nullptr;
    return object;
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  try {
    (void)engine().render_string(source, context(), "fuzz.html");
  } catch (const cppapp::view::TemplateError&) {
  }
  return 0;
}
