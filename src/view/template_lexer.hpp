#pragma once
// Tokenizer with nunjucks 3.2.4's rules: data/comment tokens outside tags, expression tokens
// inside, positions 0-based (line, column) as nunjucks tracks them.
#include <string>
#include <string_view>

namespace cppapp::view::tpl {

enum class TokenType {
  string,
  whitespace,
  data,
  block_start,
  block_end,
  variable_start,
  variable_end,
  comment,
  left_paren,
  right_paren,
  left_bracket,
  right_bracket,
  left_curly,
  right_curly,
  op,
  comma,
  colon,
  tilde,
  pipe,
  integer,
  floating,
  boolean,
  none,
  symbol,
  regex
};

struct Token {
  TokenType type;
  std::string value;
  int line = 0;
  int col = 0;
};

/// A lexing failure at a 0-based position (converted to TemplateError by the parser).
struct LexError {
  std::string message;
  int line;
  int col;
};

class Lexer {
 public:
  /// Lexes `source` (kept by reference: it must outlive the lexer).
  explicit Lexer(std::string_view source) : src_(source) {}
  /// The next token, or false at the end of input. Throws LexError.
  bool next(Token& out);
  /// After `{% raw %}`: the verbatim text up to the matching end tag, consumed with it.
  std::string extract_raw(std::string_view tag);
  /// Current 0-based line/column (for end-of-file errors).
  int line() const { return line_; }
  int col() const { return col_; }

 private:
  bool finished() const { return index_ >= src_.size(); }
  char current() const { return finished() ? '\0' : src_[index_]; }
  void forward();
  void forward_n(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) forward();
  }
  bool matches(std::string_view s) const { return src_.substr(index_).starts_with(s); }
  bool extract_string(std::string_view s);
  std::string extract_matching(bool break_on_match, std::string_view chars, bool& at_end);
  std::string parse_string(char delimiter);

  std::string_view src_;
  std::size_t index_ = 0;
  int line_ = 0;
  int col_ = 0;
  bool in_code_ = false;
};

}  // namespace cppapp::view::tpl
