#pragma once
// The one error type of the template engine: syntax errors, render errors, missing templates.
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

}  // namespace cppapp::view
