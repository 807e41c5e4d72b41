// How html-minifier 2.1.6 rewrites one attribute with the seed's options: value cleaning
// (class, URLs, numbers, style, srcset, meta viewport, script type, event handlers),
// removeEmptyAttributes, collapseBooleanAttributes and removeAttributeQuotes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "view/html_minifier_parser.hpp"

namespace cppapp::view::minify_detail {

/// An attribute after normalizeAttr: its (possibly lower-cased) name and cleaned value.
struct NormalizedAttribute {
  std::string name;
  std::optional<std::string> value;
};

/// normalizeAttr: cleans the value; nullopt when removeEmptyAttributes drops the attribute.
std::optional<NormalizedAttribute> normalize_attribute(const ParsedAttribute& attribute,
                                                       const std::vector<ParsedAttribute>& all,
                                                       const std::string& tag, bool case_sensitive);

/// buildAttr: the attribute as written, quotes removed when safe, booleans collapsed.
std::string build_attribute(const NormalizedAttribute& attribute, bool has_unary_slash,
                            bool is_last);

}  // namespace cppapp::view::minify_detail
