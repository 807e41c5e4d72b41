#pragma once
// A Nunjucks-compatible template engine (nunjucks 3.2.4 with autoescape on, as express-nunjucks
// configures it): templates are parsed once into trees, cached, and rendered concurrently.
#include "view/template_error.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace cppapp::view {

struct EngineOptions {
  std::filesystem::path
      views_dir;  ///< root of template names (nunjucks FileSystemLoader search path)
  bool reload_on_change =
      false;  ///< development: a changed file is re-parsed on the next render (check mtime+size)
};

class TemplateEngine {
 public:
  explicit TemplateEngine(EngineOptions options);
  ~TemplateEngine();
  TemplateEngine(TemplateEngine&&) noexcept;
  TemplateEngine& operator=(TemplateEngine&&) noexcept;

  /// A global visible to every template (the seed's app.locals.prod -> "prod").
  void set_global(std::string name, boost::json::value value);
  /// Parses every file under views_dir once (production start-up); throws the first TemplateError.
  void compile_all();
  /// Renders template `name` (relative to views_dir, e.g. "index.html") with `context`.
  /// Thread-safe: called concurrently from several threads. Throws TemplateError on syntax/render
  /// error or missing template.
  std::string render(std::string_view name, const boost::json::object& context) const;
  /// Renders template source text directly (name is used in errors and for relative includes).
  std::string render_string(std::string_view source, const boost::json::object& context,
                            std::string_view name = "(string)") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cppapp::view
