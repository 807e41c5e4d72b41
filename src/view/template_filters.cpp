#include "view/template_filters.hpp"

#include <locale.h>
#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cwctype>
#include <functional>
#include <limits>
#include <stdexcept>

namespace cppapp::view::tpl {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Value arg(const std::vector<Value>& args, std::size_t i) {
  return i < args.size() ? args[i] : Value{};
}

// nunjucks normalize(): null, undefined and false become the default.
Value normalize(const Value& v, const Value& fallback) {
  if (v.is_nullish() || (v.kind == Value::Kind::boolean && !v.boolean)) return fallback;
  return v;
}

// A string operand for String.prototype methods; other types are a JS TypeError.
const std::string& require_string(const Value& v, const char* method) {
  if (v.kind != Value::Kind::string)
    throw std::runtime_error(std::string("str.") + method + " is not a function");
  return v.string;
}

// nunjucks copySafeness(dest, target): keeps the "safe" mark of the input.
Value copy_safeness(const Value& from, std::string s) {
  return Value::from_string(std::move(s), from.safe && from.is_string());
}

// String.prototype.toLowerCase/toUpperCase with Unicode simple case mappings (C.UTF-8 tables),
// plus the one common full mapping (German sharp s upper-cases to "SS").
std::string change_case(const std::string& s, bool upper) {
  if (std::all_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out = s;
    for (char& c : out) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  std::u16string units = to_utf16(s);
  std::u16string out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    char32_t cp = units[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (units[i + 1] - 0xDC00);
      ++i;
    }
    if (upper && cp == 0xDF) {
      out += u"SS";
      continue;
    }
    if (utf8)
      cp = static_cast<char32_t>(upper ? towupper_l(static_cast<wint_t>(cp), utf8)
                                       : towlower_l(static_cast<wint_t>(cp), utf8));
    if (cp >= 0x10000) {
      out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
      out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return to_utf8(out);
}
std::string lower_case(const std::string& s) {
  return change_case(s, false);
}
std::string upper_case(const std::string& s) {
  return change_case(s, true);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string js_trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// ret.charAt(0).toUpperCase() + ret.slice(1): charAt works on UTF-16 code units.
std::string capitalize_text(const std::string& s) {
  std::u16string lower = to_utf16(lower_case(s));
  if (lower.empty()) return {};
  std::u16string first = lower.substr(0, 1);
  if (first[0] < 0xD800 || first[0] > 0xDFFF) first = to_utf16(upper_case(to_utf8(first)));
  return to_utf8(first + lower.substr(1));
}

double js_round(double x) {
  if (std::isnan(x) || std::isinf(x)) return x;
  double r = std::floor(x);
  if (x - r >= 0.5) r += 1;
  return r;
}

/// JavaScript's ToInt32, as parseInt applies it to its radix: NaN and the infinities are 0, any
/// other number its integer part modulo 2^32, read as signed. (A plain cast of NaN or of a number
/// beyond int's range is undefined behaviour.)
int to_int32(double number) {
  if (!std::isfinite(number)) return 0;
  constexpr double kTwoTo32 = 4294967296.0;
  // fmod keeps the sign, so |wrapped| < 2^32 always fits in 64 bits.
  auto wrapped = static_cast<std::int64_t>(std::fmod(std::trunc(number), kTwoTo32));
  if (wrapped < 0) wrapped += static_cast<std::int64_t>(kTwoTo32);
  if (wrapped >= (std::int64_t{1} << 31)) wrapped -= static_cast<std::int64_t>(kTwoTo32);
  return static_cast<int>(wrapped);
}

// JS parseInt(String(v), radix).
double parse_int(const Value& v, int radix) {
  std::string s = to_string(v);
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (radix == 0) radix = 10;
  if ((radix == 16 || radix == 10) && i + 1 < s.size() && s[i] == '0' &&
      (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    if (radix == 16) i += 2;
  }
  if (radix < 2 || radix > 36) return kNaN;
  double n = 0;
  std::size_t digits = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'z') ? c - 'a' + 10
            : (c >= 'A' && c <= 'Z') ? c - 'A' + 10
                                     : 99;
    if (d >= radix) break;
    n = n * radix + d;
    ++digits;
  }
  if (digits == 0) return kNaN;
  return negative ? -n : n;
}

// JS parseFloat(String(v)): the longest decimal-literal prefix.
double parse_float(const Value& v) {
  std::string s = to_string(v);
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  std::size_t start = i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (s.compare(i, 8, "Infinity") == 0) return s[start] == '-' ? -INFINITY : INFINITY;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return kNaN;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      i = j;
    }
  }
  return std::strtod(s.substr(start, i - start).c_str(), nullptr);
}

std::string encode_uri_component(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
        c == '\'' || c == '(' || c == ')') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Object.prototype.hasOwnProperty for our value kinds.
bool own_property(const Value& v, const std::string& key, Value& out) {
  if (v.kind == Value::Kind::object) {
    if (const Value* p = v.object->find(key)) {
      out = *p;
      return true;
    }
    return false;
  }
  if (v.kind == Value::Kind::array || v.kind == Value::Kind::string) {
    Value m = member(v, Value::from_string(key));
    if (m.is_undefined()) return false;
    out = m;
    return true;
  }
  return false;
}

// A stable merge sort that tolerates inconsistent comparators (JS comparators often are).
void merge_sort(Array& items, const std::function<int(const Value&, const Value&)>& cmp) {
  if (items.size() < 2) return;
  Array buffer(items.size());
  for (std::size_t width = 1; width < items.size(); width *= 2) {
    for (std::size_t lo = 0; lo < items.size(); lo += 2 * width) {
      std::size_t mid = std::min(lo + width, items.size()),
                  hi = std::min(lo + 2 * width, items.size());
      std::size_t a = lo, b = mid, k = lo;
      while (a < mid && b < hi) buffer[k++] = cmp(items[b], items[a]) < 0 ? items[b++] : items[a++];
      while (a < mid) buffer[k++] = items[a++];
      while (b < hi) buffer[k++] = items[b++];
    }
    items.swap(buffer);
  }
}

// Array.prototype.sort as V8 does it: undefined values go last uncompared; short arrays (< 64)
// are one TimSort run (natural run + binary insertion), so even inconsistent comparators
// (mixed types) give V8's order. Longer arrays merge-sort, identical for consistent comparators.
void js_sort(Array& items, const std::function<int(const Value&, const Value&)>& cmp) {
  Array defined, undefined_items;
  for (auto& v : items) (v.is_undefined() ? undefined_items : defined).push_back(std::move(v));
  const std::size_t n = defined.size();
  if (n >= 64) {
    merge_sort(defined, cmp);
  } else if (n >= 2) {
    std::size_t run = 2;
    bool descending = cmp(defined[1], defined[0]) < 0;
    for (std::size_t i = 2; i < n; ++i) {
      int order = cmp(defined[i], defined[i - 1]);
      if (descending ? order >= 0 : order < 0) break;
      ++run;
    }
    if (descending)
      std::reverse(defined.begin(), defined.begin() + static_cast<std::ptrdiff_t>(run));
    for (std::size_t start = run; start < n; ++start) {
      Value pivot = defined[start];
      std::size_t left = 0, right = start;
      while (left < right) {
        std::size_t mid = left + ((right - left) >> 1);
        if (cmp(pivot, defined[mid]) < 0) {
          right = mid;
        } else {
          left = mid + 1;
        }
      }
      for (std::size_t p = start; p > left; --p) defined[p] = std::move(defined[p - 1]);
      defined[left] = std::move(pivot);
    }
  }
  items = std::move(defined);
  for (auto& v : undefined_items) items.push_back(std::move(v));
}

// Maps keyword arguments onto positional parameters, as nunjucks makeMacro does.
void bind_keywords(std::vector<Value>& args, const KeywordArgs& kwargs,
                   const std::vector<std::string>& names) {
  if (kwargs.empty()) return;
  std::size_t count = args.size();
  for (std::size_t i = count; i < names.size(); ++i) {
    Value v;
    for (const auto& kv : kwargs)
      if (kv.first == names[i]) v = kv.second;
    args.push_back(v);
  }
}

std::string strip_tags_text(const std::string& in) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  auto is_alpha = [&](char c) { return lower(c) >= 'a' && lower(c) <= 'z'; };
  auto is_alnum = [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); };
  auto is_word = [&](char c) { return is_alnum(c) || c == '_'; };
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '<') {
      std::size_t p = i + 1;
      if (p < in.size() && in[p] == '/') ++p;
      if (p < in.size() && is_alpha(in[p])) {
        ++p;
        while (p < in.size() && is_alnum(in[p])) ++p;
        if (p >= in.size() || !is_word(in[p])) {
          std::size_t close = in.find('>', p);
          if (close != std::string::npos) {
            i = close + 1;
            continue;
          }
        }
      }
      if (in.compare(i, 4, "<!--") == 0) {
        std::size_t close = in.find("-->", i + 4);
        if (close != std::string::npos) {
          i = close + 3;
          continue;
        }
      }
    }
    out += in[i++];
  }
  return out;
}

