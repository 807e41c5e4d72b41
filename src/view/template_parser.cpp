#include "view/template_parser.hpp"

#include "view/template_error.hpp"
#include "view/template_lexer.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

namespace cppapp::view::tpl {

Expr::~Expr() = default;

namespace {

// Hostile templates must not exhaust the stack: bound parser recursion and tree depth.
constexpr int kMaxRecursion = 400;
constexpr int kMaxExprDepth = 400;

class Parser {
 public:
  Parser(std::string_view source, const std::string& file) : lexer_(source), file_(file) {}

  Program parse_root() {
    Program program;
    program.body = parse_nodes();
    collect_blocks(program.body, program);
    // nunjucks compiles only once the whole template parsed, so its compile errors come second.
    if (compile_error_) throw *compile_error_;
    bind_locals(program);
    return program;
  }

 private:
  static const char* type_name(TokenType t) {
    static constexpr const char* kNames[] = {
        "string",         "whitespace",    "data",       "block-start", "block-end",
        "variable-start", "variable-end",  "comment",    "left-paren",  "right-paren",
        "left-bracket",   "right-bracket", "left-curly", "right-curly", "operator",
        "comma",          "colon",         "tilde",      "pipe",        "int",
        "float",          "boolean",       "none",       "symbol",      "regex"};
    return kNames[static_cast<int>(t)];
  }

  // ---- token stream (nunjucks nextToken/peekToken/pushToken) ----
  std::optional<Token> raw_next() {
    Token t;
    try {
      if (!lexer_.next(t)) return std::nullopt;
    } catch (const LexError& e) {
      throw TemplateError(file_, e.line + 1, e.col + 1, e.message);
    }
    return t;
  }
  std::optional<Token> next_token(bool with_whitespace = false) {
    if (has_peeked_) {
      if (!with_whitespace && peeked_ && peeked_->type == TokenType::whitespace) {
        has_peeked_ = false;
      } else {
        has_peeked_ = false;
        return peeked_;
      }
    }
    auto tok = raw_next();
    if (!with_whitespace)
      while (tok && tok->type == TokenType::whitespace) tok = raw_next();
    return tok;
  }
  const std::optional<Token>& peek_token() {
    if (!has_peeked_ || !peeked_) {
      if (!has_peeked_ || !peeked_) {
        // nunjucks: this.peeked = this.peeked || this.nextToken()
        has_peeked_ = false;
        auto t = next_token();
        peeked_ = t;
        has_peeked_ = true;
      }
    }
    return peeked_;
  }
  void push_token(std::optional<Token> tok) {
    peeked_ = std::move(tok);
    has_peeked_ = true;
  }

  [[noreturn]] void fail(const std::string& msg) {
    const auto& tok = peek_token();
    if (tok) fail_at(msg, tok->line, tok->col);
    fail_at(msg, lexer_.line(), lexer_.col());
  }
  [[noreturn]] void fail_at(const std::string& msg, int line, int col) {
    throw TemplateError(file_, line + 1, col + 1, msg);
  }

  bool skip(TokenType type) {
    auto tok = next_token();
    if (!tok || tok->type != type) {
      push_token(tok);
      return false;
    }
    return true;
  }
  Token expect(TokenType type, const char* what) {
    auto tok = next_token();
    if (!tok) fail(std::string("expected ") + what + ", got end of file");
    if (tok->type != type)
      fail_at(std::string("expected ") + what + ", got " + type_name(tok->type), tok->line,
              tok->col);
    return *tok;
  }
  bool skip_value(TokenType type, std::string_view value) {
    auto tok = next_token();
    if (!tok || tok->type != type || tok->value != value) {
      push_token(tok);
      return false;
    }
    return true;
  }
  bool skip_symbol(std::string_view value) { return skip_value(TokenType::symbol, value); }

  void advance_after_block_end(std::string name = {}) {
    if (name.empty()) {
      const auto& tok = peek_token();
      if (!tok) fail("unexpected end of file");
      if (tok->type != TokenType::symbol)
        fail("advanceAfterBlockEnd: expected symbol token or explicit name to be passed");
      name = next_token()->value;
    }
    auto tok = next_token();
    if (tok && tok->type == TokenType::block_end) {
      if (tok->value[0] == '-') drop_leading_whitespace_ = true;
    } else {
      fail("expected block end in " + name + " statement");
    }
  }
  void advance_after_variable_end() {
    auto tok = next_token();
    if (tok && tok->type == TokenType::variable_end) {
      drop_leading_whitespace_ = tok->value[0] == '-';
    } else {
      push_token(tok);
      fail("expected variable end");
    }
  }

  // ---- recursion guard ----
  struct Guard {
    explicit Guard(Parser& p) : parser(p) {
      if (++parser.recursion_ > kMaxRecursion) parser.fail("template nesting too deep");
    }
    ~Guard() { --parser.recursion_; }
    Parser& parser;
  };

  ExprPtr make(ExprKind kind, int line, int col) { return std::make_unique<Expr>(kind, line, col); }
  ExprPtr finish(ExprPtr e) {
    int d = 0;
    for (const auto& a : e->args) d = std::max(d, a ? a->depth : 0);
    for (const auto& kv : e->kwargs) d = std::max(d, kv.second->depth);
    e->depth = d + 1;
    if (e->depth > kMaxExprDepth) fail_at("expression too deeply nested", e->line, e->col);
    return e;
  }
  ExprPtr binary(ExprKind kind, ExprPtr left, ExprPtr right) {
    auto e = make(kind, left->line, left->col);
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return finish(std::move(e));
  }

  // ---- statements ----
  StmtList parse_until_blocks(std::vector<std::string> names) {
    Guard guard(*this);
    auto prev = std::move(break_on_blocks_);
    break_on_blocks_ = std::move(names);
    auto list = parse_nodes();
    break_on_blocks_ = std::move(prev);
    return list;
  }

