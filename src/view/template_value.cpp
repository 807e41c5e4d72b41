#include "view/template_value.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace cppapp::view::tpl {
namespace {

// String(macro) in nunjucks 3.2.4: the source of runtime.makeMacro's wrapper, as Node prints it.
constexpr std::string_view kMacroSource =
    "function macro() {\n"
    "    for (var _len = arguments.length, macroArgs = new Array(_len), _key = 0; _key < _len; "
    "_key++) {\n"
    "      macroArgs[_key] = arguments[_key];\n"
    "    }\n"
    "    var argCount = numArgs(macroArgs);\n"
    "    var args;\n"
    "    var kwargs = getKeywordArgs(macroArgs);\n"
    "    if (argCount > argNames.length) {\n"
    "      args = macroArgs.slice(0, argNames.length);\n"
    "\n"
    "      // Positional arguments that should be passed in as\n"
    "      // keyword arguments (essentially default values)\n"
    "      macroArgs.slice(args.length, argCount).forEach(function (val, i) {\n"
    "        if (i < kwargNames.length) {\n"
    "          kwargs[kwargNames[i]] = val;\n"
    "        }\n"
    "      });\n"
    "      args.push(kwargs);\n"
    "    } else if (argCount < argNames.length) {\n"
    "      args = macroArgs.slice(0, argCount);\n"
    "      for (var i = argCount; i < argNames.length; i++) {\n"
    "        var arg = argNames[i];\n"
    "\n"
    "        // Keyword arguments that should be passed as\n"
    "        // positional arguments, i.e. the caller explicitly\n"
    "        // used the name of a positional arg\n"
    "        args.push(kwargs[arg]);\n"
    "        delete kwargs[arg];\n"
    "      }\n"
    "      args.push(kwargs);\n"
    "    } else {\n"
    "      args = macroArgs;\n"
    "    }\n"
    "    return func.apply(this, args);\n"
    "  }";

}  // namespace

namespace {

// A canonical JS array index ("0", "17", not "01"), which JS orders before other keys.
bool is_index_key(const std::string& key, unsigned long long& out) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  unsigned long long n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n >= 4294967295ULL) return false;
  out = n;
  return true;
}

bool is_js_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

double string_to_number(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_js_space(s[b])) ++b;
  while (e > b && is_js_space(s[e - 1])) --e;
  s = s.substr(b, e - b);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0' &&
      (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B')) {
    int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    double n = 0;
    for (char c : s.substr(2)) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : 99;
      if (d >= base) return std::numeric_limits<double>::quiet_NaN();
      n = n * base + d;
    }
    return n;
  }
  std::size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
  if (s.substr(i) == "Infinity")
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return std::numeric_limits<double>::quiet_NaN();
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return std::numeric_limits<double>::quiet_NaN();
  }
  if (i != s.size()) return std::numeric_limits<double>::quiet_NaN();
  std::string copy(s);
  return std::strtod(copy.c_str(), nullptr);
}

// JS ToPrimitive for our value kinds: arrays and objects become their string forms.
Value to_primitive(const Value& v) {
  if (v.kind == Value::Kind::array || v.kind == Value::Kind::object ||
      v.kind == Value::Kind::function)
    return Value::from_string(to_string(v));
  return v;
}

}  // namespace

const Value* Object::find(const std::string& key) const {
  auto it = index.find(key);
  return it == index.end() ? nullptr : &entries[it->second].second;
}

void Object::set(const std::string& key, Value value) {
  auto it = index.find(key);
  if (it != index.end()) {
    entries[it->second].second = std::move(value);
    return;
  }
  unsigned long long n = 0;
  if (is_index_key(key, n)) {
    // Insert among the leading index keys in ascending order.
    std::size_t pos = 0;
    unsigned long long m = 0;
    while (pos < entries.size() && is_index_key(entries[pos].first, m) && m < n) ++pos;
    entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(pos), {key, std::move(value)});
    for (std::size_t i = pos; i < entries.size(); ++i) index[entries[i].first] = i;
    return;
  }
  index[key] = entries.size();
  entries.emplace_back(key, std::move(value));
}

