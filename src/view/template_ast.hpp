#pragma once
// The compiled form of a template: a tree of statements and expressions, built once by the
// parser and walked (read-only, so shareable between threads) by the renderer.
#include "view/template_value.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cppapp::view::tpl {

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

enum class ExprKind {
  literal,
  symbol,
  array,
  dict,
  group,
  lookup,
  call,
  filter,
  test,
  neg,
  pos,
  not_,
  and_,
  or_,
  in,
  concat,
  add,
  sub,
  mul,
  div,
  floordiv,
  mod,
  pow,
  compare,
  inline_if,
  super_ref,
  capture,
  caller  ///< the body of a {% call %} block: body[0] is a macro statement named "caller"
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  int line = 0;  ///< 0-based, as nunjucks records it
  int col = 0;
  Value literal;              ///< literal value
  std::string name;           ///< symbol, filter, test or called-name text
  std::vector<ExprPtr> args;  ///< operands, items, call/filter arguments; dict: key, value, ...
  std::vector<std::pair<std::string, ExprPtr>> kwargs;  ///< keyword arguments of calls/filters
  std::vector<std::string> ops;  ///< comparison operators, one per right operand
  StmtList body;                 ///< capture body ({% filter %} blocks)
  int depth = 1;                 ///< nesting depth of this subtree (bounded by the parser)
  /// symbol: the local slot nunjucks compiles it to (a macro parameter or a macro defined
  /// earlier in the same scope), read without falling back to the context; -1 otherwise.
  int slot = -1;

  Expr(ExprKind k, int l, int c) : kind(k), line(l), col(c) {}
  ~Expr();
};

enum class StmtKind {
  data,
  output,
  if_,
  for_,
  set,
  block,
  extends,
  include,
  macro,
  import_,     ///< {% import expr as name %}: names[0] is the target
  from_import  ///< {% from expr import a, b as c %}: names holds name, alias, name, alias...
};

struct Stmt {
  StmtKind kind;
  int line = 0;
  int col = 0;
  std::string text;                ///< data text
  ExprPtr expr;                    ///< output / condition / iterable / set value / template name
  std::vector<std::string> names;  ///< loop variables, set targets, block name
  StmtList body;
  StmtList else_body;
  bool has_else = false;
  bool ignore_missing = false;  ///< include ... ignore missing
  bool with_context = false;    ///< import / from import ... with context
  bool has_super = false;       ///< block body calls super()
  /// set: each target's local slot (-1: none); macro: [0] is the slot of the macro's name in
  /// the enclosing function, the rest are the slots of its positional parameters; import: the
  /// target's slot; from import: one slot per alias.
  std::vector<int> slots;
  /// macro: keyword parameters and their default expressions (names holds the macro's name,
  /// then its positional parameters).
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  /// macro, import targets: bound inside a for loop (or a {% call %} body), so a frame
  /// variable, not a context variable (nor exported)
  bool frame_scoped = false;
  int local_count = 0;  ///< block and macro bodies: local slots of their function

  Stmt(StmtKind k, int l, int c) : kind(k), line(l), col(c) {}
};

/// A parsed template: its statements and its blocks by name.
struct Program {
  StmtList body;
  std::map<std::string, const Stmt*> blocks;
  int local_count = 0;  ///< local slots of the root function
};

}  // namespace cppapp::view::tpl
