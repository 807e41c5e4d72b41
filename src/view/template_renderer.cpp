#include "view/template_renderer.hpp"

#include "view/template_error.hpp"
#include "view/template_filters.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

namespace cppapp::view::tpl {
namespace {

// extends + include + import nesting; a template including (or importing) itself must fail, not
// overflow the stack.
constexpr int kMaxTemplateDepth = 64;

// nunjucks runtime.Frame: a scope level; lookups walk up, writes may be isolated (blocks,
// includes).
struct Frame {
  std::unordered_map<std::string, Value> vars;
  Frame* parent = nullptr;
  bool isolate_writes = false;
  bool top_level = false;

  bool has(const std::string& name) const {
    auto it = vars.find(name);
    return it != vars.end() && !it->second.is_undefined();
  }
  Value lookup(const std::string& name) const {
    for (const Frame* f = this; f; f = f->parent) {
      auto it = f->vars.find(name);
      if (it != f->vars.end() && !it->second.is_undefined()) return it->second;
    }
    return {};
  }
  // Only the first frame's isolation is honoured, exactly as nunjucks's resolve() does.
  Frame* resolve_for_write(const std::string& name) {
    if (has(name)) return this;
    for (Frame* f = isolate_writes ? nullptr : parent; f; f = f->parent)
      if (f->has(name)) return f;
    return nullptr;
  }
  void set(const std::string& name, Value value, bool resolve_up) {
    if (resolve_up) {
      if (Frame* f = resolve_for_write(name)) {
        f->vars[name] = std::move(value);
        return;
      }
    }
    vars[name] = std::move(value);
  }
};

struct BlockRef {
  const Stmt* block;
  const CompiledTemplate* owner;
};

// nunjucks Context: template variables, globals and the inheritance chain of blocks.
struct Context {
  ObjectPtr vars;
  const Object& globals;
  std::map<std::string, std::vector<BlockRef>> blocks;
  std::weak_ptr<Context> self;  ///< what macros defined in this context hold on to
  /// context.addExport: top-level macros and sets whose names do not start with "_", which
  /// {% import %} and {% from %} hand over.
  std::vector<std::string> exported;

  Value lookup(const std::string& name) const {
    const Value* own = vars->find(name);
    if (!own) {
      const Value* global = globals.find(name);
      return global ? *global : Value{};
    }
    return *own;
  }
  void add_blocks(const CompiledTemplate& t) {
    for (const auto& [name, block] : t.program.blocks) blocks[name].push_back({block, &t});
  }
  void add_export(const std::string& name) {
    if (!name.starts_with('_') &&
        std::find(exported.begin(), exported.end(), name) == exported.end())
      exported.push_back(name);
  }
};

// Per root render: set by {% extends %} so the parent's root renders after the child's.
struct RootState {
  const CompiledTemplate* parent = nullptr;
};

// The `frame` variable of one compiled JavaScript function (a template's root, a block). The
// for loops, macros and {% call %} bodies compiled into that function all assign it while they
// run, so a `caller` pushes its frame on whatever frame is current there when it is called:
// often the frame of the macro calling it (nunjucks 3.2.4's dynamic scoping, reproduced).
using FrameCell = std::shared_ptr<Frame*>;

// Points a cell at `frame` for a scope's lifetime.
class FrameSwap {
 public:
  FrameSwap(Frame** cell, Frame* frame) : cell_(cell), saved_(*cell) { *cell_ = frame; }
  ~FrameSwap() { *cell_ = saved_; }
  FrameSwap(const FrameSwap&) = delete;
  FrameSwap& operator=(const FrameSwap&) = delete;