std::string collapse_whitespace(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (is_space(s[i])) {
      while (i < s.size() && is_space(s[i])) ++i;
      out += ' ';
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string preserve_linebreaks(const std::string& s) {
  // /^ +| +$/gm, then / +/g -> ' ', \r\n -> \n, \n\n\n+ -> \n\n
  std::string lines;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = s.find_first_of("\n\r", start);
    std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::size_t b = line.find_first_not_of(' ');
    line = b == std::string::npos ? std::string() : line.substr(b);
    std::size_t e = line.find_last_not_of(' ');
    line = e == std::string::npos ? std::string() : line.substr(0, e + 1);
    lines += line;
    if (nl == std::string::npos) break;
    lines += s[nl];
    start = nl + 1;
  }
  std::string squashed;
  for (char c : lines)
    if (!(c == ' ' && !squashed.empty() && squashed.back() == ' ')) squashed += c;
  std::string lf;
  for (std::size_t i = 0; i < squashed.size(); ++i) {
    if (squashed[i] == '\r' && i + 1 < squashed.size() && squashed[i + 1] == '\n') continue;
    lf += squashed[i];
  }
  std::string out;
  for (std::size_t i = 0; i < lf.size();) {
    if (lf[i] == '\n') {
      std::size_t j = i;
      while (j < lf.size() && lf[j] == '\n') ++j;
      out.append(j - i >= 3 ? 2 : j - i, '\n');
      i = j;
    } else {
      out += lf[i++];
    }
  }
  return out;
}

Value sort_filter(std::vector<Value> args, const KeywordArgs& kwargs) {
  bind_keywords(args, kwargs, {"value", "reverse", "case_sensitive", "attribute"});
  const Value input = arg(args, 0);
  const bool reversed = truthy(arg(args, 1));
  const bool case_sensitive = truthy(arg(args, 2));
  const Value attr = arg(args, 3);
  Array items;
  if (input.kind == Value::Kind::array) items = *input.array;
  std::vector<std::string> parts;
  if (truthy(attr)) {
    if (attr.is_string()) {
      std::size_t start = 0;
      while (true) {
        std::size_t dot = attr.string.find('.', start);
        parts.push_back(
            attr.string.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
    } else {
      parts.push_back(to_string(attr));
    }
  }
  auto get = [&](const Value& item) {
    if (parts.empty()) return item;
    Value cur = item;
    for (const auto& part : parts) {
      Value next;
      if (!own_property(cur, part, next)) return Value{};
      cur = next;
    }
    return cur;
  };
  js_sort(items, [&](const Value& a, const Value& b) {
    Value x = get(a), y = get(b);
    if (!case_sensitive && x.is_string() && !x.safe && y.is_string() && !y.safe) {
      x = Value::from_string(lower_case(x.string));
      y = Value::from_string(lower_case(y.string));
    }
    if (less_than(x, y)) return reversed ? 1 : -1;
    if (less_than(y, x)) return reversed ? -1 : 1;
    return 0;
  });
  return Value::from_array(std::move(items));
}

Value replace_filter(const std::vector<Value>& args) {
  Value str = arg(args, 0), old = arg(args, 1), replacement = arg(args, 2);
  double max_count = args.size() > 3 && !args[3].is_undefined() ? to_number(args[3]) : -1;
  const Value original = str;
  if (old.kind == Value::Kind::number) {
    old = Value::from_string(to_string(old));
  } else if (!old.is_string() || old.safe) {
    return str;
  }
  if (str.kind == Value::Kind::number) str = Value::from_string(to_string(str));
  if (!str.is_string()) return str;
  const std::string with = to_string(replacement);
  if (old.string.empty()) {
    std::u16string units = to_utf16(str.string);
    std::string res = with;
    for (std::size_t i = 0; i < units.size(); ++i) {
      if (i) res += with;
      res += to_utf8(units.substr(i, 1));
    }
    return copy_safeness(str, res + with);
  }
  std::size_t next = str.string.find(old.string);
  if (max_count == 0 || next == std::string::npos) return str;
  std::string res;
  std::size_t pos = 0;
  double count = 0;
  while (next != std::string::npos && (max_count == -1 || count < max_count)) {
    res += str.string.substr(pos, next - pos) + with;
    pos = next + old.string.size();
    ++count;
    next = str.string.find(old.string, pos);
  }
  if (pos < str.string.size()) res += str.string.substr(pos);
  return copy_safeness(original, res);
}

// ToIntegerOrInfinity clamped to [0, size], as String.prototype.substring reads its bounds.
std::size_t clamp_index(double n, std::size_t size) {
  if (std::isnan(n) || n <= 0) return 0;
  if (n >= static_cast<double>(size)) return size;
  return static_cast<std::size_t>(n);
}

// nunjucks truncate(input, length, killwords, end) with JavaScript's coercions: `length` may be
// anything (a keyword-argument object is NaN), compared with `<=` and used as a string index.
Value truncate_filter(const std::vector<Value>& args) {
  const Value orig = arg(args, 0);
  Value input = normalize(orig, Value::from_string(""));
  const Value length = truthy(arg(args, 1)) ? args[1] : Value::from_number(255);
  if (!input.is_string()) {
    // `input.length <= length` then String methods: only short arrays pass through unchanged.
    Value len = member(input, Value::from_string("length"));
    if (len.kind == Value::Kind::number && less_equal(len, length)) return input;
    throw std::runtime_error(truthy(arg(args, 2)) ? "input.substring is not a function"
                                                  : "input.lastIndexOf is not a function");
  }
  std::u16string units = to_utf16(input.string);
  if (less_equal(Value::from_number(static_cast<double>(units.size())), length)) return input;
  const double limit = to_number(length);
  std::size_t cut = clamp_index(limit, units.size());
  if (!truthy(arg(args, 2))) {
    // lastIndexOf(' ', length): a NaN position searches the whole string.
    const std::size_t from = std::isnan(limit) ? units.size() : cut;
    std::size_t idx = units.rfind(u' ', from);
    if (idx != std::u16string::npos) cut = idx;
  }
  std::string result = to_utf8(units.substr(0, cut));
  Value end = arg(args, 3);
  result += end.is_nullish() ? "..." : to_string(end);
  return copy_safeness(orig, result);
}

// nunjucks batch(arr, linecount, fillWith): rows of `linecount` items (`i % linecount === 0`
// starts a row, so a NaN or zero count gives one row), the last row padded when fillWith is
// truthy. Strings batch their UTF-16 code units; values without a length give no rows.
Value batch_filter(const std::vector<Value>& args) {
  const Value input = arg(args, 0);
  if (input.is_nullish())
    throw std::runtime_error("Cannot read properties of " + to_string(input) +
                             " (reading 'length')");
  Array items;
  if (input.kind == Value::Kind::array) {
    items = *input.array;
  } else if (input.is_string()) {
    const std::u16string units = to_utf16(input.string);
    for (std::size_t i = 0; i < units.size(); ++i) {
      // A SafeString has a length but no indexed characters.
      items.push_back(input.safe ? Value{} : Value::from_string(to_utf8(units.substr(i, 1))));
    }
  }
  const Value linecount = arg(args, 1);
  const double count = to_number(linecount);
  Array rows;
  Array row;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (std::fmod(static_cast<double>(i), count) == 0 && !row.empty()) {
      rows.push_back(Value::from_array(std::move(row)));
      row.clear();
    }
    row.push_back(items[i]);
  }
  if (!row.empty()) {
    if (truthy(arg(args, 2))) {
      constexpr std::size_t kMaxRow = 1000000;  // batch(1e12, "x") must not exhaust memory
      for (std::size_t i = row.size();
           less_than(Value::from_number(static_cast<double>(i)), linecount); ++i) {
        if (row.size() >= kMaxRow) throw std::runtime_error("batch: too many items");
        row.push_back(args[2]);
      }
    }
    rows.push_back(Value::from_array(std::move(row)));
  }
  return Value::from_array(std::move(rows));
}

// nunjucks wordcount(str): the number of /\w+/g matches, null when there are none.
Value wordcount_filter(const Value& input) {
  const Value str = normalize(input, Value::from_string(""));
  if (!truthy(str)) return Value::null();
  const std::string& s = require_string(str, "match");
  auto is_word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  double words = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_word(s[i]) && (i == 0 || !is_word(s[i - 1]))) ++words;
  }
  return words == 0 ? Value::null() : Value::from_number(words);
}