  StmtList parse_nodes() {
    StmtList buf;
    while (auto tok = next_token()) {
      if (tok->type == TokenType::data) {
        std::string data = tok->value;
        const auto& next = peek_token();
        if (drop_leading_whitespace_) {
          data.erase(0, data.find_first_not_of(" \t\n\r\f\v"));
          if (data.find_first_not_of(" \t\n\r\f\v") == std::string::npos) data.clear();
          drop_leading_whitespace_ = false;
        }
        if (next && ((next->type == TokenType::block_start && next->value.back() == '-') ||
                     (next->type == TokenType::variable_start && next->value.size() > 2 &&
                      next->value[2] == '-') ||
                     (next->type == TokenType::comment && next->value.size() > 2 &&
                      next->value[2] == '-'))) {
          auto end = data.find_last_not_of(" \t\n\r\f\v");
          data.erase(end == std::string::npos ? 0 : end + 1);
        }
        auto s = std::make_unique<Stmt>(StmtKind::data, tok->line, tok->col);
        s->text = std::move(data);
        buf.push_back(std::move(s));
      } else if (tok->type == TokenType::block_start) {
        drop_leading_whitespace_ = false;
        auto n = parse_statement();
        if (!n) break;
        buf.push_back(std::move(n));
      } else if (tok->type == TokenType::variable_start) {
        auto e = parse_expression();
        drop_leading_whitespace_ = false;
        advance_after_variable_end();
        auto s = std::make_unique<Stmt>(StmtKind::output, tok->line, tok->col);
        s->expr = std::move(e);
        buf.push_back(std::move(s));
      } else if (tok->type == TokenType::comment) {
        const auto& v = tok->value;
        drop_leading_whitespace_ = v.size() >= 3 && v[v.size() - 3] == '-';
      } else {
        fail_at("Unexpected token at top-level: " + tok->value, tok->line, tok->col);
      }
    }
    return buf;
  }

  StmtPtr parse_statement() {
    const auto& peeked = peek_token();
    if (!peeked) fail("tag name expected, got end of file");
    Token tok = *peeked;
    if (tok.type != TokenType::symbol) fail_at("tag name expected", tok.line, tok.col);
    if (std::find(break_on_blocks_.begin(), break_on_blocks_.end(), tok.value) !=
        break_on_blocks_.end())
      return nullptr;
    const std::string& v = tok.value;
    if (v == "raw" || v == "verbatim") return parse_raw(v);
    if (v == "if") return parse_if();
    if (v == "for") return parse_for();
    if (v == "block") return parse_block();
    if (v == "extends" || v == "include") return parse_template_ref(v);
    if (v == "set") return parse_set();
    if (v == "filter") return parse_filter_statement();
    if (v == "macro") return parse_macro();
    if (v == "import") return parse_import();
    if (v == "from") return parse_from();
    if (v == "call") return parse_call();
    if (v == "ifAsync" || v == "asyncEach" || v == "asyncAll" || v == "switch")
      fail_at("tag not supported by this engine: " + v, tok.line, tok.col);
    fail_at("unknown block tag: " + v, tok.line, tok.col);
  }

  StmtPtr parse_raw(const std::string& tag) {
    Token begun = *next_token();
    advance_after_block_end(tag);
    auto s = std::make_unique<Stmt>(StmtKind::data, begun.line, begun.col);
    if (has_peeked_ && peeked_) fail("unexpected token after " + tag);
    has_peeked_ = false;
    s->text = lexer_.extract_raw(tag);
    return s;
  }

  StmtPtr parse_if() {
    Token tag = *next_token();  // if / elif / elseif
    auto node = std::make_unique<Stmt>(StmtKind::if_, tag.line, tag.col);
    node->expr = parse_expression();
    advance_after_block_end(tag.value);
    node->body = parse_until_blocks({"elif", "elseif", "else", "endif"});
    const auto& tok = peek_token();
    std::string value = tok ? tok->value : std::string();
    if (value == "elseif" || value == "elif") {
      node->has_else = true;
      node->else_body.push_back(parse_if());
    } else if (value == "else") {
      advance_after_block_end();
      node->has_else = true;
      node->else_body = parse_until_blocks({"endif"});
      advance_after_block_end();
    } else if (value == "endif") {
      advance_after_block_end();
    } else {
      fail("parseIf: expected elif, else, or endif, got end of file");
    }
    return node;
  }

  std::string expect_name(const char* message) {
    auto tok = next_token();
    if (!tok) fail("expected expression, got end of file");
    if (tok->type != TokenType::symbol) {
      bool literal = tok->type == TokenType::string || tok->type == TokenType::integer ||
                     tok->type == TokenType::floating || tok->type == TokenType::boolean ||
                     tok->type == TokenType::none;
      if (!literal && tok->type != TokenType::left_paren && tok->type != TokenType::left_bracket &&
          tok->type != TokenType::left_curly)
        fail_at("unexpected token: " + tok->value, tok->line, tok->col);
      push_token(tok);
      fail(message);
    }
    const auto& after = peek_token();
    if (after && (after->type == TokenType::left_paren || after->type == TokenType::left_bracket ||
                  (after->type == TokenType::op && after->value == ".")))
      fail(message);
    return tok->value;
  }

  StmtPtr parse_for() {
    Token for_tok = *next_token();
    auto node = std::make_unique<Stmt>(StmtKind::for_, for_tok.line, for_tok.col);
    node->names.push_back(expect_name("parseFor: variable name expected for loop"));
    while (skip(TokenType::comma))
      node->names.push_back(expect_name("parseFor: variable name expected for loop"));
    if (!skip_symbol("in"))
      fail_at("parseFor: expected \"in\" keyword for loop", for_tok.line, for_tok.col);
    node->expr = parse_expression();
    advance_after_block_end(for_tok.value);
    node->body = parse_until_blocks({"endfor", "else"});
    if (skip_symbol("else")) {
      advance_after_block_end("else");
      node->has_else = true;
      node->else_body = parse_until_blocks({"endfor"});
    }
    advance_after_block_end();
    return node;
  }