 private:
  Frame** cell_;
  Frame* saved_;
};

struct Scope {
  Context& ctx;
  Frame* frame;
  const CompiledTemplate* tmpl;
  RootState* root;
  bool in_block;
  const Value* super_value;
  std::vector<Value>* locals;  ///< the JavaScript variables of the current function
  FrameCell cell;              ///< the current function's `frame` variable
};

// Macro calls nest on the C++ stack: bound them (nunjucks would overflow JavaScript's).
constexpr int kMaxMacroDepth = 200;

}  // namespace

// A macro value: its definition and the context it closes over (nunjucks's closure over the
// defining template's `context`). Weak, so a macro stored in its own context is no cycle.
struct MacroClosure {
  const Stmt* definition;
  const CompiledTemplate* owner;
  TemplatePtr owner_keep;  ///< keeps `definition` alive when the template is shared-owned
  std::weak_ptr<void> context;
  FrameCell cell;  ///< the `frame` variable of the function it was compiled into
  /// A {% call %} body (`caller`): the scope it was written in, whose frame and variables it
  /// reads as the JavaScript closure nunjucks compiles it to does. Those live on the stack
  /// while the call runs, so the scope is used only while `alive` is.
  std::optional<Scope> site;
  std::weak_ptr<void> alive;
};

namespace {

class Renderer {
 public:
  Renderer(const Object& globals, const TemplateLoader& loader)
      : globals_(globals), loader_(loader) {}

  void render_new_context(const TemplatePtr& tmpl, ObjectPtr vars, Frame* parent_frame,
                          std::string& out, int line, int col, const CompiledTemplate* from) {
    auto ctx = std::make_shared<Context>(Context{std::move(vars), globals_, {}, {}, {}});
    ctx->self = ctx;
    ctx->add_blocks(*tmpl);
    Frame frame;
    frame.parent = parent_frame;
    frame.isolate_writes = parent_frame != nullptr;
    frame.top_level = true;
    render_root(*tmpl, *ctx, frame, out, line, col, from);
  }

 private:
  struct DepthGuard {
    DepthGuard(Renderer& r, int line, int col, const CompiledTemplate* from) : renderer(r) {
      if (++renderer.depth_ > kMaxTemplateDepth)
        throw TemplateError(from ? from->name : "(unknown)", line + 1, col + 1,
                            "maximum template nesting depth (" + std::to_string(kMaxTemplateDepth) +
                                ") exceeded by extends/include/import");
    }
    ~DepthGuard() { --renderer.depth_; }
    Renderer& renderer;
  };

  void render_root(const CompiledTemplate& t, Context& ctx, Frame& frame, std::string& out,
                   int line, int col, const CompiledTemplate* from) {
    DepthGuard guard(*this, line, col, from);
    RootState root;
    std::string buffer;
    std::vector<Value> locals(static_cast<std::size_t>(t.program.local_count));
    Scope scope{ctx, &frame, &t, &root, false, nullptr, &locals, std::make_shared<Frame*>(&frame)};
    exec_list(t.program.body, scope, buffer);
    if (root.parent) {
      render_root(*root.parent, ctx, frame, out, parent_line_, parent_col_, &t);
    } else {
      out += buffer;
    }
  }

  [[noreturn]] void fail(const Scope& s, int line, int col, const std::string& message) const {
    throw TemplateError(s.tmpl->name, line + 1, col + 1, message);
  }

  TemplatePtr load(const Scope& s, const Value& name, int line, int col, bool ignore_missing) {
    if (!name.is_string())
      fail(s, line, col, "template names must be a string: " + to_string(name));
    TemplatePtr t = loader_(name.string, s.tmpl);
    if (!t) {
      if (ignore_missing) return nullptr;
      fail(s, line, col, "template not found: " + name.string);
    }
    return t;
  }

  // ---- statements ----
  void exec_list(const StmtList& list, Scope& s, std::string& out) {
    for (const auto& stmt : list) exec(*stmt, s, out);
  }