Value urlencode_filter(const Value& v) {
  if (v.is_string()) return Value::from_string(encode_uri_component(v.string));
  std::string out;
  auto add_pair = [&](const Value& k, const Value& val) {
    if (!out.empty()) out += '&';
    out += encode_uri_component(to_string(k)) + "=" + encode_uri_component(to_string(val));
  };
  if (v.kind == Value::Kind::array) {
    for (const auto& item : *v.array) {
      if (item.is_nullish())
        throw std::runtime_error("urlencode: array items must be [key, value] pairs");
      add_pair(member(item, Value::from_number(0)), member(item, Value::from_number(1)));
    }
  } else if (v.kind == Value::Kind::object) {
    for (const auto& kv : v.object->entries) add_pair(Value::from_string(kv.first), kv.second);
  }  // other values have no enumerable keys: ""
  return Value::from_string(out);
}

Value join_filter(const std::vector<Value>& args) {
  Value input = arg(args, 0), del = arg(args, 1), attr = arg(args, 2);
  std::string sep = truthy(del) ? to_string(del) : "";
  if (input.kind != Value::Kind::array) throw std::runtime_error("arr.join is not a function");
  std::string out;
  for (std::size_t i = 0; i < input.array->size(); ++i) {
    if (i) out += sep;
    Value item = (*input.array)[i];
    if (truthy(attr)) item = member(item, attr);
    if (!item.is_nullish()) out += to_string(item);
  }
  return Value::from_string(out);
}

