// Small parsers the Node header packages share (compression, fresh, send, vary), written once.
#pragma once

#include <string_view>
#include <vector>

namespace cppapp::http {

/// JavaScript's \s for the bytes a header can hold: space, \t \n \v \f \r and NBSP (0xA0).
bool is_js_space(char c);

/// `token` as a whole comma-separated element of `list`, with optional whitespace around it:
/// the packages' /(?:^|,)\s*?TOKEN\s*?(?:,|$)/ (case-sensitive), e.g. "no-cache", "no-transform".
bool has_list_element(std::string_view list, std::string_view token);

/// parseTokenList of fresh, send and vary: splits on commas and drops the spaces around each
/// item; `keep_empty` keeps empty items (fresh, vary) or drops them (send).
std::vector<std::string_view> split_token_list(std::string_view text, bool keep_empty);

}  // namespace cppapp::http
