#pragma once
// The template engine's errors: syntax errors, render errors, missing templates (TemplateError);
// and a template file that exists but cannot be read for want of descriptors or memory
// (TemplateUnavailable: the server's passing state, answered 503, not the template's fault).
#include <stdexcept>
#include <string>

namespace cppapp::view {

/// A template syntax or render error; what() is "file:line:column: message" (1-based line/column).
struct TemplateError : std::runtime_error {
  TemplateError(std::string file, int line, int column, const std::string& message);
  std::string file;
  int line;
  int column;
};

struct TemplateUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace cppapp::view