Value length_filter(const Value& v) {
  Value value = normalize(v, Value::from_string(""));
  if (value.kind == Value::Kind::object)
    return Value::from_number(static_cast<double>(value.object->entries.size()));
  if (value.is_string() && value.safe)
    return Value::from_number(static_cast<double>(to_utf16(value.string).size()));
  return member(value, Value::from_string("length"));
}

Value reverse_filter(const Value& v) {
  if (v.is_string() && !v.safe) {
    std::u16string units = to_utf16(v.string);
    std::reverse(units.begin(), units.end());
    return Value::from_string(to_utf8(units));
  }
  if (v.is_string()) {  // lib.map over a SafeString object: indexes are undefined
    return Value::from_array(Array(to_utf16(v.string).size()));
  }
  Array items;
  if (v.kind == Value::Kind::array) items.assign(v.array->rbegin(), v.array->rend());
  return Value::from_array(std::move(items));
}

Value first_or_last(const Value& v, bool last) {
  if (v.is_nullish())
    throw std::runtime_error(std::string("Cannot read properties of ") +
                             (v.is_undefined() ? "undefined" : "null"));
  if (!last) return member(v, Value::from_number(0));
  Value len = member(v, Value::from_string("length"));
  return member(v, Value::from_number(to_number(len) - 1));
}

}  // namespace