  void exec(const Stmt& st, Scope& s, std::string& out) {
    switch (st.kind) {
      case StmtKind::data:
        out += st.text;
        return;
      case StmtKind::output: {
        Value v = eval(*st.expr, s);
        if (v.is_nullish()) return;
        if (v.is_string() && v.safe) {
          out += v.string;
        } else {
          out += escape_html_nunjucks(to_string(v));
        }
        return;
      }
      case StmtKind::if_:
        if (truthy(eval(*st.expr, s))) {
          exec_list(st.body, s, out);
        } else {
          exec_list(st.else_body, s, out);
        }
        return;
      case StmtKind::for_:
        exec_for(st, s, out);
        return;
      case StmtKind::set: {
        Value value;
        if (st.expr) {
          value = eval(*st.expr, s);
        } else {
          std::string captured;
          exec_list(st.body, s, captured);
          value = Value::from_string(std::move(captured));
        }
        for (std::size_t i = 0; i < st.names.size(); ++i) {
          const std::string& name = st.names[i];
          if (i < st.slots.size()) set_local(s, st.slots[i], value);
          s.frame->set(name, value, true);
          if (s.frame->top_level) {
            s.ctx.vars->set(name, value);
            s.ctx.add_export(name);
          }
        }
        return;
      }
      case StmtKind::macro: {
        auto closure = std::make_shared<MacroClosure>();
        closure->definition = &st;
        closure->owner = s.tmpl;
        closure->owner_keep = s.tmpl->weak_from_this().lock();
        closure->context = s.ctx.self;
        closure->cell = s.cell;
        Value macro = Value::from_builtin(Builtin::macro);
        macro.macro = std::move(closure);
        set_local(s, st.slots.empty() ? -1 : st.slots[0], macro);
        // compileMacro: frame.set inside a for loop, else context.setVariable.
        if (st.frame_scoped) {
          s.frame->set(st.names[0], std::move(macro), false);
        } else {
          s.ctx.add_export(st.names[0]);
          s.ctx.vars->set(st.names[0], std::move(macro));
        }
        return;
      }
      case StmtKind::import_:
      case StmtKind::from_import:
        exec_import(st, s);
        return;
      case StmtKind::block: {
        if (!s.in_block && s.root->parent) return;
        auto it = s.ctx.blocks.find(st.names[0]);
        if (it == s.ctx.blocks.end() || it->second.empty())
          fail(s, st.line, st.col, "unknown block \"" + st.names[0] + "\"");
        exec_block(it->second.front(), s, s.frame, out);
        return;
      }
      case StmtKind::extends: {
        TemplatePtr parent = load(s, eval(*st.expr, s), st.line, st.col, false);
        keep_alive_.push_back(parent);  // blocks of the parent are referenced until the render ends
        s.root->parent = parent.get();
        parent_line_ = st.line;
        parent_col_ = st.col;
        s.ctx.add_blocks(*parent);
        return;
      }
      case StmtKind::include: {
        TemplatePtr included = load(s, eval(*st.expr, s), st.line, st.col, st.ignore_missing);
        if (!included) return;
        // Its macros may outlive the include (a frame write can carry them out).
        if (keep_alive_.empty() || keep_alive_.back() != included) keep_alive_.push_back(included);
        auto vars = std::make_shared<Object>(*s.ctx.vars);
        render_new_context(included, std::move(vars), s.frame, out, st.line, st.col, s.tmpl);
        return;
      }
    }
  }

  // compileImport / compileFromImport with Template.getExported: the imported template's root
  // runs (its output discarded) in a context of its own (empty; `with context` a copy of this
  // one's variables, and its frame continues this one), and what it exports becomes an object
  // (import) or the named values (from ... import). Each target is then bound like a macro.
  void exec_import(const Stmt& st, Scope& s) {
    TemplatePtr imported = load(s, eval(*st.expr, s), st.line, st.col, false);
    keep_alive_.push_back(imported);
    auto vars =
        st.with_context ? std::make_shared<Object>(*s.ctx.vars) : std::make_shared<Object>();
    auto ctx = std::make_shared<Context>(Context{std::move(vars), globals_, {}, {}, {}});
    ctx->self = ctx;
    ctx->add_blocks(*imported);
    contexts_.push_back(ctx);  // its macros look names up there until the render ends
    Frame frame;
    frame.parent = st.with_context ? s.frame : nullptr;
    frame.top_level = true;
    std::string discarded;
    render_root(*imported, *ctx, frame, discarded, st.line, st.col, s.tmpl);

    auto exports = std::make_shared<Object>();
    for (const auto& name : ctx->exported) {
      const Value* value = ctx->vars->find(name);
      exports->set(name, value ? *value : Value{});
    }
    auto bind = [&](std::size_t target, Value value) {
      const std::string& name = st.names[st.kind == StmtKind::import_ ? 0 : target * 2 + 1];
      if (target < st.slots.size()) set_local(s, st.slots[target], value);
      if (st.frame_scoped) {
        s.frame->set(name, std::move(value), false);
      } else {
        s.ctx.vars->set(name, std::move(value));
      }
    };
    if (st.kind == StmtKind::import_) {
      bind(0, Value::from_object(std::move(exports)));
      return;
    }
    for (std::size_t i = 0; i + 1 < st.names.size(); i += 2) {
      const Value* value = exports->find(st.names[i]);
      if (!value)
        fail(s, st.line, st.col,
             "cannot import '" + st.names[i] + "' from " + imported->name +
                 " (it exports: " + export_list(*ctx) + ")");
      bind(i / 2, *value);
    }
  }

