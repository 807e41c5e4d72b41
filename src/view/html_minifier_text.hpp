// Character and string helpers that reproduce the JavaScript semantics html-minifier relies on:
// the regex class \s (which includes Unicode spaces such as U+00A0), String.prototype.trim,
// Number.prototype.toString, and the XML NCName classes the parser uses for tag names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cppapp::view::minify_detail {

/// Decodes the UTF-8 character at `i` into `cp`; returns its byte length (an invalid byte is one
/// character U+FFFD of length 1, so malformed input is still consumed byte by byte).
std::size_t decode_utf8_at(std::string_view s, std::size_t i, char32_t& cp);
/// Byte length of the JavaScript `\s` character starting at `i`, 0 when there is none.
std::size_t js_space_at(std::string_view s, std::size_t i);
/// Byte length of the JavaScript `\s` character ending just before `end`, 0 when there is none.
std::size_t js_space_before(std::string_view s, std::size_t end);
/// `s` without leading JavaScript whitespace (`s.replace(/^\s+/, '')`).
std::string_view js_trim_left(std::string_view s);
/// `s` without trailing JavaScript whitespace (`s.replace(/\s+$/, '')`).
std::string_view js_trim_right(std::string_view s);
/// `s.trim()`.
std::string_view js_trim(std::string_view s);
/// True when `s` is empty or made only of JavaScript whitespace (`/^\s*$/`).
bool js_is_blank(std::string_view s);
/// html-minifier's collapseWhitespaceAll: each run of [\t\n\r ] becomes ' ', except a lone tab.
std::string collapse_whitespace_all(std::string_view s);
/// ASCII lower-casing (html-minifier lower-cases tag and attribute names).
std::string ascii_lower(std::string_view s);
/// ASCII case-insensitive search of `needle` in `haystack` from `from`; npos when absent.
std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from);
/// The string JavaScript's `(+text).toString()` gives for a decimal literal like "1.50" or "007".
std::string js_number_text(std::string_view decimal);
/// Length of the XML NCName at `i` (html-minifier's tag-name pattern), 0 when there is none.
std::size_t ncname_length(std::string_view s, std::size_t i);

}  // namespace cppapp::view::minify_detail
