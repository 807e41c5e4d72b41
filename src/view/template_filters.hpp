#pragma once
// nunjucks 3.2.4's built-in filters and `is` tests, with their JavaScript quirks.
#include "view/template_value.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cppapp::view::tpl {

/// Keyword arguments of a call, in source order.
using KeywordArgs = std::vector<std::pair<std::string, Value>>;

/// Applies filter `name` to args[0] with the rest as arguments; nullopt if no such filter.
/// Throws std::runtime_error for a filter failing at render time.
std::optional<Value> apply_filter(const std::string& name, std::vector<Value> args,
                                  const KeywordArgs& kwargs);
/// Runs test `name` (`x is name(args)`); nullopt if no such test.
std::optional<bool> apply_test(const std::string& name, const std::vector<Value>& args);
/// The `range(start, stop, step)` global (bounded in size).
Value builtin_range(const std::vector<Value>& args);

}  // namespace cppapp::view::tpl