  static std::string export_list(const Context& ctx) {
    std::string list;
    for (const auto& name : ctx.exported) list += (list.empty() ? "" : ", ") + name;
    return list.empty() ? "nothing" : list;
  }

  void exec_block(const BlockRef& ref, Scope& s, Frame* frame, std::string& out) {
    DepthGuard guard(*this, ref.block->line, ref.block->col, ref.owner);
    Frame block_frame;
    block_frame.parent = frame;
    block_frame.isolate_writes = true;
    RootState no_root;
    Value super_value;
    std::vector<Value> locals(static_cast<std::size_t>(ref.block->local_count));
    Scope inner{s.ctx, &block_frame, ref.owner, &no_root,
                true,  &super_value, &locals,   std::make_shared<Frame*>(&block_frame)};
    if (ref.block->has_super) {
      const auto& chain = s.ctx.blocks[ref.block->names[0]];
      std::size_t idx = 0;
      while (idx < chain.size() && chain[idx].block != ref.block) ++idx;
      if (idx + 1 >= chain.size())
        fail(inner, ref.block->line, ref.block->col,
             "no super block available for \"" + ref.block->names[0] + "\"");
      std::string parent_output;
      BlockRef next = chain[idx + 1];
      exec_block(next, inner, &block_frame, parent_output);
      super_value = Value::from_string(std::move(parent_output), true);
    }
    exec_list(ref.block->body, inner, out);
  }

  static Value make_loop(std::size_t i, std::size_t len) {
    auto loop = std::make_shared<Object>();
    double di = static_cast<double>(i), dl = static_cast<double>(len);
    loop->set("index", Value::from_number(di + 1));
    loop->set("index0", Value::from_number(di));
    loop->set("revindex", Value::from_number(dl - di));
    loop->set("revindex0", Value::from_number(dl - di - 1));
    loop->set("first", Value::from_bool(i == 0));
    loop->set("last", Value::from_bool(i + 1 == len));
    loop->set("length", Value::from_number(dl));
    return Value::from_object(std::move(loop));
  }

