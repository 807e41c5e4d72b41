#pragma once
// Walks a parsed template with nunjucks 3.2.4's runtime semantics: frames and scoping,
// autoescaped output, template inheritance (extends/block/super) and include.
#include "view/template_ast.hpp"

#include <functional>
#include <memory>
#include <string>

namespace cppapp::view::tpl {

/// A parsed template and the names it is known by.
struct CompiledTemplate : std::enable_shared_from_this<CompiledTemplate> {
  std::string name;  ///< name shown in errors (relative to the views directory)
  std::string path;  ///< absolute path; relative names ("./x") resolve against its directory
  Program program;
};
using TemplatePtr = std::shared_ptr<const CompiledTemplate>;

/// Resolves `name` as referenced from `parent` (nullptr at top level); nullptr when missing.
/// Throws TemplateError when the found template does not parse.
using TemplateLoader =
    std::function<TemplatePtr(const std::string& name, const CompiledTemplate* parent)>;

/// Renders `tmpl` with `context` variables and `globals`. Throws TemplateError.
std::string render_template(const TemplatePtr& tmpl, ObjectPtr context, const Object& globals,
                            const TemplateLoader& loader);

}  // namespace cppapp::view::tpl