  StmtPtr parse_block() {
    Token tag = *next_token();
    auto node = std::make_unique<Stmt>(StmtKind::block, tag.line, tag.col);
    node->names.push_back(expect_name("parseBlock: variable name expected"));
    advance_after_block_end(tag.value);
    node->body = parse_until_blocks({"endblock"});
    skip_symbol("endblock");
    skip_symbol(node->names[0]);
    const auto& tok = peek_token();
    if (!tok) fail("parseBlock: expected endblock, got end of file");
    advance_after_block_end(tok->value);
    return node;
  }

  StmtPtr parse_template_ref(const std::string& tag_name) {
    Token tag = *next_token();
    auto node = std::make_unique<Stmt>(
        tag_name == "extends" ? StmtKind::extends : StmtKind::include, tag.line, tag.col);
    node->expr = parse_expression();
    if (tag_name == "include" && skip_symbol("ignore") && skip_symbol("missing"))
      node->ignore_missing = true;
    advance_after_block_end(tag.value);
    return node;
  }

  StmtPtr parse_set() {
    Token tag = *next_token();
    auto node = std::make_unique<Stmt>(StmtKind::set, tag.line, tag.col);
    while (true) {
      node->names.push_back(expect_name("parseSet: expected a variable name in set tag"));
      if (!skip(TokenType::comma)) break;
    }
    if (!skip_value(TokenType::op, "=")) {
      if (!skip(TokenType::block_end))
        fail_at("parseSet: expected = or block end in set tag", tag.line, tag.col);
      // The block end we just skipped may carry "-%}".
      node->body = parse_until_blocks({"endset"});
      advance_after_block_end();
    } else {
      node->expr = parse_expression();
      advance_after_block_end(tag.value);
    }
    return node;
  }

  // nunjucks parseMacro: `{% macro name(a, b=default) %}body{% endmacro %}`.
  StmtPtr parse_macro() {
    Token tag = *next_token();
    auto node = std::make_unique<Stmt>(StmtKind::macro, tag.line, tag.col);
    auto name = parse_primary(true);
    // The compiler reads `node.name.value`: a symbol's name, a literal's value, else undefined.
    node->names.push_back(value_of(*name));
    parse_macro_signature(*node, tag);
    advance_after_block_end(tag.value);
    node->body = parse_until_blocks({"endmacro"});
    advance_after_block_end();
    return node;
  }

  // The compiler reads `node.value`: a symbol's name, a literal's value, else undefined.
  static std::string value_of(const Expr& e) {
    return e.kind == ExprKind::symbol    ? e.name
           : e.kind == ExprKind::literal ? to_string(e.literal)
                                         : "undefined";
  }

  // A macro's (or a caller's) parameters: positional ones must be names (_compileMacro's
  // assertType, a compile error), keyword ones carry their default expressions.
  void parse_macro_signature(Stmt& node, const Token& tag) {
    Expr signature(ExprKind::call, tag.line, tag.col);
    parse_signature(signature, true);
    for (auto& arg : signature.args) {
      if (arg->kind != ExprKind::symbol)
        compile_fail("assertType: invalid type: " + type_name_of(*arg), arg->line, arg->col);
      node.names.push_back(arg->name);
    }
    node.kwargs = std::move(signature.kwargs);
  }

  // nunjucks parseWithContext: an optional `with context` / `without context`.
  bool parse_with_context() {
    const auto& peeked = peek_token();
    const int line = peeked ? peeked->line : lexer_.line();
    const int col = peeked ? peeked->col : lexer_.col();
    bool with_context = false;
    if (skip_symbol("with")) {
      with_context = true;
    } else if (!skip_symbol("without")) {
      return false;
    }
    if (!skip_symbol("context"))
      fail_at("parseFrom: expected context after with/without", line, col);
    return with_context;
  }

  // nunjucks parseImport: `{% import expr as name [with context] %}`.
  StmtPtr parse_import() {
    Token tag = *next_token();
    auto node = std::make_unique<Stmt>(StmtKind::import_, tag.line, tag.col);
    node->expr = parse_expression();
    if (!skip_symbol("as")) fail_at("parseImport: expected \"as\" keyword", tag.line, tag.col);
    node->names.push_back(value_of(*parse_expression()));
    node->with_context = parse_with_context();
    advance_after_block_end(tag.value);
    return node;
  }

  // nunjucks parseFrom: `{% from expr import a, b as c [with context] %}`. As there, the
  // last name's `with`/`without context` decides.
  StmtPtr parse_from() {
    Token tag = *next_token();
    auto node = std::make_unique<Stmt>(StmtKind::from_import, tag.line, tag.col);
    node->expr = parse_expression();
    if (!skip_symbol("import")) fail_at("parseFrom: expected import", tag.line, tag.col);
    while (true) {
      const auto& next = peek_token();
      if (!next) fail("parseFrom: expected block end, got end of file");
      if (next->type == TokenType::block_end) {
        if (node->names.empty())
          fail_at("parseFrom: Expected at least one import name", tag.line, tag.col);
        if (next->value[0] == '-') drop_leading_whitespace_ = true;
        next_token();
        break;
      }
      if (!node->names.empty() && !skip(TokenType::comma))
        fail_at("parseFrom: expected comma", tag.line, tag.col);
      auto name = parse_primary();
      const std::string imported = value_of(*name);
      if (imported.starts_with('_'))
        fail_at("parseFrom: names starting with an underscore cannot be imported", name->line,
                name->col);
      node->names.push_back(imported);
      node->names.push_back(skip_symbol("as") ? value_of(*parse_primary()) : imported);
      node->with_context = parse_with_context();
    }
    return node;
  }