  void exec_for(const Stmt& st, Scope& s, std::string& out) {
    Frame loop_frame;
    loop_frame.parent = s.frame;
    Scope inner = s;
    inner.frame = &loop_frame;
    FrameSwap current(inner.cell.get(), &loop_frame);
    // A loop variable is a JavaScript variable (what a {% call %} body reads) and a frame one.
    auto bind = [&](std::size_t u, Value value) {
      if (u < st.slots.size()) set_local(inner, st.slots[u], value);
      loop_frame.set(st.names[u], std::move(value), false);
    };
    Value arr = eval(*st.expr, inner);
    std::size_t len = 0;
    if (truthy(arr)) {
      if (st.names.size() > 1) {
        if (arr.kind == Value::Kind::array) {
          const ArrayPtr items = arr.array;  // keep alive even if the body rebinds the name
          len = items->size();
          for (std::size_t i = 0; i < items->size(); ++i) {
            for (std::size_t u = 0; u < st.names.size(); ++u)
              bind(u, member((*items)[i], Value::from_number(static_cast<double>(u))));
            loop_frame.set("loop", make_loop(i, len), false);
            exec_list(st.body, inner, out);
          }
        } else {
          std::vector<std::pair<std::string, Value>> entries;
          if (arr.kind == Value::Kind::object) {
            entries = arr.object->entries;
          } else if (arr.is_string()) {
            std::u16string units = to_utf16(arr.string);
            for (std::size_t i = 0; i < units.size(); ++i)
              entries.emplace_back(std::to_string(i),
                                   Value::from_string(to_utf8(units.substr(i, 1))));
          }
          len = entries.size();
          for (std::size_t i = 0; i < entries.size(); ++i) {
            bind(0, Value::from_string(entries[i].first));
            bind(1, entries[i].second);
            loop_frame.set("loop", make_loop(i, len), false);
            exec_list(st.body, inner, out);
          }
        }
      } else {
        // Values are immutable once built, so the loop can share the array instead of copying it.
        ArrayPtr items = arr.kind == Value::Kind::array ? arr.array : std::make_shared<Array>();
        if (arr.is_string() && !arr.safe) {
          std::u16string units = to_utf16(arr.string);
          for (std::size_t i = 0; i < units.size(); ++i)
            items->push_back(Value::from_string(to_utf8(units.substr(i, 1))));
        }
        len = items->size();
        for (std::size_t i = 0; i < items->size(); ++i) {
          bind(0, (*items)[i]);
          loop_frame.set("loop", make_loop(i, len), false);
          exec_list(st.body, inner, out);
        }
      }
    }
    if (st.has_else && len == 0) exec_list(st.else_body, inner, out);
  }

  // ---- expressions ----
  static std::string node_name(const Expr& e) {
    switch (e.kind) {
      case ExprKind::symbol:
        return e.name;
      case ExprKind::call:
        return "the return value of (" + node_name(*e.args[0]) + ")";
      case ExprKind::lookup:
        return node_name(*e.args[0]) + "[\"" + node_name(*e.args[1]) + "\"]";
      case ExprKind::literal:
        return to_string(e.literal);
      default:
        return "--expression--";
    }
  }

  Value eval(const Expr& e, Scope& s) {
    switch (e.kind) {
      case ExprKind::literal:
        return e.literal;
      case ExprKind::symbol: {
        if (e.slot >= 0 && s.locals && static_cast<std::size_t>(e.slot) < s.locals->size())
          return (*s.locals)[static_cast<std::size_t>(e.slot)];
        Value v = s.frame->lookup(e.name);
        return v.is_undefined() ? s.ctx.lookup(e.name) : v;
      }
      case ExprKind::array: {
        Array items;
        items.reserve(e.args.size());
        for (const auto& a : e.args) items.push_back(eval(*a, s));
        return Value::from_array(std::move(items));
      }
      case ExprKind::dict: {
        auto obj = std::make_shared<Object>();
        for (std::size_t i = 0; i + 1 < e.args.size(); i += 2)
          obj->set(e.args[i]->literal.string, eval(*e.args[i + 1], s));
        return Value::from_object(std::move(obj));
      }
      case ExprKind::group: {
        Value last;
        for (const auto& a : e.args) last = eval(*a, s);
        return last;
      }
      case ExprKind::lookup:
        return member(eval(*e.args[0], s), eval(*e.args[1], s));
      case ExprKind::call:
        return eval_call(e, s);
      case ExprKind::filter:
        return eval_filter(e, s);
      case ExprKind::test: {
        if (e.literal.kind == Value::Kind::boolean)
          fail(s, e.line, e.col, "test not found: undefined");
        std::vector<Value> args;
        for (const auto& a : e.args) args.push_back(eval(*a, s));
        try {
          auto result = apply_test(e.name, args);
          if (!result) fail(s, e.line, e.col, "test not found: " + e.name);
          return Value::from_bool(*result);
        } catch (const std::runtime_error& err) {
          if (dynamic_cast<const TemplateError*>(&err)) throw;
          fail(s, e.line, e.col, err.what());
        }
      }
      case ExprKind::neg:
        return Value::from_number(-to_number(eval(*e.args[0], s)));
      case ExprKind::pos:
        return Value::from_number(to_number(eval(*e.args[0], s)));
      case ExprKind::not_:
        return Value::from_bool(!truthy(eval(*e.args[0], s)));
      case ExprKind::and_: {
        Value left = eval(*e.args[0], s);
        return truthy(left) ? eval(*e.args[1], s) : left;
      }
      case ExprKind::or_: {
        Value left = eval(*e.args[0], s);
        return truthy(left) ? left : eval(*e.args[1], s);
      }
      case ExprKind::in:
        return eval_in(e, s);
      case ExprKind::concat:
        return Value::from_string(to_string(eval(*e.args[0], s)) + to_string(eval(*e.args[1], s)));
      case ExprKind::add:
        return add(eval(*e.args[0], s), eval(*e.args[1], s));
      case ExprKind::floordiv:  // the parser turned `a // b` into floor(<a / b>)
        return Value::from_number(std::floor(to_number(eval(*e.args[0], s))));
      case ExprKind::sub:
      case ExprKind::mul:
      case ExprKind::div:
      case ExprKind::mod:
      case ExprKind::pow: {
        double a = to_number(eval(*e.args[0], s)), b = to_number(eval(*e.args[1], s));
        switch (e.kind) {
          case ExprKind::sub:
            return Value::from_number(a - b);
          case ExprKind::mul:
            return Value::from_number(a * b);
          case ExprKind::div:
            return Value::from_number(a / b);
          case ExprKind::mod:
            return Value::from_number(std::fmod(a, b));
          default:
            return Value::from_number(js_pow(a, b));
        }
      }
      case ExprKind::compare:
        return eval_compare(e, s);
      case ExprKind::inline_if:
        if (truthy(eval(*e.args[0], s))) return eval(*e.args[1], s);
        return e.args.size() > 2 ? eval(*e.args[2], s) : Value::from_string("");
      case ExprKind::super_ref:
        return s.super_value ? *s.super_value : Value{};
      case ExprKind::capture: {
        std::string captured;
        exec_list(e.body, s, captured);
        return Value::from_string(std::move(captured));
      }
      case ExprKind::caller:  // only ever a call's keyword argument: eval_call makes it
        fail(s, e.line, e.col, "a {% call %} body outside a call");
    }
    return {};
  }

