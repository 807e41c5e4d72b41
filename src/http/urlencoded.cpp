#include "http/urlencoded.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "http/body_parser.hpp"

namespace cppapp::http {
namespace {

// A JavaScript value as qs builds it: a string, a possibly sparse array or an object whose keys
// iterate in JavaScript's order. qs 6.16 also tags some containers by identity (side channels):
// "overflow" objects (an array that outgrew arrayLimit, with its highest numeric index) and
// "conflict" containers (a strictMerge wrap of an object and a plain value, with its last
// index). The tags travel with the value here, as the identity does in JavaScript.
struct JsValue {
  enum class Kind { string, array, object };
  Kind kind = Kind::string;
  std::string text;
  // Array slots; null is a hole. Pointers keep a hole at 8 bytes: `a[999]=x` makes 999 of them.
  std::vector<std::unique_ptr<JsValue>> items;
  std::vector<std::pair<std::string, JsValue>> entries;  // object, in insertion order
  std::optional<double> overflow_max;
  std::optional<double> conflict_max;

  static JsValue string(std::string s) {
    JsValue v;
    v.text = std::move(s);
    return v;
  }
  static JsValue array() {
    JsValue v;
    v.kind = Kind::array;
    return v;
  }
  static JsValue object() {
    JsValue v;
    v.kind = Kind::object;
    return v;
  }
  bool is_object_like() const { return kind != Kind::string; }
  // JavaScript truthiness: only the empty string is falsy among our values.
  bool truthy() const { return kind != Kind::string || !text.empty(); }

