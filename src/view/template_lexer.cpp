#include "view/template_lexer.hpp"

#include <algorithm>
#include <array>
#include <regex>

namespace cppapp::view::tpl {
namespace {
constexpr std::string_view kWhitespace = " \n\t\r";
constexpr std::string_view kDelimiters = "()[]{}%*-+~/#,:|.<>=!";
constexpr std::string_view kDigits = "0123456789";

bool is_integer_text(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

void Lexer::forward() {
  if (finished()) {
    ++index_;
    return;
  }
  if (src_[index_] == '\n') {
    ++line_;
    col_ = 0;
  } else {
    ++col_;
  }
  ++index_;
}

bool Lexer::extract_string(std::string_view s) {
  if (!matches(s)) return false;
  forward_n(s.size());
  return true;
}

// nunjucks _extractMatching: the run of characters in (or, when break_on_match, not in) `chars`.
std::string Lexer::extract_matching(bool break_on_match, std::string_view chars, bool& at_end) {
  at_end = finished();
  if (at_end) return {};
  auto wanted = [&](char c) { return (chars.find(c) != std::string_view::npos) != break_on_match; };
  std::size_t start = index_;
  if (!wanted(current())) return {};
  forward();
  while (!finished() && wanted(current())) forward();
  return std::string(src_.substr(start, index_ - start));
}

std::string Lexer::parse_string(char delimiter) {
  forward();
  std::string out;
  while (!finished() && current() != delimiter) {
    char c = current();
    if (c == '\\') {
      forward();
      switch (current()) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        default:
          out += current();
      }
      forward();
    } else {
      out += c;
      forward();
    }
  }
  forward();
  return out;
}

bool Lexer::next(Token& tok) {
  tok = Token{TokenType::data, {}, line_, col_};
  if (finished()) return false;
  if (in_code_) {
    char cur = current();
    bool at_end = false;
    if (cur == '"' || cur == '\'') {
      tok.type = TokenType::string;
      tok.value = parse_string(cur);
      return true;
    }
    if (std::string ws = extract_matching(false, kWhitespace, at_end); !ws.empty()) {
      tok.type = TokenType::whitespace;
      tok.value = ws;
      return true;
    }
    for (std::string_view end : {"%}", "-%}"}) {
      if (extract_string(end)) {
        in_code_ = false;
        tok.type = TokenType::block_end;
        tok.value = end;
        return true;
      }
    }
    for (std::string_view end : {"}}", "-}}"}) {
      if (extract_string(end)) {
        in_code_ = false;
        tok.type = TokenType::variable_end;
        tok.value = end;
        return true;
      }
    }
    if (cur == 'r' && index_ + 1 < src_.size() && src_[index_ + 1] == '/') {
      forward_n(2);
      std::string body;
      while (!finished()) {
        if (current() == '/' && src_[index_ - 1] != '\\') {
          forward();
          break;
        }
        body += current();
        forward();
      }
      while (!finished() && std::string_view("gimy").find(current()) != std::string_view::npos)
        forward();
      tok.type = TokenType::regex;
      tok.value = body;
      return true;
    }
    if (kDelimiters.find(cur) != std::string_view::npos) {
      forward();
      static constexpr std::array<std::string_view, 8> kComplex = {
          "==", "===", "!=", "!==", "<=", ">=", "//", "**"};
      auto is_complex = [](std::string_view s) {
        return std::find(kComplex.begin(), kComplex.end(), s) != kComplex.end();
      };
      std::string op(1, cur);
      if (!finished() && is_complex(op + current())) {
        op += current();
        forward();
        if (!finished() && is_complex(op + current())) {
          op += current();
          forward();
        }
      }
      switch (op.size() == 1 ? op[0] : ' ') {
        case '(':
          tok.type = TokenType::left_paren;
          break;
        case ')':
          tok.type = TokenType::right_paren;
          break;
        case '[':
          tok.type = TokenType::left_bracket;
          break;
        case ']':
          tok.type = TokenType::right_bracket;
          break;
        case '{':
          tok.type = TokenType::left_curly;
          break;
        case '}':
          tok.type = TokenType::right_curly;
          break;
        case ',':
          tok.type = TokenType::comma;
          break;
        case ':':
          tok.type = TokenType::colon;
          break;
        case '~':
          tok.type = TokenType::tilde;
          break;
        case '|':
          tok.type = TokenType::pipe;
          break;
        default:
          tok.type = TokenType::op;
      }
      tok.value = op;
      return true;
    }
    std::string word =
        extract_matching(true, std::string(kWhitespace) + std::string(kDelimiters), at_end);
    if (is_integer_text(word)) {
      if (current() == '.') {
        forward();
        std::string decimals = extract_matching(false, kDigits, at_end);
        tok.type = TokenType::floating;
        tok.value = word + "." + decimals;
      } else {
        tok.type = TokenType::integer;
        tok.value = word;
      }
    } else if (word == "true" || word == "false") {
      tok.type = TokenType::boolean;
      tok.value = word;
    } else if (word == "none" || word == "null") {
      tok.type = TokenType::none;
      tok.value = word;
    } else if (!word.empty()) {
      tok.type = TokenType::symbol;
      tok.value = word;
    } else {
      throw LexError{"Unexpected value while parsing: " + word, tok.line, tok.col};
    }
    return true;
  }

  for (std::string_view start : {"{%-", "{%"}) {
    if (extract_string(start)) {
      in_code_ = true;
      tok.type = TokenType::block_start;
      tok.value = start;
      return true;
    }
  }
  for (std::string_view start : {"{{-", "{{"}) {
    if (extract_string(start)) {
      in_code_ = true;
      tok.type = TokenType::variable_start;
      tok.value = start;
      return true;
    }
  }
  bool in_comment = false;
  std::string text;
  if (matches("{#")) {
    in_comment = true;
    extract_string("{#");
    text = "{#";
  }
  bool at_end = false;
  while (true) {
    std::string data = extract_matching(true, "{#", at_end);
    if (at_end) break;
    text += data;
    if ((matches("{%") || matches("{{") || matches("{#")) && !in_comment) break;
    if (matches("#}")) {
      if (!in_comment) throw LexError{"unexpected end of comment", line_, col_};
      extract_string("#}");
      text += "#}";
      break;
    }
    if (!finished()) text += current();
    forward();
  }
  if (at_end && in_comment) throw LexError{"expected end of comment, got end of file", line_, col_};
  tok.type = in_comment ? TokenType::comment : TokenType::data;
  tok.value = std::move(text);
  return true;
}

std::string Lexer::extract_raw(std::string_view tag) {
  const std::string end_tag = "end" + std::string(tag);
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::string out;
  int level = 1;
  std::size_t pos = index_;
  while (level > 0) {
    // Find the next "{%\s*(tag|endtag)\s*%}" at or after pos.
    std::size_t search = pos;
    std::size_t match_start = std::string_view::npos, match_end = 0;
    bool is_end = false;
    while ((search = src_.find("{%", search)) != std::string_view::npos) {
      std::size_t p = search + 2;
      while (p < src_.size() && is_space(src_[p])) ++p;
      for (const std::string_view name : {std::string_view(tag), std::string_view(end_tag)}) {
        if (src_.substr(p).starts_with(name)) {
          std::size_t q = p + name.size();
          while (q < src_.size() && is_space(src_[q])) ++q;
          if (src_.substr(q).starts_with("%}")) {
            match_start = search;
            match_end = q + 2;
            is_end = name.size() == end_tag.size();
            break;
          }
        }
      }
      if (match_start != std::string_view::npos) break;
      search += 2;
    }
    if (match_start == std::string_view::npos) break;  // unterminated: the rest lexes normally
    level += is_end ? -1 : 1;
    out += src_.substr(pos, (level == 0 ? match_start : match_end) - pos);
    pos = match_end;
  }
  forward_n(pos - index_);
  return out;
}

}  // namespace cppapp::view::tpl