  // nunjucks parseCall: `{% call(params) macro(args) %}body{% endcall %}` is the output of
  // macro(args, caller=<an anonymous macro whose body is the block>).
  StmtPtr parse_call() {
    Token tag = *next_token();
    auto caller = std::make_unique<Stmt>(StmtKind::macro, tag.line, tag.col);
    caller->names.push_back("caller");
    const auto& peeked = peek_token();
    if (peeked && peeked->type == TokenType::left_paren) parse_macro_signature(*caller, tag);
    auto call = parse_primary();
    // nunjucks reads `macroCall.args.children`: anything but a call is a TypeError there.
    if (call->kind != ExprKind::call)
      fail_at("parseCall: expected a macro call after call, got " + type_name_of(*call), call->line,
              call->col);
    advance_after_block_end(tag.value);
    caller->body = parse_until_blocks({"endcall"});
    advance_after_block_end();
    auto body = make(ExprKind::caller, tag.line, tag.col);
    body->body.push_back(std::move(caller));
    call->kwargs.emplace_back("caller", std::move(body));
    auto node = std::make_unique<Stmt>(StmtKind::output, tag.line, tag.col);
    node->expr = finish(std::move(call));
    return node;
  }

  // The nunjucks node type name of an expression, for assertType messages.
  static std::string type_name_of(const Expr& e) {
    switch (e.kind) {
      case ExprKind::literal:
        return "Literal";
      case ExprKind::symbol:
        return "Symbol";
      case ExprKind::array:
        return "Array";
      case ExprKind::dict:
        return "Dict";
      case ExprKind::group:
        return "Group";
      case ExprKind::lookup:
        return "LookupVal";
      case ExprKind::call:
        return "FunCall";
      case ExprKind::filter:
        return "Filter";
      case ExprKind::test:
        return "Is";
      case ExprKind::in:
        return "In";
      case ExprKind::compare:
        return "Compare";
      case ExprKind::inline_if:
        return "InlineIf";
      default:
        return "BinOp";
    }
  }

  // Records the first compile-time error; parse_root throws it once parsing succeeded.
  void compile_fail(const std::string& msg, int line, int col) {
    if (!compile_error_) compile_error_.emplace(file_, line + 1, col + 1, msg);
  }

  StmtPtr parse_filter_statement() {
    Token tag = *next_token();
    auto name_tok = peek_token();
    std::string name = parse_filter_name();
    auto filter = make(ExprKind::filter, name_tok ? name_tok->line : tag.line,
                       name_tok ? name_tok->col : tag.col);
    filter->name = name;
    auto capture = make(ExprKind::capture, filter->line, filter->col);
    filter->args.push_back(nullptr);  // placeholder for the captured body
    parse_filter_args(*filter);
    advance_after_block_end(tag.value);
    capture->body = parse_until_blocks({"endfilter"});
    advance_after_block_end();
    filter->args[0] = std::move(capture);
    auto node = std::make_unique<Stmt>(StmtKind::output, filter->line, filter->col);
    node->expr = finish(std::move(filter));
    return node;
  }

  // ---- expressions ----
  ExprPtr parse_expression() {
    Guard guard(*this);
    bool outermost = expression_nesting_ == 0;
    ++expression_nesting_;
    ExprPtr e;
    try {
      e = parse_inline_if();
    } catch (...) {
      --expression_nesting_;
      throw;
    }
    --expression_nesting_;
    return outermost ? normalize(std::move(e)) : std::move(e);
  }

  // ---- JS re-association ----
  // nunjucks emits operators as JavaScript source without parentheses ("a * b % c", "a + "" + b"
  // for `~`, "!a == b" for `not a == b`), so JavaScript precedence, not the nunjucks tree,
  // decides the result. Flatten each operator chain and re-parse it with JS precedence.
  struct Item {
    enum class Type { atom, binary, prefix } type;
    ExprPtr atom;
    std::string op;
    int line = 0, col = 0;
  };

  static bool is_operator_node(ExprKind k) {
    switch (k) {
      case ExprKind::or_:
      case ExprKind::and_:
      case ExprKind::add:
      case ExprKind::sub:
      case ExprKind::mul:
      case ExprKind::div:
      case ExprKind::mod:
      case ExprKind::concat:
      case ExprKind::compare:
      case ExprKind::not_:
      case ExprKind::neg:
      case ExprKind::pos:
        return true;
      default:
        return false;
    }
  }

  void flatten(ExprPtr e, std::vector<Item>& out) {
    auto binary_op = [&](const char* op) {
      ExprPtr right = std::move(e->args[1]);
      flatten(std::move(e->args[0]), out);
      out.push_back({Item::Type::binary, nullptr, op, e->line, e->col});
      flatten(std::move(right), out);
    };
    switch (e->kind) {
      case ExprKind::or_:
        return binary_op("||");
      case ExprKind::and_:
        return binary_op("&&");
      case ExprKind::add:
        return binary_op("+");
      case ExprKind::sub:
        return binary_op("-");
      case ExprKind::mul:
        return binary_op("*");
      case ExprKind::div:
        return binary_op("/");
      case ExprKind::mod:
        return binary_op("%");
      case ExprKind::concat: {
        ExprPtr right = std::move(e->args[1]);
        flatten(std::move(e->args[0]), out);
        out.push_back({Item::Type::binary, nullptr, "+", e->line, e->col});
        auto empty = make(ExprKind::literal, e->line, e->col);
        empty->literal = Value::from_string("");
        out.push_back({Item::Type::atom, std::move(empty), {}, e->line, e->col});
        out.push_back({Item::Type::binary, nullptr, "+", e->line, e->col});
        flatten(std::move(right), out);
        return;
      }
      case ExprKind::compare:
        flatten(std::move(e->args[0]), out);
        for (std::size_t i = 0; i < e->ops.size(); ++i) {
          out.push_back({Item::Type::binary, nullptr, e->ops[i], e->line, e->col});
          flatten(std::move(e->args[i + 1]), out);
        }
        return;
      case ExprKind::not_:
      case ExprKind::neg:
      case ExprKind::pos: {
        const char* op = e->kind == ExprKind::not_ ? "!" : e->kind == ExprKind::neg ? "-" : "+";
        // "-" followed by "-" (or "+" by "+") is a JS decrement/increment: a compile error.
        if (!out.empty() && out.back().type == Item::Type::prefix && out.back().op == op &&
            std::string(op) != "!")
          fail_at("SyntaxError: Invalid left-hand side expression in prefix operation", e->line,
                  e->col);
        out.push_back({Item::Type::prefix, nullptr, op, e->line, e->col});
        flatten(std::move(e->args[0]), out);
        return;
      }
      default:
        out.push_back({Item::Type::atom, normalize_atom(std::move(e)), {}, 0, 0});
    }
  }