std::optional<Value> apply_filter(const std::string& name, std::vector<Value> args,
                                  const KeywordArgs& kwargs) {
  if (name == "sort") return sort_filter(std::move(args), kwargs);
  if (name == "int") {
    bind_keywords(args, kwargs, {"value", "default", "base"});
    Value base = arg(args, 2);
    double res = parse_int(arg(args, 0), base.is_undefined() ? 10 : to_int32(to_number(base)));
    return std::isnan(res) ? arg(args, 1) : Value::from_number(res);
  }
  if (!kwargs.empty()) {  // other filters receive the keyword object as a trailing argument
    auto obj = std::make_shared<Object>();
    for (const auto& kv : kwargs) obj->set(kv.first, kv.second);
    args.push_back(Value::from_object(obj));
  }
  const Value input = arg(args, 0);
  if (name == "safe" || name == "escape" || name == "e") {
    if (input.is_string() && input.safe) return input;
    std::string text = input.is_nullish() ? "" : to_string(input);
    return Value::from_string(name == "safe" ? text : escape_html_nunjucks(text), true);
  }
  if (name == "forceescape")
    return Value::from_string(escape_html_nunjucks(input.is_nullish() ? "" : to_string(input)),
                              true);
  if (name == "default" || name == "d") {
    if (truthy(arg(args, 2))) return truthy(input) ? input : arg(args, 1);
    return input.is_undefined() ? arg(args, 1) : input;
  }
  if (name == "length") return length_filter(input);
  if (name == "upper" || name == "lower") {
    Value v = normalize(input, Value::from_string(""));
    const std::string& s = require_string(v, name == "upper" ? "toUpperCase" : "toLowerCase");
    return Value::from_string(name == "upper" ? upper_case(s) : lower_case(s));
  }
  if (name == "capitalize") {
    Value v = normalize(input, Value::from_string(""));
    return copy_safeness(v, capitalize_text(require_string(v, "toLowerCase")));
  }
  if (name == "title") {
    Value v = normalize(input, Value::from_string(""));
    const std::string& s = require_string(v, "split");
    std::string out;
    std::size_t start = 0;
    while (true) {
      std::size_t sp = s.find(' ', start);
      out += capitalize_text(
          s.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
      if (sp == std::string::npos) break;
      out += ' ';
      start = sp + 1;
    }
    return copy_safeness(v, out);
  }
  if (name == "trim") return copy_safeness(input, js_trim(require_string(input, "replace")));
  if (name == "join") return join_filter(args);
  if (name == "first" || name == "last") return first_or_last(input, name == "last");
  if (name == "replace") return replace_filter(args);
  if (name == "truncate") return truncate_filter(args);
  if (name == "batch") return batch_filter(args);
  if (name == "wordcount") return wordcount_filter(input);
  if (name == "round") {
    double precision = truthy(arg(args, 1)) ? to_number(args[1]) : 0;
    double factor = js_pow(10, precision);
    std::string method = arg(args, 2).is_string() ? args[2].string : "";
    double x = to_number(input) * factor;
    double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : js_round(x);
    return Value::from_number(r / factor);
  }
  if (name == "float") {
    double res = parse_float(input);
    return std::isnan(res) ? arg(args, 1) : Value::from_number(res);
  }
  if (name == "abs") return Value::from_number(std::fabs(to_number(input)));
  if (name == "reverse") return reverse_filter(input);
  if (name == "urlencode") return urlencode_filter(input);
  if (name == "striptags") {
    Value v = normalize(input, Value::from_string(""));
    std::string stripped = js_trim(strip_tags_text(require_string(v, "replace")));
    return copy_safeness(
        v, truthy(arg(args, 1)) ? preserve_linebreaks(stripped) : collapse_whitespace(stripped));
  }
  if (name == "string") {
    if (input.is_nullish())
      throw std::runtime_error(std::string("Cannot read properties of ") + to_string(input) +
                               " (reading 'toString')");
    return copy_safeness(input, to_string(input));
  }
  if (name == "nl2br") {
    if (input.is_nullish()) return Value::from_string("");
    const std::string& s = require_string(input, "replace");
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
        out += "<br />\n";
        ++i;
      } else if (s[i] == '\n') {
        out += "<br />\n";
      } else {
        out += s[i];
      }
    }
    return copy_safeness(input, out);
  }
  return std::nullopt;
}

