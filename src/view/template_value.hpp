#pragma once
// A small JavaScript-like value model: nunjucks templates evaluate with JS semantics
// (truthiness, loose equality, `+` on strings, number formatting), so the renderer needs them.
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cppapp::view::tpl {

struct Value;
using Array = std::vector<Value>;
struct Object;
using ArrayPtr = std::shared_ptr<Array>;
using ObjectPtr = std::shared_ptr<Object>;

/// Built-in callables reachable from templates (nunjucks globals), and template macros.
enum class Builtin { range, macro };

/// A `{% macro %}` as a value: defined by the renderer.
struct MacroClosure;

struct Value {
  enum class Kind { undefined, null, boolean, number, string, array, object, function };
  Kind kind = Kind::undefined;
  bool boolean = false;
  bool safe = false;  ///< a string marked safe (nunjucks SafeString): not escaped on output
  double number = 0;
  std::string string;
  ArrayPtr array;
  ObjectPtr object;
  Builtin function = Builtin::range;
  std::shared_ptr<const MacroClosure> macro;  ///< function == Builtin::macro

  /// Factory helpers.
  static Value null() { return make(Kind::null); }
  static Value from_bool(bool b) {
    Value v = make(Kind::boolean);
    v.boolean = b;
    return v;
  }
  static Value from_number(double n) {
    Value v = make(Kind::number);
    v.number = n;
    return v;
  }
  static Value from_string(std::string s, bool is_safe = false) {
    Value v = make(Kind::string);
    v.string = std::move(s);
    v.safe = is_safe;
    return v;
  }
  static Value from_array(Array a) {
    Value v = make(Kind::array);
    v.array = std::make_shared<Array>(std::move(a));
    return v;
  }
  static Value from_object(ObjectPtr o) {
    Value v = make(Kind::object);
    v.object = std::move(o);
    return v;
  }
  static Value from_builtin(Builtin b) {
    Value v = make(Kind::function);
    v.function = b;
    return v;
  }
  static Value make(Kind k) {
    Value v;
    v.kind = k;
    return v;
  }
  bool is_undefined() const { return kind == Kind::undefined; }
  bool is_nullish() const { return kind == Kind::undefined || kind == Kind::null; }
  bool is_string() const { return kind == Kind::string; }
};

/// An insertion-ordered property map (JS object: integer-like keys first, ascending).
struct Object {
  std::vector<std::pair<std::string, Value>> entries;
  std::unordered_map<std::string, std::size_t> index;

  /// The property, or nullptr.
  const Value* find(const std::string& key) const;
  /// Sets a property with JS ordering rules (integer keys ordered before string keys).
  void set(const std::string& key, Value value);
};

/// Converts a JSON value to a template value (deep copy).
Value from_json(const boost::json::value& json);
/// JS ToBoolean.
bool truthy(const Value& v);
/// JS String(v) (arrays join with ",", objects "[object Object]").
std::string to_string(const Value& v);
/// JS Number(v).
double to_number(const Value& v);
/// JS String(number): shortest round-trip digits, exponent form outside [1e-7, 1e21).
std::string format_number(double n);
/// JS `==` (loose equality).
bool loose_equals(const Value& a, const Value& b);
/// JS `===`.
bool strict_equals(const Value& a, const Value& b);
/// JS `<` (abstract relational comparison); false when either side is NaN.
bool less_than(const Value& a, const Value& b);
/// JS `<=` (false when either side is NaN).
bool less_equal(const Value& a, const Value& b);
/// JS `a + b`.
Value add(const Value& a, const Value& b);
/// JS Math.pow.
double js_pow(double base, double exponent);
/// JS `obj[key]` as nunjucks memberLookup does (undefined for nullish objects, no methods).
Value member(const Value& obj, const Value& key);
/// nunjucks' lib.escape, for autoescaped output and the escape filter: & " ' < > and \ as
/// entities. (Express's own pages escape with http::escape_html_express, without the \.)
std::string escape_html_nunjucks(std::string_view s);

/// UTF-8 <-> UTF-16 so string operations count code units as JavaScript does.
std::u16string to_utf16(std::string_view s);
/// The UTF-8 encoding (lone surrogates become U+FFFD, as when Node writes them out).
std::string to_utf8(std::u16string_view s);

}  // namespace cppapp::view::tpl