  // Children of an atom are separate (parenthesised) JS contexts.
  ExprPtr normalize_atom(ExprPtr e) {
    if (e->kind == ExprKind::floordiv) {  // Math.floor(l / r): "l / r" is one JS context
      auto div = make(ExprKind::div, e->line, e->col);
      div->args = std::move(e->args);
      e->args.clear();
      e->args.push_back(normalize(std::move(div)));
      return finish(std::move(e));
    }
    for (auto& a : e->args)
      if (a && !(e->kind == ExprKind::dict && a->kind == ExprKind::literal))
        a = normalize(std::move(a));
    for (auto& kv : e->kwargs) kv.second = normalize(std::move(kv.second));
    return finish(std::move(e));
  }

  ExprPtr normalize(ExprPtr e) {
    if (!e) return e;
    if (!is_operator_node(e->kind)) return normalize_atom(std::move(e));
    std::vector<Item> items;
    flatten(std::move(e), items);
    std::size_t pos = 0;
    return climb(items, pos, 0);
  }

  static int precedence(const std::string& op) {
    if (op == "*" || op == "/" || op == "%") return 13;
    if (op == "+" || op == "-") return 12;
    if (op == "<" || op == ">" || op == "<=" || op == ">=") return 10;
    if (op == "==" || op == "!=" || op == "===" || op == "!==") return 9;
    if (op == "&&") return 5;
    return 4;  // ||
  }

  ExprPtr unary(std::vector<Item>& items, std::size_t& pos) {
    Item& item = items[pos++];
    if (item.type == Item::Type::atom) return std::move(item.atom);
    auto node = make(item.op == "!"   ? ExprKind::not_
                     : item.op == "-" ? ExprKind::neg
                                      : ExprKind::pos,
                     item.line, item.col);
    node->args.push_back(unary(items, pos));
    return finish(std::move(node));
  }

  ExprPtr climb(std::vector<Item>& items, std::size_t& pos, int min_precedence) {
    ExprPtr left = unary(items, pos);
    while (pos < items.size() && items[pos].type == Item::Type::binary &&
           precedence(items[pos].op) > min_precedence) {
      const Item& op = items[pos++];
      int prec = precedence(op.op);
      ExprPtr right = climb(items, pos, prec);
      ExprKind kind = op.op == "||"   ? ExprKind::or_
                      : op.op == "&&" ? ExprKind::and_
                      : op.op == "+"  ? ExprKind::add
                      : op.op == "-"  ? ExprKind::sub
                      : op.op == "*"  ? ExprKind::mul
                      : op.op == "/"  ? ExprKind::div
                      : op.op == "%"  ? ExprKind::mod
                                      : ExprKind::compare;
      auto node = make(kind, left->line, left->col);
      if (kind == ExprKind::compare) node->ops.push_back(op.op);
      node->args.push_back(std::move(left));
      node->args.push_back(std::move(right));
      left = finish(std::move(node));
    }
    return left;
  }