  // The `caller` a {% call %} block passes: a macro over the block's body that closes over the
  // scope it was written in, usable while `alive` is.
  static Value make_caller(const Expr& e, const Scope& s, const std::shared_ptr<void>& alive) {
    auto closure = std::make_shared<MacroClosure>();
    closure->definition = e.body[0].get();
    closure->owner = s.tmpl;
    closure->owner_keep = s.tmpl->weak_from_this().lock();
    closure->context = s.ctx.self;
    closure->cell = s.cell;
    closure->site.emplace(s);
    closure->alive = alive;
    Value macro = Value::from_builtin(Builtin::macro);
    macro.macro = std::move(closure);
    return macro;
  }

  Value eval_call(const Expr& e, Scope& s) {
    Value callee = eval(*e.args[0], s);
    std::string name = node_name(*e.args[0]);
    if (!truthy(callee))
      fail(s, e.line, e.col, "Unable to call `" + name + "`, which is undefined or falsey");
    if (callee.kind != Value::Kind::function)
      fail(s, e.line, e.col, "Unable to call `" + name + "`, which is not a function");
    std::vector<Value> args;
    for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(eval(*e.args[i], s));
    // A {% call %} body may be called back only during this call.
    std::shared_ptr<void> alive = std::make_shared<bool>(true);
    KeywordArgs kwargs;
    for (const auto& [key, value] : e.kwargs)
      kwargs.emplace_back(
          key, value->kind == ExprKind::caller ? make_caller(*value, s, alive) : eval(*value, s));
    if (callee.function == Builtin::macro && callee.macro)
      return call_macro(*callee.macro, std::move(args), std::move(kwargs), s, e);
    if (!kwargs.empty()) {
      auto obj = std::make_shared<Object>();
      for (auto& [key, value] : kwargs) obj->set(key, std::move(value));
      args.push_back(Value::from_object(obj));
    }
    try {
      return builtin_range(args);
    } catch (const std::runtime_error& err) {
      fail(s, e.line, e.col, err.what());
    }
  }

