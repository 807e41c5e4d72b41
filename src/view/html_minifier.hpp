// The HTML minifier the seed runs on every rendered page (express-minify-html 0.9.0, which
// calls html-minifier 2.1.6).
#pragma once

#include <string>
#include <string_view>

namespace cppapp::view {

/// Minifies an HTML document with the seed's html-minifier options. Never throws on any input:
/// malformed HTML is minified as far as it parses and the rest is passed through unchanged.
///
/// Options reproduced (html-minifier 2.1.6, byte for byte): removeComments, collapseWhitespace,
/// collapseBooleanAttributes, removeAttributeQuotes, removeEmptyAttributes, plus its defaults
/// (html5, conditional comments and `<!--! … -->` kept, `<!-- htmlmin:ignore -->` blocks and
/// `<% … %>` / `<? … ?>` fragments passed through).
/// Deliberate differences:
///  - minifyJS: html-minifier runs UglifyJS 2.6 on executable inline scripts and on event-handler
///    attributes. We do not reimplement UglifyJS: script content is only trimmed (which
///    html-minifier does before UglifyJS too) and handlers only trimmed and stripped of a leading
///    `javascript:` label, so scripts are byte-identical only when already minified.
///  - Where html-minifier throws ("Parse Error" on a stray '<', an unclosed comment, script or
///    tag; a TypeError on a valueless srcset, viewport content or script type attribute), we
///    return the minified prefix followed by the unparsed rest, or keep the attribute as written.
///  - Tag and attribute names are lower-cased in ASCII only (JavaScript lower-cases Unicode too).
std::string minify_html(std::string_view html);

}  // namespace cppapp::view