  ExprPtr parse_inline_if() {
    auto node = parse_or();
    if (skip_symbol("if")) {
      auto cond = parse_or();
      auto e = make(ExprKind::inline_if, node->line, node->col);
      e->args.push_back(std::move(cond));
      e->args.push_back(std::move(node));
      if (skip_symbol("else")) e->args.push_back(parse_or());
      node = finish(std::move(e));
    }
    return node;
  }
  ExprPtr parse_or() {
    auto node = parse_and();
    while (skip_symbol("or")) node = binary(ExprKind::or_, std::move(node), parse_and());
    return node;
  }
  ExprPtr parse_and() {
    auto node = parse_not();
    while (skip_symbol("and")) node = binary(ExprKind::and_, std::move(node), parse_not());
    return node;
  }
  ExprPtr parse_not() {
    Guard guard(*this);
    const auto& tok = peek_token();
    int line = tok ? tok->line : 0, col = tok ? tok->col : 0;
    if (skip_symbol("not")) {
      auto e = make(ExprKind::not_, line, col);
      e->args.push_back(parse_not());
      return finish(std::move(e));
    }
    return parse_in();
  }
  ExprPtr parse_in() {
    auto node = parse_is();
    while (true) {
      auto tok = next_token();
      if (!tok) break;
      bool invert = tok->type == TokenType::symbol && tok->value == "not";
      if (!invert) push_token(tok);
      if (skip_symbol("in")) {
        node = binary(ExprKind::in, std::move(node), parse_is());
        if (invert) {
          auto e = make(ExprKind::not_, node->line, node->col);
          e->args.push_back(std::move(node));
          node = finish(std::move(e));
        }
      } else {
        if (invert) push_token(tok);
        break;
      }
    }
    return node;
  }
  ExprPtr parse_is() {
    auto node = parse_compare();
    if (skip_symbol("is")) {
      bool negate = skip_symbol("not");
      auto right = parse_compare();
      auto e = make(ExprKind::test, node->line, node->col);
      e->args.push_back(std::move(node));
      if (right->kind == ExprKind::symbol) {
        e->name = right->name;
      } else if (right->kind == ExprKind::call && right->args[0]->kind == ExprKind::symbol) {
        e->name = right->args[0]->name;
        for (std::size_t i = 1; i < right->args.size(); ++i)
          e->args.push_back(std::move(right->args[i]));
      } else if (right->kind == ExprKind::literal) {
        e->name = to_string(right->literal);
      } else {
        e->name = "undefined";
        e->literal = Value::from_bool(true);  // marks "no usable test name"
      }
      node = finish(std::move(e));
      if (negate) {
        auto n = make(ExprKind::not_, node->line, node->col);
        n->args.push_back(std::move(node));
        node = finish(std::move(n));
      }
    }
    return node;
  }
  ExprPtr parse_compare() {
    static const std::vector<std::string> kOps = {"==", "===", "!=", "!==", "<", ">", "<=", ">="};
    auto expr = parse_concat();
    ExprPtr cmp;
    while (true) {
      auto tok = next_token();
      if (!tok) break;
      if (std::find(kOps.begin(), kOps.end(), tok->value) != kOps.end()) {
        if (!cmp) {
          cmp = make(ExprKind::compare, tok->line, tok->col);
          cmp->args.push_back(std::move(expr));
        }
        cmp->ops.push_back(tok->value);
        cmp->args.push_back(parse_concat());
      } else {
        push_token(tok);
        break;
      }
    }
    return cmp ? finish(std::move(cmp)) : std::move(expr);
  }
  ExprPtr parse_concat() {
    auto node = parse_add();
    while (skip_value(TokenType::tilde, "~"))
      node = binary(ExprKind::concat, std::move(node), parse_add());
    return node;
  }
  ExprPtr parse_add() {
    auto node = parse_sub();
    while (skip_value(TokenType::op, "+"))
      node = binary(ExprKind::add, std::move(node), parse_sub());
    return node;
  }
  ExprPtr parse_sub() {
    auto node = parse_mul();
    while (skip_value(TokenType::op, "-"))
      node = binary(ExprKind::sub, std::move(node), parse_mul());
    return node;
  }
  ExprPtr parse_mul() {
    auto node = parse_div();
    while (skip_value(TokenType::op, "*"))
      node = binary(ExprKind::mul, std::move(node), parse_div());
    return node;
  }
  ExprPtr parse_div() {
    auto node = parse_floor_div();
    while (skip_value(TokenType::op, "/"))
      node = binary(ExprKind::div, std::move(node), parse_floor_div());
    return node;
  }
  ExprPtr parse_floor_div() {
    auto node = parse_mod();
    while (skip_value(TokenType::op, "//"))
      node = binary(ExprKind::floordiv, std::move(node), parse_mod());
    return node;
  }
  ExprPtr parse_mod() {
    auto node = parse_pow();
    while (skip_value(TokenType::op, "%"))
      node = binary(ExprKind::mod, std::move(node), parse_pow());
    return node;
  }
  ExprPtr parse_pow() {
    auto node = parse_unary();
    while (skip_value(TokenType::op, "**"))
      node = binary(ExprKind::pow, std::move(node), parse_unary());
    return node;
  }
  ExprPtr parse_unary(bool no_filters = false) {
    Guard guard(*this);
    const auto& tok = peek_token();
    int line = tok ? tok->line : 0, col = tok ? tok->col : 0;
    ExprPtr node;
    if (skip_value(TokenType::op, "-")) {
      node = make(ExprKind::neg, line, col);
      node->args.push_back(parse_unary(true));
      node = finish(std::move(node));
    } else if (skip_value(TokenType::op, "+")) {
      node = make(ExprKind::pos, line, col);
      node->args.push_back(parse_unary(true));
      node = finish(std::move(node));
    } else {
      node = parse_primary();
    }
    if (!no_filters) node = parse_filter(std::move(node));
    return node;
  }

  ExprPtr parse_primary(bool no_postfix = false) {
    auto tok = next_token();
    if (!tok) fail("expected expression, got end of file");
    ExprPtr node;
    switch (tok->type) {
      case TokenType::string:
        node = make(ExprKind::literal, tok->line, tok->col);
        node->literal = Value::from_string(tok->value);
        break;
      case TokenType::integer:
      case TokenType::floating:
        node = make(ExprKind::literal, tok->line, tok->col);
        node->literal = Value::from_number(std::strtod(tok->value.c_str(), nullptr));
        break;
      case TokenType::boolean:
        node = make(ExprKind::literal, tok->line, tok->col);
        node->literal = Value::from_bool(tok->value == "true");
        break;
      case TokenType::none:
        node = make(ExprKind::literal, tok->line, tok->col);
        node->literal = Value::null();
        break;
      case TokenType::regex:
        fail_at("regular expression literals are not supported", tok->line, tok->col);
      case TokenType::symbol:
        node = make(ExprKind::symbol, tok->line, tok->col);
        node->name = tok->value;
        break;
      default:
        push_token(tok);
        node = parse_aggregate();
    }
    if (!node) fail_at("unexpected token: " + tok->value, tok->line, tok->col);
    if (!no_postfix) node = parse_postfix(std::move(node));
    return node;
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      const auto& peeked = peek_token();
      if (!peeked) break;
      Token tok = *peeked;
      if (tok.type == TokenType::left_paren) {
        auto call = make(ExprKind::call, tok.line, tok.col);
        call->args.push_back(std::move(node));
        parse_signature(*call);
        node = finish(std::move(call));
      } else if (tok.type == TokenType::left_bracket) {
        auto lookup = parse_aggregate();
        if (lookup->args.size() != 1) fail("invalid index");
        auto e = make(ExprKind::lookup, tok.line, tok.col);
        e->args.push_back(std::move(node));
        e->args.push_back(std::move(lookup->args[0]));
        node = finish(std::move(e));
      } else if (tok.type == TokenType::op && tok.value == ".") {
        next_token();
        auto val = next_token();
        if (!val) fail("expected name as lookup value, got end of file");
        if (val->type != TokenType::symbol)
          fail_at("expected name as lookup value, got " + val->value, val->line, val->col);
        auto key = make(ExprKind::literal, val->line, val->col);
        key->literal = Value::from_string(val->value);
        auto e = make(ExprKind::lookup, tok.line, tok.col);
        e->args.push_back(std::move(node));
        e->args.push_back(std::move(key));
        node = finish(std::move(e));
      } else {
        break;
      }
    }
    return node;
  }