  static void set_local(Scope& s, int slot, const Value& value) {
    if (slot >= 0 && s.locals && static_cast<std::size_t>(slot) < s.locals->size())
      (*s.locals)[static_cast<std::size_t>(slot)] = value;
  }

  // runtime.makeMacro and the function _compileMacro emits: positional arguments fill the
  // parameters, missing ones are taken from the keyword arguments by name, extra ones fill the
  // keyword parameters in order; keyword parameters not given evaluate their defaults in the
  // macro's fresh frame. The body renders as a safe string.
  Value call_macro(const MacroClosure& closure, std::vector<Value> args, KeywordArgs kwargs,
                   Scope& caller, const Expr& call) {
    const Stmt& def = *closure.definition;
    const std::vector<std::string> params(def.names.begin() + 1, def.names.end());
    auto find = [&kwargs](const std::string& key) -> KeywordArgs::iterator {
      auto it = std::find_if(kwargs.begin(), kwargs.end(),
                             [&](const auto& kv) { return kv.first == key; });
      return it;
    };
    auto assign = [&](const std::string& key, Value value) {
      auto it = find(key);
      if (it != kwargs.end()) {
        it->second = std::move(value);
      } else {
        kwargs.emplace_back(key, std::move(value));
      }
    };
    std::vector<Value> bound;
    if (args.size() > params.size()) {
      for (std::size_t i = params.size(); i < args.size(); ++i) {
        const std::size_t k = i - params.size();
        if (k < def.kwargs.size()) assign(def.kwargs[k].first, args[i]);
      }
      args.resize(params.size());
      bound = std::move(args);
    } else {
      bound = std::move(args);
      for (std::size_t i = bound.size(); i < params.size(); ++i) {
        auto it = find(params[i]);
        if (it != kwargs.end()) {
          bound.push_back(it->second);
          kwargs.erase(it);
        } else {
          bound.emplace_back();
        }
      }
    }

    if (++macro_depth_ > kMaxMacroDepth) {
      --macro_depth_;
      fail(caller, call.line, call.col,
           "maximum macro call depth (" + std::to_string(kMaxMacroDepth) + ") exceeded");
    }
    struct Unwind {
      int& depth;
      ~Unwind() { --depth; }
    } unwind{macro_depth_};

    Frame frame;
    std::string out;
    auto bind_and_run = [&](Scope& inner) {
      if (auto it = find("caller"); it != kwargs.end()) frame.set("caller", it->second, false);
      for (std::size_t i = 0; i < params.size(); ++i) {
        frame.set(params[i], bound[i], false);
        if (i + 1 < def.slots.size()) set_local(inner, def.slots[i + 1], bound[i]);
      }
      for (const auto& [name, default_value] : def.kwargs) {
        auto it = find(name);
        frame.set(name, it != kwargs.end() ? it->second : eval(*default_value, inner), false);
      }
      exec_list(def.body, inner, out);
    };
    if (closure.site) {
      // `caller`: a frame pushed on its function's current one, in that function's variables.
      auto alive = closure.alive.lock();
      if (!alive)
        fail(caller, call.line, call.col, "caller() used after its {% call %} block ended");
      Scope inner = *closure.site;
      frame.parent = *closure.cell;
      frame.isolate_writes = true;
      inner.frame = &frame;
      FrameSwap current(closure.cell.get(), &frame);
      // Its variables' slots belong to the enclosing function: restore them afterwards, as a
      // separate JavaScript invocation would not have touched them.
      std::vector<Value> saved;
      for (int slot = def.slots[0]; slot < def.local_count; ++slot)
        saved.push_back(local(inner, slot));
      bind_and_run(inner);
      for (int slot = def.slots[0]; slot < def.local_count; ++slot)
        set_local(inner, slot, std::move(saved[static_cast<std::size_t>(slot - def.slots[0])]));
    } else {
      auto context = std::static_pointer_cast<Context>(closure.context.lock());
      RootState no_root;
      std::vector<Value> locals(static_cast<std::size_t>(def.local_count));
      Scope inner{context ? *context : caller.ctx,
                  &frame,
                  closure.owner,
                  &no_root,
                  true,
                  nullptr,
                  &locals,
                  closure.cell};
      FrameSwap current(closure.cell.get(), &frame);
      bind_and_run(inner);
    }
    return Value::from_string(std::move(out), true);
  }