  JsValue* find(std::string_view key) {
    for (auto& [k, v] : entries) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  // `obj[key] = value`: an existing key keeps its place.
  void set(std::string key, JsValue value) {
    if (JsValue* existing = find(key)) {
      *existing = std::move(value);
    } else {
      entries.emplace_back(std::move(key), std::move(value));
    }
  }
  void push(JsValue value) { items.push_back(std::make_unique<JsValue>(std::move(value))); }
  // `arr[index] = value`, growing the array with holes.
  void put(std::size_t index, JsValue value) {
    if (index >= items.size()) items.resize(index + 1);
    items[index] = std::make_unique<JsValue>(std::move(value));
  }

  // Declared here and defaulted below: a member vector of pairs holding JsValue needs the type
  // complete, which clang (unlike g++) insists on before instantiating the special members.
  JsValue();
  JsValue(JsValue&&) noexcept;
  JsValue& operator=(JsValue&&) noexcept;
  ~JsValue();
};
JsValue::JsValue() = default;
JsValue::JsValue(JsValue&&) noexcept = default;
JsValue& JsValue::operator=(JsValue&&) noexcept = default;
JsValue::~JsValue() = default;

// Canonical array-index keys ("0", "17", not "01") iterate first, ascending, in JavaScript.
std::optional<std::uint32_t> array_index(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n >= 4294967295ULL) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

// Object.keys order: the positions of `entries` in JavaScript iteration order.
std::vector<std::size_t> js_key_order(const JsValue& object) {
  std::vector<std::pair<std::uint32_t, std::size_t>> indexed;
  std::vector<std::size_t> named;
  for (std::size_t i = 0; i < object.entries.size(); ++i) {
    if (auto index = array_index(object.entries[i].first)) {
      indexed.emplace_back(*index, i);
    } else {
      named.push_back(i);
    }
  }
  std::sort(indexed.begin(), indexed.end());
  std::vector<std::size_t> order;
  order.reserve(object.entries.size());
  for (const auto& [index, position] : indexed) order.push_back(position);
  order.insert(order.end(), named.begin(), named.end());
  return order;
}

// String(n) for an integral JavaScript number: the shortest round-trip digits, padded with zeros
// below 1e21 (String(2 ** 60) is "1152921504606847000"); NaN prints "NaN".
std::string js_number_key(std::optional<double> n) {
  if (!n || std::isnan(*n)) return "NaN";
  if (*n == 0) return "0";
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, std::fabs(*n), std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const std::size_t e = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(std::string(scientific.substr(e + 1)).c_str());
  std::string out = *n < 0 ? "-" : "";
  if (exponent >= 21 || exponent < 0) return out + std::string(scientific);  // not reached here
  const auto width = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() < width) digits.append(width - digits.size(), '0');
  return out + digits;
}

// parseInt(s, 10): optional sign and leading decimal digits; nullopt for NaN.
std::optional<double> js_parse_int(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  std::size_t end = i;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  if (end == i) return std::nullopt;
  const double value = std::strtod(std::string(s.substr(i, end - i)).c_str(), nullptr);
  return negative ? -value : value;
}

// `String(parseInt(key, 10)) === key`: the number when `key` is exactly how JavaScript prints it.
std::optional<double> canonical_integer(std::string_view key) {
  const auto n = js_parse_int(key);
  if (!n || js_number_key(n) != key) return std::nullopt;
  return n;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// decodeURIComponent: nullopt where JavaScript throws URIError (bad escape, invalid UTF-8).
std::optional<std::string> decode_uri_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto escaped_byte = [&](std::size_t i) -> int {
    if (i + 2 >= s.size() || s[i] != '%') return -1;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out += s[i++];
      continue;
    }
    const int b0 = escaped_byte(i);
    if (b0 < 0) return std::nullopt;
    i += 3;
    if (b0 < 0x80) {
      out += static_cast<char>(b0);
      continue;
    }
    int n = 0;
    char32_t cp = 0;
    if ((b0 & 0xe0) == 0xc0) {
      n = 2, cp = static_cast<char32_t>(b0 & 0x1f);
    } else if ((b0 & 0xf0) == 0xe0) {
      n = 3, cp = static_cast<char32_t>(b0 & 0x0f);
    } else if ((b0 & 0xf8) == 0xf0) {
      n = 4, cp = static_cast<char32_t>(b0 & 0x07);
    } else {
      return std::nullopt;
    }
    std::string bytes(1, static_cast<char>(b0));
    for (int k = 1; k < n; ++k) {
      const int b = escaped_byte(i);
      if (b < 0 || (b & 0xc0) != 0x80) return std::nullopt;
      i += 3;
      cp = (cp << 6) | static_cast<char32_t>(b & 0x3f);
      bytes += static_cast<char>(b);
    }
    const char32_t minimum = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    out += bytes;
  }
  return out;
}

// qs utils.decode: '+' is a space; undecodable text is kept as it is.
std::string qs_decode(std::string_view s) {
  std::string plus_free(s);
  std::replace(plus_free.begin(), plus_free.end(), '+', ' ');
  if (auto decoded = decode_uri_component(plus_free)) return std::move(*decoded);
  return plus_free;
}

// utils.arrayToObject: the array's elements under their indexes, holes left out.
JsValue array_to_object(JsValue array) {
  JsValue out = JsValue::object();
  for (std::size_t i = 0; i < array.items.size(); ++i) {
    if (array.items[i]) out.entries.emplace_back(std::to_string(i), std::move(*array.items[i]));
  }
  return out;
}

// utils.markOverflow(arrayToObject(array), max_index)
JsValue overflow_object(JsValue array, double max_index) {
  JsValue out = array_to_object(std::move(array));
  out.overflow_max = max_index;
  return out;
}

// Appends `v` as `[].concat(..., v)` does: an array's slots (holes kept), else the value itself.
void concat_into(JsValue& out, JsValue v) {
  if (v.kind == JsValue::Kind::array) {
    for (auto& item : v.items) out.items.push_back(std::move(item));
  } else {
    out.push(std::move(v));
  }
}

// utils.combine: `[].concat(a, b)`, an object once longer than arrayLimit; an overflow object
// `a` takes b's values at its next indexes.
JsValue combine(JsValue a, JsValue b, std::size_t array_limit) {
  if (a.overflow_max) {
    std::vector<JsValue> values;
    if (b.kind == JsValue::Kind::array) {
      for (auto& item : b.items) {
        // `a[i] = undefined` for a hole: JSON.stringify leaves such a key out.
        if (item) values.push_back(std::move(*item));
      }
    } else {
      values.push_back(std::move(b));
    }
    double index = *a.overflow_max;
    for (auto& value : values) a.set(js_number_key(++index), std::move(value));
    a.overflow_max = index;
    return a;
  }
  JsValue out = JsValue::array();
  concat_into(out, std::move(a));
  concat_into(out, std::move(b));
  if (out.items.size() > array_limit) {
    const auto last = static_cast<double>(out.items.size() - 1);
    return overflow_object(std::move(out), last);
  }
  return out;
}

// utils.limitedPair: `[first, second]`, or an overflow object when arrayLimit is below 2.
JsValue limited_pair(JsValue first, JsValue second, std::size_t array_limit) {
  JsValue pair = JsValue::array();
  pair.push(std::move(first));
  pair.push(std::move(second));
  if (array_limit < 2) return overflow_object(std::move(pair), 1);
  return pair;
}

// utils.maxNumericIndex
double max_numeric_index(const JsValue& object, double min) {
  double max = min;
  for (const auto& [key, value] : object.entries) {
    if (auto n = canonical_integer(key); n && *n > max) max = *n;
  }
  return max;
}

// qs 6.16 utils.merge as parse calls it (allowPrototypes, strictMerge, plainObjects off,
// throwOnLimitExceeded off). Recursion is bounded by the key depth limit.
JsValue merge(JsValue target, JsValue source, std::size_t array_limit) {
  if (!source.truthy()) return target;
  if (!source.is_object_like()) {
    if (target.kind == JsValue::Kind::array) {
      const std::size_t next = target.items.size();
      if (next >= array_limit) {
        target.push(std::move(source));
        return overflow_object(std::move(target), static_cast<double>(next));
      }
      target.push(std::move(source));
    } else if (target.kind == JsValue::Kind::object) {
      if (target.overflow_max) {
        const double index = *target.overflow_max + 1;
        target.set(js_number_key(index), std::move(source));
        target.overflow_max = index;
      } else if (target.conflict_max) {
        const double index = *target.conflict_max + 1;
        target.set(js_number_key(index), std::move(source));
        target.conflict_max = index;
      } else {
        // strictMerge: an object meeting a plain value becomes [object, value].
        JsValue conflict = limited_pair(std::move(target), std::move(source), array_limit);
        if (conflict.kind == JsValue::Kind::array) conflict.conflict_max = 1;
        return conflict;
      }
    } else {
      return limited_pair(std::move(target), std::move(source), array_limit);
    }
    return target;
  }

  if (!target.is_object_like() || !target.truthy()) {
    if (source.overflow_max) {
      // [target, ...source] as an object: source's keys shifted up by one.
      JsValue out = JsValue::object();
      const double max = *source.overflow_max + 1;
      out.entries.emplace_back("0", std::move(target));
      for (std::size_t position : js_key_order(source)) {
        auto& [key, value] = source.entries[position];
        const auto old_index = js_parse_int(key);
        out.set(js_number_key(old_index ? std::optional<double>(*old_index + 1) : std::nullopt),
                std::move(value));
      }
      out.overflow_max = max;
      return out;
    }
    JsValue combined = JsValue::array();
    combined.push(std::move(target));
    concat_into(combined, std::move(source));
    if (combined.items.size() > array_limit) {
      const auto last = static_cast<double>(combined.items.size() - 1);
      return overflow_object(std::move(combined), last);
    }
    return combined;
  }

  if (target.kind == JsValue::Kind::array && source.kind == JsValue::Kind::array) {
    const std::size_t source_size = source.items.size();
    for (std::size_t i = 0; i < source_size; ++i) {
      if (!source.items[i]) continue;  // forEach skips holes
      JsValue& item = *source.items[i];
      if (i < target.items.size() && target.items[i]) {
        JsValue& target_item = *target.items[i];
        if (target_item.is_object_like() && item.is_object_like()) {
          target_item = merge(std::move(target_item), std::move(item), array_limit);
        } else {
          target.push(std::move(item));
        }
      } else {
        target.put(i, std::move(item));
      }
    }
    if (target.items.size() > array_limit) {
      const auto last = static_cast<double>(target.items.size() - 1);
      return overflow_object(std::move(target), last);
    }
    return target;
  }

  JsValue acc = std::move(target);
  if (acc.kind == JsValue::Kind::array) {
    const std::optional<double> conflict =
        acc.conflict_max ? std::optional<double>(static_cast<double>(acc.items.size()) - 1)
                         : std::nullopt;
    acc = array_to_object(std::move(acc));
    acc.conflict_max = conflict;
  }
  const std::optional<double> source_overflow = source.overflow_max;
  if (source.kind == JsValue::Kind::array) source = array_to_object(std::move(source));
  for (std::size_t position : js_key_order(source)) {
    auto& [key, value] = source.entries[position];
    if (JsValue* existing = acc.find(key)) {
      *existing = merge(std::move(*existing), std::move(value), array_limit);
    } else {
      acc.entries.emplace_back(key, std::move(value));
    }
    if (source_overflow && !acc.overflow_max) {
      acc.overflow_max = max_numeric_index(acc, *source_overflow);
    }
    const auto key_number = canonical_integer(key);
    if (acc.overflow_max && key_number && *key_number >= 0 && *key_number > *acc.overflow_max) {
      acc.overflow_max = key_number;
    }
    if (acc.conflict_max && key_number && *key_number > *acc.conflict_max) {
      acc.conflict_max = key_number;
    }
  }
  return acc;
}

// qs parseObject: builds the value for one key chain from the leaf outwards.
JsValue parse_object(const std::vector<std::string>& chain, JsValue leaf, std::size_t array_limit) {
  for (std::size_t i = chain.size(); i-- > 0;) {
    const std::string& root = chain[i];
    JsValue obj;
    if (root == "[]") {
      if (leaf.overflow_max) {
        obj = std::move(leaf);
      } else {
        obj = combine(JsValue::array(), std::move(leaf), array_limit);
      }
    } else {
      obj = JsValue::object();
      const bool bracketed = root.size() >= 2 && root.front() == '[' && root.back() == ']';
      const std::string clean = bracketed ? root.substr(1, root.size() - 2) : root;
      const auto index = bracketed ? canonical_integer(clean) : std::nullopt;
      if (index && *index >= 0 && *index < static_cast<double>(array_limit)) {
        obj = JsValue::array();
        obj.put(static_cast<std::size_t>(*index), std::move(leaf));
      } else if (index && *index >= 0) {
        obj.entries.emplace_back(clean, std::move(leaf));
        obj.overflow_max = index;
      } else if (clean != "__proto__") {
        obj.entries.emplace_back(clean, std::move(leaf));
      }
    }
    leaf = std::move(obj);
  }
  return leaf;
}

// qs 6.16 splitKeyIntoSegments (allowDots off, allowPrototypes on, strictDepth on): the parent,
// then up to `depth` balanced bracket groups; an unterminated group becomes one literal segment.
std::vector<std::string> split_key(const std::string& key, std::size_t depth) {
  if (depth == 0) return {key};
  std::vector<std::string> segments;
  const std::size_t first = key.find('[');
  const std::string parent = first == std::string::npos ? key : key.substr(0, first);
  if (!parent.empty()) segments.push_back(parent);
  std::size_t open = first;
  std::size_t collected = 0;
  while (open != std::string::npos && collected < depth) {
    std::size_t level = 1;
    std::size_t close = std::string::npos;
    for (std::size_t i = open + 1; i < key.size() && close == std::string::npos; ++i) {
      if (key[i] == '[') {
        ++level;
      } else if (key[i] == ']' && --level == 0) {
        close = i;
      }
    }
    if (close == std::string::npos) {
      std::string segment = "[";  // (appended: GCC 12 warns falsely on "[" + std::string&&)
      segment.append(key, open).append("]");
      segments.push_back(std::move(segment));
      return segments;
    }
    segments.push_back(key.substr(open, close + 1 - open));
    ++collected;
    open = key.find('[', close + 1);
  }
  if (open != std::string::npos) {
    // body-parser turns qs's RangeError (strictDepth) into this 400.
    throw BodyError(400, "querystring.parse.rangeError", "The input exceeded the depth");
  }
  return segments;
}

// utils.compact: removes array holes everywhere.
void compact(JsValue& value) {
  if (value.kind == JsValue::Kind::array) {
    std::erase_if(value.items, [](const auto& item) { return !item; });
    for (auto& item : value.items) compact(*item);
  } else if (value.kind == JsValue::Kind::object) {
    for (auto& entry : value.entries) compact(entry.second);
  }
}

boost::json::value to_json(const JsValue& value) {
  switch (value.kind) {
    case JsValue::Kind::string:
      return boost::json::value(value.text);
    case JsValue::Kind::array: {
      boost::json::array out;
      for (const auto& item : value.items) {
        if (item) out.push_back(to_json(*item));
      }
      return out;
    }
    case JsValue::Kind::object:
      break;
  }
  boost::json::object out;
  for (std::size_t position : js_key_order(value)) {
    out[value.entries[position].first] = to_json(value.entries[position].second);
  }
  return out;
}

// `str.replace(/%5B/gi, '[').replace(/%5D/gi, ']')`
std::string unescape_brackets(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && s[i + 1] == '5') {
      const char c = s[i + 2];
      if (c == 'b' || c == 'B') {
        out += '[';
        i += 2;
        continue;
      }
      if (c == 'd' || c == 'D') {
        out += ']';
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

boost::json::object parse_urlencoded(std::string_view body, const QsOptions& options) {
  if (body.empty()) return {};
  // body-parser 1.20.9's parameterCount: the number of '&'-separated parts, refused above the
  // limit; it also sets arrayLimit to max(100, that count).
  const std::size_t parameter_count =
      static_cast<std::size_t>(std::count(body.begin(), body.end(), '&')) + 1;
  if (parameter_count > options.parameter_limit) {
    throw BodyError(413, "parameters.too.many", "too many parameters");
  }
  const std::size_t array_limit = std::max<std::size_t>(100, parameter_count);

  // parseValues: split on '&', decode keys and values, combine duplicates.
  const std::string clean = unescape_brackets(body);
  JsValue values = JsValue::object();
  std::size_t start = 0;
  for (std::size_t parts = 0; parts < options.parameter_limit; ++parts) {
    std::size_t end = clean.find('&', start);
    if (end == std::string::npos) end = clean.size();
    const std::string_view part = std::string_view(clean).substr(start, end - start);
    const std::size_t bracket_equals = part.find("]=");
    const std::size_t pos =
        bracket_equals == std::string_view::npos ? part.find('=') : bracket_equals + 1;
    std::string key;
    JsValue value;
    if (pos == std::string_view::npos) {
      key = qs_decode(part);
    } else {
      key = qs_decode(part.substr(0, pos));
      value = JsValue::string(qs_decode(part.substr(pos + 1)));
    }
    if (JsValue* existing = values.find(key)) {
      *existing = combine(std::move(*existing), std::move(value), array_limit);
    } else {
      values.entries.emplace_back(std::move(key), std::move(value));
    }
    if (end == clean.size()) break;
    start = end + 1;
  }

  JsValue result = JsValue::object();
  for (std::size_t position : js_key_order(values)) {
    auto& [key, value] = values.entries[position];
    if (key.empty()) continue;
    const std::vector<std::string> chain = split_key(key, options.depth);
    result =
        merge(std::move(result), parse_object(chain, std::move(value), array_limit), array_limit);
  }
  compact(result);
  return to_json(result).as_object();
}

std::string decode_utf8_body(std::string_view bytes) {
  if (bytes.starts_with("\xef\xbb\xbf")) bytes.remove_prefix(3);
  std::string out;
  out.reserve(bytes.size());
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  for (std::size_t i = 0; i < bytes.size();) {
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
      out += static_cast<char>(b0);
      ++i;
      continue;
    }
    std::size_t need = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      if (b0 == 0xe0) lower = 0xa0;
      if (b0 == 0xed) upper = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      if (b0 == 0xf0) lower = 0x90;
      if (b0 == 0xf4) upper = 0x8f;
    } else {
      out += kReplacement;
      ++i;
      continue;
    }
    // WHATWG: consume the longest valid prefix; one U+FFFD for it if the sequence breaks.
    std::size_t j = i + 1;
    std::size_t seen = 0;
    while (seen < need && j < bytes.size()) {
      const unsigned char b = byte(j);
      const unsigned char lo = seen == 0 ? lower : 0x80;
      const unsigned char hi = seen == 0 ? upper : 0xbf;
      if (b < lo || b > hi) break;
      ++j;
      ++seen;
    }
    if (seen == need) {
      out.append(bytes.substr(i, j - i));
    } else {
      out += kReplacement;
    }
    i = j;
  }
  return out;
}

}  // namespace cppapp::http