std::optional<bool> apply_test(const std::string& name, const std::vector<Value>& args) {
  const Value v = arg(args, 0), other = arg(args, 1);
  auto number_mod = [](const Value& a, double m) { return std::fmod(to_number(a), m); };
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "null") return v.kind == Value::Kind::null;
  if (name == "number") return v.kind == Value::Kind::number;
  if (name == "string") return v.is_string() && !v.safe;
  if (name == "callable") return v.kind == Value::Kind::function;
  if (name == "escaped") return v.is_string() && v.safe;
  if (name == "truthy") return truthy(v);
  if (name == "falsy") return !truthy(v);
  if (name == "odd") return number_mod(v, 2) == 1;
  if (name == "even") return number_mod(v, 2) == 0;
  if (name == "divisibleby") return std::fmod(to_number(v), to_number(other)) == 0;
  if (name == "equalto" || name == "eq" || name == "sameas") return strict_equals(v, other);
  if (name == "ne") return !strict_equals(v, other);
  if (name == "lt" || name == "lessthan") return less_than(v, other);
  if (name == "gt" || name == "greaterthan") return less_than(other, v);
  if (name == "le") return less_equal(v, other);
  if (name == "ge") return less_equal(other, v);
  if (name == "mapping") return v.kind == Value::Kind::object || (v.is_string() && v.safe);
  if (name == "iterable") return v.kind == Value::Kind::array || (v.is_string() && !v.safe);
  if (name == "lower" || name == "upper") {
    const std::string& s = require_string(v, name == "lower" ? "toLowerCase" : "toUpperCase");
    return (name == "lower" ? lower_case(s) : upper_case(s)) == s;
  }
  return std::nullopt;
}

Value builtin_range(const std::vector<Value>& args) {
  constexpr std::size_t kMaxItems = 1000000;  // a hostile range(1e12) must not exhaust memory
  double start = to_number(arg(args, 0)), stop = 0, step = 1;
  if (arg(args, 1).is_undefined()) {
    stop = start;
    start = 0;
  } else {
    stop = to_number(args[1]);
    if (truthy(arg(args, 2))) step = to_number(args[2]);
  }
  Array out;
  auto push = [&](double i) {
    if (out.size() >= kMaxItems) throw std::runtime_error("range: too many items");
    out.push_back(Value::from_number(i));
  };
  if (step > 0) {
    for (double i = start; i < stop; i += step) push(i);
  } else {
    for (double i = start; i > stop; i += step) push(i);
  }
  return Value::from_array(std::move(out));
}

}  // namespace cppapp::view::tpl
