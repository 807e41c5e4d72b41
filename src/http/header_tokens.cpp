#include "http/header_tokens.hpp"

namespace cppapp::http {

bool is_js_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
         static_cast<unsigned char>(c) == 0xA0;
}

bool has_list_element(std::string_view list, std::string_view token) {
  for (std::size_t pos = list.find(token); pos != std::string_view::npos;
       pos = list.find(token, pos + 1)) {
    std::size_t before = pos;
    while (before > 0 && is_js_space(list[before - 1])) --before;
    if (before != 0 && list[before - 1] != ',') continue;
    std::size_t after = pos + token.size();
    while (after < list.size() && is_js_space(list[after])) ++after;
    if (after == list.size() || list[after] == ',') return true;
  }
  return false;
}

std::vector<std::string_view> split_token_list(std::string_view text, bool keep_empty) {
  std::vector<std::string_view> list;
  std::size_t start = 0, end = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      if (start == end) start = end = i + 1;
    } else if (text[i] == ',') {
      if (keep_empty || start != end) list.push_back(text.substr(start, end - start));
      start = end = i + 1;
    } else {
      end = i + 1;
    }
  }
  if (keep_empty || start != end) list.push_back(text.substr(start, end - start));
  return list;
}

}  // namespace cppapp::http