  static Value local(const Scope& s, int slot) {
    if (slot >= 0 && s.locals && static_cast<std::size_t>(slot) < s.locals->size())
      return (*s.locals)[static_cast<std::size_t>(slot)];
    return {};
  }

  Value eval_filter(const Expr& e, Scope& s) {
    std::vector<Value> args;
    args.reserve(e.args.size());
    for (const auto& a : e.args) args.push_back(eval(*a, s));
    KeywordArgs kwargs;
    for (const auto& [key, value] : e.kwargs) kwargs.emplace_back(key, eval(*value, s));
    std::optional<Value> result;
    try {
      result = apply_filter(e.name, std::move(args), kwargs);
    } catch (const std::runtime_error& err) {
      fail(s, e.line, e.col, err.what());
    }
    if (!result) fail(s, e.line, e.col, "filter not found: " + e.name);
    return std::move(*result);
  }

  Value eval_in(const Expr& e, Scope& s) {
    Value key = eval(*e.args[0], s), container = eval(*e.args[1], s);
    if (container.kind == Value::Kind::array) {
      for (const auto& item : *container.array)
        if (strict_equals(item, key)) return Value::from_bool(true);
      return Value::from_bool(false);
    }
    if (container.is_string())
      return Value::from_bool(container.string.find(to_string(key)) != std::string::npos);
    if (container.kind == Value::Kind::object)
      return Value::from_bool(container.object->find(to_string(key)) != nullptr);
    fail(
        s, e.line, e.col,
        "Cannot use \"in\" operator to search for \"" + to_string(key) + "\" in unexpected types.");
  }

  // The operators are emitted as one JS expression, so JS precedence applies: relational
  // operators bind tighter than equality, both left-associative.
  Value eval_compare(const Expr& e, Scope& s) {
    std::vector<Value> values;
    for (const auto& a : e.args) values.push_back(eval(*a, s));
    auto relational = [](const std::string& op) {
      return op == "<" || op == ">" || op == "<=" || op == ">=";
    };
    auto apply = [](const Value& a, const std::string& op, const Value& b) {
      if (op == "==") return loose_equals(a, b);
      if (op == "!=") return !loose_equals(a, b);
      if (op == "===") return strict_equals(a, b);
      if (op == "!==") return !strict_equals(a, b);
      if (op == "<") return less_than(a, b);
      if (op == ">") return less_than(b, a);
      if (op == "<=") return less_equal(a, b);
      return less_equal(b, a);
    };
    // First fold runs of relational operators, then the equality chain.
    std::vector<Value> terms{values[0]};
    std::vector<std::string> eq_ops;
    for (std::size_t i = 0; i < e.ops.size(); ++i) {
      if (relational(e.ops[i])) {
        terms.back() = Value::from_bool(apply(terms.back(), e.ops[i], values[i + 1]));
      } else {
        eq_ops.push_back(e.ops[i]);
        terms.push_back(values[i + 1]);
      }
    }
    Value result = terms[0];
    for (std::size_t i = 0; i < eq_ops.size(); ++i)
      result = Value::from_bool(apply(result, eq_ops[i], terms[i + 1]));
    return result;
  }

  const Object& globals_;
  const TemplateLoader& loader_;
  int depth_ = 0;
  int macro_depth_ = 0;
  int parent_line_ = 0;
  int parent_col_ = 0;
  std::vector<TemplatePtr> keep_alive_;
  std::vector<std::shared_ptr<Context>> contexts_;  ///< imported templates' contexts
};

}  // namespace

std::string render_template(const TemplatePtr& tmpl, ObjectPtr context, const Object& globals,
                            const TemplateLoader& loader) {
  Renderer renderer(globals, loader);
  std::string out;
  renderer.render_new_context(tmpl, std::move(context), nullptr, out, 0, 0, nullptr);
  return out;
}

}  // namespace cppapp::view::tpl