Value from_json(const boost::json::value& json) {
  switch (json.kind()) {
    case boost::json::kind::null:
      return Value::null();
    case boost::json::kind::bool_:
      return Value::from_bool(json.get_bool());
    case boost::json::kind::int64:
      return Value::from_number(static_cast<double>(json.get_int64()));
    case boost::json::kind::uint64:
      return Value::from_number(static_cast<double>(json.get_uint64()));
    case boost::json::kind::double_:
      return Value::from_number(json.get_double());
    case boost::json::kind::string:
      return Value::from_string(std::string(json.get_string()));
    case boost::json::kind::array: {
      Array a;
      a.reserve(json.get_array().size());
      for (const auto& item : json.get_array()) a.push_back(from_json(item));
      return Value::from_array(std::move(a));
    }
    case boost::json::kind::object: {
      auto o = std::make_shared<Object>();
      for (const auto& kv : json.get_object()) o->set(std::string(kv.key()), from_json(kv.value()));
      return Value::from_object(std::move(o));
    }
  }
  return {};
}

bool truthy(const Value& v) {
  switch (v.kind) {
    case Value::Kind::undefined:
    case Value::Kind::null:
      return false;
    case Value::Kind::boolean:
      return v.boolean;
    case Value::Kind::number:
      return v.number != 0 && !std::isnan(v.number);
    case Value::Kind::string:
      return v.safe || !v.string.empty();  // a SafeString is an object: always truthy
    default:
      return true;
  }
}