  std::string parse_filter_name() {
    Token tok = expect(TokenType::symbol, "symbol");
    std::string name = tok.value;
    while (skip_value(TokenType::op, ".")) name += "." + expect(TokenType::symbol, "symbol").value;
    return name;
  }
  void parse_filter_args(Expr& filter) {
    const auto& tok = peek_token();
    if (tok && tok->type == TokenType::left_paren) parse_signature(filter);
  }
  ExprPtr parse_filter(ExprPtr node) {
    while (skip(TokenType::pipe)) {
      const auto& tok = peek_token();
      int line = tok ? tok->line : 0, col = tok ? tok->col : 0;
      auto filter = make(ExprKind::filter, line, col);
      filter->name = parse_filter_name();
      filter->args.push_back(std::move(node));
      parse_filter_args(*filter);
      node = finish(std::move(filter));
    }
    return node;
  }

  ExprPtr parse_aggregate() {
    Guard guard(*this);
    auto tok = next_token();
    if (!tok) return nullptr;
    ExprPtr node;
    switch (tok->type) {
      case TokenType::left_paren:
        node = make(ExprKind::group, tok->line, tok->col);
        break;
      case TokenType::left_bracket:
        node = make(ExprKind::array, tok->line, tok->col);
        break;
      case TokenType::left_curly:
        node = make(ExprKind::dict, tok->line, tok->col);
        break;
      default:
        return nullptr;
    }
    while (true) {
      const auto& peeked = peek_token();
      if (!peeked) fail("unexpected end of file");
      auto type = peeked->type;
      if (type == TokenType::right_paren || type == TokenType::right_bracket ||
          type == TokenType::right_curly) {
        next_token();
        break;
      }
      if (!node->args.empty() && !skip(TokenType::comma))
        fail_at("parseAggregate: expected comma after expression", tok->line, tok->col);
      if (node->kind == ExprKind::dict) {
        auto key = parse_primary();
        if (!skip(TokenType::colon))
          fail_at("parseAggregate: expected colon after dict key", tok->line, tok->col);
        if (key->kind == ExprKind::symbol) {
          key->kind = ExprKind::literal;
          key->literal = Value::from_string(key->name);
        } else if (key->kind != ExprKind::literal || !key->literal.is_string()) {
          fail_at("compilePair: Dict keys must be strings or names", key->line, key->col);
        }
        node->args.push_back(std::move(key));
        node->args.push_back(parse_expression());
      } else {
        node->args.push_back(parse_expression());
      }
    }
    if (node->kind == ExprKind::group && node->args.empty())
      fail_at("unexpected token: )", tok->line, tok->col);
    return finish(std::move(node));
  }

  // nunjucks parseSignature: "(" args [name=value kwargs] ")".
  void parse_signature(Expr& call, bool macro_definition = false) {
    Token open = expect(TokenType::left_paren, "arguments");
    (void)open;
    bool check_comma = false;
    while (true) {
      const auto& peeked = peek_token();
      if (!peeked) fail("expected arguments, got end of file");
      if (peeked->type == TokenType::right_paren) {
        next_token();
        break;
      }
      if (check_comma && !skip(TokenType::comma))
        fail("parseSignature: expected comma after expression");
      auto arg = parse_expression();
      if (skip_value(TokenType::op, "=")) {
        std::string key;
        if (arg->kind == ExprKind::symbol) {
          key = arg->name;
        } else if (macro_definition) {
          // A macro's keyword parameter is named by `pair.key.value`, never checked.
          key = arg->kind == ExprKind::literal ? to_string(arg->literal) : "undefined";
        } else if (arg->kind == ExprKind::literal && arg->literal.is_string()) {
          key = arg->literal.string;
        } else {
          fail_at("compilePair: Dict keys must be strings or names", arg->line, arg->col);
        }
        call.kwargs.emplace_back(key, parse_expression());
      } else {
        call.args.push_back(std::move(arg));
      }
      check_comma = true;
    }
  }

  // ---- blocks and super() ----
  void collect_blocks(const StmtList& list, Program& program) {
    for (const auto& s : list) {
      if (!s) continue;
      if (s->kind == StmtKind::block) {
        const auto& name = s->names[0];
        if (program.blocks.count(name))
          fail_at("Block \"" + name + "\" defined more than once.", s->line, s->col);
        program.blocks[name] = s.get();
        s->has_super = mark_super(s->body);
      }
      collect_blocks(s->body, program);
      collect_blocks(s->else_body, program);
      if (s->expr) collect_expr_blocks(*s->expr, program);
    }
  }
  void collect_expr_blocks(const Expr& e, Program& program) {
    collect_blocks(e.body, program);
    for (const auto& a : e.args)
      if (a) collect_expr_blocks(*a, program);
    for (const auto& kv : e.kwargs) collect_expr_blocks(*kv.second, program);  // {% call %} bodies
  }
  // Replaces super() calls (outside nested blocks) by references to the pre-rendered parent block.
  bool mark_super(StmtList& list) {
    bool found = false;
    for (auto& s : list) {
      if (s->kind == StmtKind::block) continue;
      found |= mark_super(s->body);
      found |= mark_super(s->else_body);
      if (s->expr) found |= mark_super_expr(*s->expr);
    }
    return found;
  }
  bool mark_super_expr(Expr& e) {
    bool found = false;
    if (e.kind == ExprKind::call && e.args[0] && e.args[0]->kind == ExprKind::symbol &&
        e.args[0]->name == "super") {
      e.kind = ExprKind::super_ref;
      e.args.clear();
      e.kwargs.clear();
      return true;
    }
    for (auto& a : e.args)
      if (a) found |= mark_super_expr(*a);
    for (auto& kv : e.kwargs) found |= mark_super_expr(*kv.second);
    found |= mark_super(e.body);
    return found;
  }

