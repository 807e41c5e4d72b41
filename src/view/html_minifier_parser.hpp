// A port of the tokenizer html-minifier 2.1.6 uses (its htmlparser.js, John Resig's parser as
// modified by kangax), with the options the seed passes (html5, no custom attribute syntax).
// It reports the same events in the same order, including its implicit end tags, so the
// minifier built on it makes the same decisions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppapp::view::minify_detail {

/// One attribute as the parser reads it; `value` is absent for `<input disabled>`-style names
/// (except the names the parser fills in, such as `checked`, which get their own name as value).
struct ParsedAttribute {
  std::string name;
  std::optional<std::string> value;
};

/// What the parser reports; the minifier implements it.
class HtmlEvents {
 public:
  virtual ~HtmlEvents() = default;
  /// A start tag (or an implied one for a stray `</p>`, then `auto_generated`).
  virtual void start(const std::string& tag, std::vector<ParsedAttribute>& attributes,
                     bool unary_slash, bool auto_generated) = 0;
  /// An end tag, written or implied (`auto_generated`).
  virtual void end(const std::string& tag, bool auto_generated) = 0;
  /// Text. `previous_tag`/`next_tag` are the parser's neighbour hints ("" after a comment,
  /// "/p" for an end tag); both are absent for script and style content.
  virtual void chars(std::string text, const std::optional<std::string>& previous_tag,
                     const std::optional<std::string>& next_tag) = 0;
  /// A comment's text; `non_standard` for `<![...]>` forms.
  virtual void comment(std::string_view text, bool non_standard) = 0;
  virtual void doctype(std::string_view text) = 0;
};

/// Parses `html`, reporting events. Returns std::string_view::npos when the whole input parsed,
/// else the offset where html-minifier's parser would throw "Parse Error" (nothing after it has
/// been reported, and the open elements have not been closed).
std::size_t parse_html(std::string_view html, HtmlEvents& events);

}  // namespace cppapp::view::minify_detail