std::string format_number(double n) {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n < 0 ? "-Infinity" : "Infinity";
  if (n == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, n, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  auto epos = sci.find('e');
  std::string digits = sci.substr(0, epos);
  int exponent = std::atoi(sci.c_str() + epos + 1);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the decimal point
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size());
  int point = exponent + 1;  // position of the decimal point relative to the digits
  std::string out;
  if (k <= point && point <= 21) {
    out = digits + std::string(static_cast<std::size_t>(point - k), '0');
  } else if (0 < point && point <= 21) {
    out = digits.substr(0, static_cast<std::size_t>(point)) + "." +
          digits.substr(static_cast<std::size_t>(point));
  } else if (-6 < point && point <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else {
    int e = point - 1;
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += e < 0 ? "e-" : "e+";
    out += std::to_string(e < 0 ? -e : e);
  }
  return sign + out;
}

std::string to_string(const Value& v) {
  switch (v.kind) {
    case Value::Kind::undefined:
      return "undefined";
    case Value::Kind::null:
      return "null";
    case Value::Kind::boolean:
      return v.boolean ? "true" : "false";
    case Value::Kind::number:
      return format_number(v.number);
    case Value::Kind::string:
      return v.string;
    case Value::Kind::array: {
      std::string out;
      for (std::size_t i = 0; i < v.array->size(); ++i) {
        if (i) out += ',';
        const Value& item = (*v.array)[i];
        if (!item.is_nullish()) out += to_string(item);
      }
      return out;
    }
    case Value::Kind::object:
      return "[object Object]";
    case Value::Kind::function:
      return v.function == Builtin::macro ? std::string(kMacroSource)
                                          : "function range() { [native code] }";
  }
  return {};
}

double to_number(const Value& v) {
  switch (v.kind) {
    case Value::Kind::undefined:
      return std::numeric_limits<double>::quiet_NaN();
    case Value::Kind::null:
      return 0;
    case Value::Kind::boolean:
      return v.boolean ? 1 : 0;
    case Value::Kind::number:
      return v.number;
    case Value::Kind::string:
      return string_to_number(v.string);
    case Value::Kind::array:
      return string_to_number(to_string(v));
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

bool strict_equals(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::undefined:
    case Value::Kind::null:
      return true;
    case Value::Kind::boolean:
      return a.boolean == b.boolean;
    case Value::Kind::number:
      return a.number == b.number;
    case Value::Kind::string:
      if (a.safe || b.safe) return false;  // SafeString objects compare by identity
      return a.string == b.string;
    case Value::Kind::array:
      return a.array == b.array;
    case Value::Kind::object:
      return a.object == b.object;
    case Value::Kind::function:
      return a.function == b.function && a.macro == b.macro;
  }
  return false;
}

bool loose_equals(const Value& a, const Value& b) {
  if (a.is_nullish() || b.is_nullish()) return a.is_nullish() && b.is_nullish();
  auto is_reference = [](const Value& v) {
    return v.kind == Value::Kind::array || v.kind == Value::Kind::object ||
           v.kind == Value::Kind::function || (v.kind == Value::Kind::string && v.safe);
  };
  if (is_reference(a) && is_reference(b)) return strict_equals(a, b);
  Value pa = to_primitive(a), pb = to_primitive(b);
  if (pa.kind == Value::Kind::string && pb.kind == Value::Kind::string)
    return pa.string == pb.string;
  if (pa.kind == pb.kind && pa.kind != Value::Kind::string) return strict_equals(pa, pb);
  return to_number(pa) == to_number(pb);
}

bool less_than(const Value& a, const Value& b) {
  Value pa = to_primitive(a), pb = to_primitive(b);
  if (pa.kind == Value::Kind::string && pb.kind == Value::Kind::string) {
    return to_utf16(pa.string) < to_utf16(pb.string);
  }
  double x = to_number(pa), y = to_number(pb);
  return x < y;
}

bool less_equal(const Value& a, const Value& b) {
  Value pa = to_primitive(a), pb = to_primitive(b);
  if (pa.kind == Value::Kind::string && pb.kind == Value::Kind::string)
    return !(to_utf16(pb.string) < to_utf16(pa.string));
  double x = to_number(pa), y = to_number(pb);
  return x <= y;
}

Value add(const Value& a, const Value& b) {
  Value pa = to_primitive(a), pb = to_primitive(b);
  if (pa.kind == Value::Kind::string || pb.kind == Value::Kind::string)
    return Value::from_string(to_string(pa) + to_string(pb));
  return Value::from_number(to_number(pa) + to_number(pb));
}

double js_pow(double base, double exponent) {
  if (std::isnan(exponent)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(exponent) && std::fabs(base) == 1) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(base, exponent);
}

namespace {
// An array/string index from a lookup key, if the key is a canonical index.
bool key_index(const Value& key, std::size_t& out) {
  if (key.kind == Value::Kind::number) {
    if (key.number < 0 || key.number != std::floor(key.number) || key.number > 4294967294.0)
      return false;
    out = static_cast<std::size_t>(key.number);
    return true;
  }
  unsigned long long n = 0;
  if (key.kind == Value::Kind::string && is_index_key(key.string, n)) {
    out = static_cast<std::size_t>(n);
    return true;
  }
  return false;
}
}  // namespace

Value member(const Value& obj, const Value& key) {
  switch (obj.kind) {
    case Value::Kind::string: {
      std::string k = to_string(key);
      std::u16string units = to_utf16(obj.string);
      if (k == "length") return Value::from_number(static_cast<double>(units.size()));
      std::size_t i = 0;
      if (!obj.safe && key_index(key, i) && i < units.size())
        return Value::from_string(to_utf8(units.substr(i, 1)));
      return {};
    }
    case Value::Kind::array: {
      std::size_t i = 0;
      if (key_index(key, i)) return i < obj.array->size() ? (*obj.array)[i] : Value{};
      if (to_string(key) == "length")
        return Value::from_number(static_cast<double>(obj.array->size()));
      return {};
    }
    case Value::Kind::object: {
      const Value* v = obj.object->find(to_string(key));
      return v ? *v : Value{};
    }
    default:
      return {};
  }
}

std::string escape_html_nunjucks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\\':
        out += "&#92;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::u16string to_utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < s.size()) {
      cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
      len = 2;
    } else if ((c >> 4) == 0xE && i + 2 < s.size()) {
      cp = ((c & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3F);
      len = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < s.size()) {
      cp = ((c & 0x07) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 3]) & 0x3F);
      len = 4;
    }
    i += len;
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp > 0x10FFFF ? 0xFFFD : cp);
    }
  }
  return out;
}

std::string to_utf8(std::u16string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
        s[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

}  // namespace cppapp::view::tpl
