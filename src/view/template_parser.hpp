#pragma once
// Parser with nunjucks 3.2.4's grammar, precedence and accept/reject decisions.
#include "view/template_ast.hpp"

#include <string_view>

namespace cppapp::view::tpl {

/// Parses template `source`; `file` names it in errors. Throws cppapp::view::TemplateError.
Program parse_template(std::string_view source, const std::string& file);

}  // namespace cppapp::view::tpl