  // ---- local slots: the names nunjucks's compiler binds to JavaScript variables ----
  // The compiler keeps a compile-time frame per scope: for loops push one, block and macro
  // bodies start a fresh one (a new JavaScript function). A symbol found there compiles to
  // that variable and never falls back to the context: macro parameters, and macros defined
  // earlier in the same function, and loop variables (a {% call %} body, a closure, reads the
  // enclosing loop's variable even where the frame it runs in does not have it).
  struct CompileFrame {
    std::map<std::string, int> names;  // name -> slot
    const CompileFrame* parent = nullptr;
    int lookup(const std::string& name, bool& found) const {
      for (const CompileFrame* f = this; f; f = f->parent) {
        auto it = f->names.find(name);
        if (it != f->names.end()) {
          found = true;
          return it->second;
        }
      }
      found = false;
      return -1;
    }
  };

  void bind_locals(Program& program) {
    CompileFrame root;
    int count = 0;
    bind_list(program.body, root, count);
    program.local_count = count;
  }
  void bind_list(StmtList& list, CompileFrame& frame, int& count) {
    for (auto& s : list)
      if (s) bind_stmt(*s, frame, count);
  }
  void bind_stmt(Stmt& s, CompileFrame& frame, int& count) {
    switch (s.kind) {
      case StmtKind::for_: {
        CompileFrame loop;
        loop.parent = &frame;
        if (s.expr) bind_expr(*s.expr, loop, count);
        s.slots.clear();
        for (const auto& name : s.names) {
          loop.names[name] = count;
          s.slots.push_back(count++);
        }
        bind_list(s.body, loop, count);
        bind_list(s.else_body, loop, count);
        return;
      }
      case StmtKind::block: {
        CompileFrame fresh;
        int block_count = 0;
        bind_list(s.body, fresh, block_count);
        s.local_count = block_count;
        return;
      }
      case StmtKind::macro: {
        CompileFrame fresh;
        int macro_count = 0;
        std::vector<int> param_slots;
        for (std::size_t i = 1; i < s.names.size(); ++i) {
          fresh.names[s.names[i]] = macro_count;
          param_slots.push_back(macro_count++);
        }
        for (auto& kv : s.kwargs) bind_expr(*kv.second, fresh, macro_count);
        bind_list(s.body, fresh, macro_count);
        s.local_count = macro_count;
        s.frame_scoped = frame.parent != nullptr;
        s.slots = {count};
        s.slots.insert(s.slots.end(), param_slots.begin(), param_slots.end());
        frame.names[s.names[0]] = count++;
        return;
      }
      case StmtKind::import_:
      case StmtKind::from_import: {
        // compileImport / compileFromImport: each target becomes a JavaScript variable.
        if (s.expr) bind_expr(*s.expr, frame, count);
        s.frame_scoped = frame.parent != nullptr;
        s.slots.clear();
        for (std::size_t i = s.kind == StmtKind::import_ ? 0 : 1; i < s.names.size(); i += 2) {
          frame.names[s.names[i]] = count;
          s.slots.push_back(count++);
        }
        return;
      }
      case StmtKind::set: {
        if (s.expr) bind_expr(*s.expr, frame, count);
        bind_list(s.body, frame, count);
        s.slots.clear();
        for (const auto& name : s.names) {
          bool found = false;
          s.slots.push_back(frame.lookup(name, found));
        }
        return;
      }
      default:
        if (s.expr) bind_expr(*s.expr, frame, count);
        bind_list(s.body, frame, count);
        bind_list(s.else_body, frame, count);
        return;
    }
  }
  void bind_expr(Expr& e, CompileFrame& frame, int& count) {
    if (e.kind == ExprKind::caller) {
      bind_caller(*e.body[0], frame, count);
      return;
    }
    if (e.kind == ExprKind::symbol) {
      bool found = false;
      e.slot = frame.lookup(e.name, found);
    }
    for (auto& a : e.args)
      if (a) bind_expr(*a, frame, count);
    for (auto& kv : e.kwargs) bind_expr(*kv.second, frame, count);
    // A {% filter %} body shares its function; a set capture too.
    bind_list(e.body, frame, count);
  }
  // A {% call %} body is compiled as a macro that keeps the enclosing compile frame (a closure):
  // it reads the enclosing function's variables, so its own variables take slots of that
  // function too: slots[0] is the first of them, local_count one past the last (the renderer
  // saves and restores them around each call, as separate JavaScript invocations would have
  // their own); slots[1..] are its parameters'.
  void bind_caller(Stmt& def, CompileFrame& frame, int& count) {
    CompileFrame inner;
    inner.parent = &frame;
    def.slots = {count};
    for (std::size_t i = 1; i < def.names.size(); ++i) {
      inner.names[def.names[i]] = count;
      def.slots.push_back(count++);
    }
    for (auto& kv : def.kwargs) bind_expr(*kv.second, inner, count);
    bind_list(def.body, inner, count);
    def.local_count = count;
  }

  Lexer lexer_;
  const std::string& file_;
  std::optional<TemplateError> compile_error_;
  std::optional<Token> peeked_;
  bool has_peeked_ = false;
  std::vector<std::string> break_on_blocks_;
  bool drop_leading_whitespace_ = false;
  int recursion_ = 0;
  int expression_nesting_ = 0;
};

}  // namespace

Program parse_template(std::string_view source, const std::string& file) {
  Parser parser(source, file);
  return parser.parse_root();
}

}  // namespace cppapp::view::tpl
