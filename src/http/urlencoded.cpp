#include "http/urlencoded.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "http/body_parser.hpp"

namespace cppapp::http {
namespace {

// A JavaScript value as qs builds it: a string, `true` (utils.merge writes `target[s] = true`),
// a possibly sparse array, or an object whose keys iterate in JavaScript's order.
struct JsValue {
  enum class Kind { string, boolean_true, array, object };
  Kind kind = Kind::string;
  std::string text;
  std::vector<std::optional<JsValue>> items;             // array; nullopt is a hole
  std::vector<std::pair<std::string, JsValue>> entries;  // object, in insertion order

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
  bool is_object_like() const { return kind == Kind::array || kind == Kind::object; }
  // JavaScript truthiness: only the empty string is falsy among our values.
  bool truthy() const { return kind != Kind::string || !text.empty(); }

  JsValue* find(std::string_view key) {
    for (auto& [k, v] : entries) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  void set(std::string key, JsValue value) {
    if (JsValue* existing = find(key)) {
      *existing = std::move(value);
    } else {
      entries.emplace_back(std::move(key), std::move(value));
    }
  }
};

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

// `[].concat(a, b)`
JsValue combine(JsValue a, JsValue b) {
  JsValue out = JsValue::array();
  for (JsValue* v : {&a, &b}) {
    if (v->kind == JsValue::Kind::array) {
      for (auto& item : v->items) out.items.push_back(std::move(item));
    } else {
      out.items.emplace_back(std::move(*v));
    }
  }
  return out;
}

JsValue array_to_object(JsValue array) {
  JsValue out = JsValue::object();
  for (std::size_t i = 0; i < array.items.size(); ++i) {
    if (array.items[i]) out.entries.emplace_back(std::to_string(i), std::move(*array.items[i]));
  }
  return out;
}

// qs utils.merge with allowPrototypes. Recursion is bounded by the key depth limit.
JsValue merge(JsValue target, JsValue source) {
  if (!source.truthy()) return target;
  if (!source.is_object_like()) {
    if (target.kind == JsValue::Kind::array) {
      target.items.emplace_back(std::move(source));
    } else if (target.kind == JsValue::Kind::object) {
      // `target[source] = true`; assigning "__proto__" only hits the prototype setter.
      if (source.text != "__proto__") {
        JsValue t;
        t.kind = JsValue::Kind::boolean_true;
        target.set(source.kind == JsValue::Kind::boolean_true ? "true" : source.text, std::move(t));
      }
    } else {
      JsValue pair = JsValue::array();
      pair.items.emplace_back(std::move(target));
      pair.items.emplace_back(std::move(source));
      return pair;
    }
    return target;
  }
  if (!target.truthy() || !target.is_object_like()) {
    // `[target].concat(source)`
    JsValue out = JsValue::array();
    out.items.emplace_back(std::move(target));
    if (source.kind == JsValue::Kind::array) {
      for (auto& item : source.items) out.items.push_back(std::move(item));
    } else {
      out.items.emplace_back(std::move(source));
    }
    return out;
  }
  if (target.kind == JsValue::Kind::array && source.kind == JsValue::Kind::array) {
    for (std::size_t i = 0; i < source.items.size(); ++i) {
      if (!source.items[i]) continue;  // forEach skips holes
      JsValue& item = *source.items[i];
      if (i < target.items.size() && target.items[i]) {
        JsValue& target_item = *target.items[i];
        if (target_item.is_object_like() && item.is_object_like()) {
          target_item = merge(std::move(target_item), std::move(item));
        } else {
          target.items.emplace_back(std::move(item));
        }
      } else {
        if (i >= target.items.size()) target.items.resize(i + 1);
        target.items[i] = std::move(item);
      }
    }
    return target;
  }
  JsValue merged =
      target.kind == JsValue::Kind::array ? array_to_object(std::move(target)) : std::move(target);
  if (source.kind == JsValue::Kind::array) source = array_to_object(std::move(source));
  for (std::size_t position : js_key_order(source)) {
    auto& [key, value] = source.entries[position];
    if (JsValue* existing = merged.find(key)) {
      *existing = merge(std::move(*existing), std::move(value));
    } else {
      merged.entries.emplace_back(key, std::move(value));
    }
  }
  return merged;
}

// qs parseObject: builds the value for one key chain from the leaf outwards.
JsValue parse_object(const std::vector<std::string>& chain, JsValue leaf, std::size_t array_limit) {
  for (std::size_t i = chain.size(); i-- > 0;) {
    const std::string& root = chain[i];
    JsValue obj;
    if (root == "[]") {
      obj = JsValue::array();
      if (leaf.kind == JsValue::Kind::array) {
        obj.items = std::move(leaf.items);
      } else {
        obj.items.emplace_back(std::move(leaf));
      }
    } else {
      obj = JsValue::object();
      const bool bracketed = root.size() >= 2 && root.front() == '[' && root.back() == ']';
      const std::string clean = bracketed ? root.substr(1, root.size() - 2) : root;
      const auto index = array_index(clean);
      if (bracketed && index && *index <= array_limit) {
        obj = JsValue::array();
        obj.items.resize(*index + 1);
        obj.items[*index] = std::move(leaf);
      } else if (clean != "__proto__") {
        obj.entries.emplace_back(clean, std::move(leaf));
      }
    }
    leaf = std::move(obj);
  }
  return leaf;
}

// `/(\[[^[\]]*])/` from `from`: the segment's [start, end) or nullopt.
std::optional<std::pair<std::size_t, std::size_t>> next_segment(std::string_view key,
                                                                std::size_t from) {
  for (std::size_t open = key.find('[', from); open != std::string_view::npos;
       open = key.find('[', open + 1)) {
    const std::size_t close = key.find_first_of("[]", open + 1);
    if (close != std::string_view::npos && key[close] == ']')
      return std::make_pair(open, close + 1);
  }
  return std::nullopt;
}

// qs parseKeys (allowDots off, allowPrototypes on, strictDepth on).
std::optional<JsValue> parse_keys(const std::string& key, JsValue value, const QsOptions& options,
                                  std::size_t array_limit) {
  if (key.empty()) return std::nullopt;
  std::optional<std::pair<std::size_t, std::size_t>> segment;
  if (options.depth > 0) segment = next_segment(key, 0);
  std::vector<std::string> chain;
  const std::string parent = segment ? key.substr(0, segment->first) : key;
  if (!parent.empty()) chain.push_back(parent);
  std::size_t depth = 0;
  std::size_t from = 0;
  while (options.depth > 0) {
    segment = next_segment(key, from);
    if (!segment || depth >= options.depth) break;
    ++depth;
    chain.push_back(key.substr(segment->first, segment->second - segment->first));
    from = segment->second;
  }
  if (segment) {
    throw BodyError(400, "querystring.parse.rangeError",
                    "The input exceeded the depth: keys may nest at most " +
                        std::to_string(options.depth) + " levels");
  }
  return parse_object(chain, std::move(value), array_limit);
}

// utils.compact: removes array holes everywhere.
void compact(JsValue& value) {
  if (value.kind == JsValue::Kind::array) {
    std::vector<std::optional<JsValue>> kept;
    for (auto& item : value.items) {
      if (item) kept.push_back(std::move(item));
    }
    value.items = std::move(kept);
    for (auto& item : value.items) compact(*item);
  } else if (value.kind == JsValue::Kind::object) {
    for (auto& entry : value.entries) compact(entry.second);
  }
}

boost::json::value to_json(const JsValue& value) {
  switch (value.kind) {
    case JsValue::Kind::string:
      return boost::json::value(value.text);
    case JsValue::Kind::boolean_true:
      return boost::json::value(true);
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
  // body-parser's parameterCount: the number of '&', refused once it reaches the limit.
  const std::size_t ampersands =
      static_cast<std::size_t>(std::count(body.begin(), body.end(), '&'));
  if (options.parameter_limit == 0 || ampersands >= options.parameter_limit) {
    throw BodyError(
        413, "parameters.too.many",
        "too many parameters: send at most " + std::to_string(options.parameter_limit) + " fields");
  }
  const std::size_t array_limit = std::max<std::size_t>(100, ampersands);

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
      *existing = combine(std::move(*existing), std::move(value));
    } else {
      values.entries.emplace_back(std::move(key), std::move(value));
    }
    if (end == clean.size()) break;
    start = end + 1;
  }

  JsValue result = JsValue::object();
  for (std::size_t position : js_key_order(values)) {
    auto& [key, value] = values.entries[position];
    if (auto parsed = parse_keys(key, std::move(value), options, array_limit)) {
      result = merge(std::move(result), std::move(*parsed));
    }
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
