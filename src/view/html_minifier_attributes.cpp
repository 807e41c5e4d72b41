#include "view/html_minifier_attributes.hpp"

#include <initializer_list>
#include <string_view>

#include "view/html_minifier_text.hpp"

namespace cppapp::view::minify_detail {
namespace {

bool one_of(std::string_view value, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (n == value) return true;
  }
  return false;
}

bool is_ascii_lower_letter(char c) {
  return c >= 'a' && c <= 'z';
}

// `/^on[a-z]{3,}$/`
bool is_event_attribute(std::string_view name) {
  if (name.size() < 5 || !name.starts_with("on")) return false;
  for (char c : name.substr(2)) {
    if (!is_ascii_lower_letter(c)) return false;
  }
  return true;
}

bool is_uri_attribute(std::string_view name, std::string_view tag) {
  return (one_of(tag, {"a", "area", "link", "base"}) && name == "href") ||
         (tag == "img" && one_of(name, {"src", "longdesc", "usemap"})) ||
         (tag == "object" && one_of(name, {"classid", "codebase", "data", "usemap"})) ||
         (one_of(tag, {"q", "blockquote", "ins", "del"}) && name == "cite") ||
         (tag == "form" && name == "action") ||
         (tag == "input" && (name == "src" || name == "usemap")) ||
         (tag == "head" && name == "profile") ||
         (tag == "script" && (name == "src" || name == "for"));
}

bool is_number_attribute(std::string_view name, std::string_view tag) {
  return (one_of(tag, {"a", "area", "object", "button"}) && name == "tabindex") ||
         (tag == "input" && (name == "maxlength" || name == "tabindex")) ||
         (tag == "select" && (name == "size" || name == "tabindex")) ||
         (tag == "textarea" && one_of(name, {"rows", "cols", "tabindex"})) ||
         ((tag == "colgroup" || tag == "col") && name == "span") ||
         ((tag == "th" || tag == "td") && (name == "rowspan" || name == "colspan"));
}

bool is_meta_viewport(std::string_view tag, const std::vector<ParsedAttribute>& all) {
  if (tag != "meta") return false;
  for (const ParsedAttribute& a : all) {
    if (a.name == "name" && a.value && *a.value == "viewport") return true;
  }
  return false;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// `/&#?[0-9a-zA-Z]+;$/`: the value ends with a character reference.
bool ends_with_reference(std::string_view v) {
  if (v.empty() || v.back() != ';') return false;
  std::size_t i = v.size() - 1;
  std::size_t alnum = 0;
  while (i > 0) {
    const char c = v[i - 1];
    if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
    --i;
    ++alnum;
  }
  if (alnum == 0) return false;
  // Any split of the alphanumerics works: '&' just before them, or "&#" with '#' just before.
  return (i > 0 && v[i - 1] == '&') || (i > 1 && v[i - 1] == '#' && v[i - 2] == '&');
}

std::string clean_style(std::string_view value) {
  std::string v(js_trim(value));
  if (!v.empty() && v.back() == ';' && !ends_with_reference(v)) {
    // `.replace(/\s*;$/, '')`
    std::size_t end = v.size() - 1;
    while (std::size_t n = js_space_before(v, end)) end -= n;
    v.resize(end);
  }
  return v;
}

// `/\s+([1-9][0-9]*w|[0-9]+(?:\.[0-9]+)?x)$/` on a srcset candidate; rewrites the descriptor.
std::string clean_srcset_candidate(std::string_view candidate) {
  std::string_view descriptor_text;
  std::size_t url_end = candidate.size();
  if (!candidate.empty() && (candidate.back() == 'w' || candidate.back() == 'x')) {
    const char suffix = candidate.back();
    std::size_t i = candidate.size() - 1;
    while (i > 0 && (is_digit(candidate[i - 1]) || (suffix == 'x' && candidate[i - 1] == '.'))) --i;
    std::string_view number = candidate.substr(i, candidate.size() - 1 - i);
    bool valid = false;
    if (suffix == 'w') {
      valid = !number.empty() && number.front() != '0';
    } else {
      const std::size_t dot = number.find('.');
      if (dot == std::string_view::npos) {
        valid = !number.empty();
      } else if (number.find('.', dot + 1) == std::string_view::npos) {
        valid = dot > 0 && dot + 1 < number.size();
      } else {
        // Several dots: the regex can only use the digits after the last one ("1.2.3x" → "3x"
        // is not preceded by whitespace, so no match); keep it simple and refuse.
        valid = false;
      }
    }
    const std::size_t space = js_space_before(candidate, i);
    if (valid && space > 0) {
      descriptor_text = candidate.substr(i);
      url_end = i;
      while (std::size_t n = js_space_before(candidate, url_end)) url_end -= n;
    }
  }
  std::string out(candidate.substr(0, url_end));
  if (!descriptor_text.empty()) {
    const std::string number =
        js_number_text(descriptor_text.substr(0, descriptor_text.size() - 1));
    const char suffix = descriptor_text.back();
    if (number != "1" || suffix != 'x') out += " " + number + suffix;
  }
  return out;
}

// `trim(v).split(/\s+,\s*|\s*,\s+/)`: commas with whitespace on at least one side separate.
std::string clean_srcset(std::string_view value) {
  const std::string_view v = js_trim(value);
  std::string out;
  std::size_t piece_start = 0;
  bool first = true;
  std::size_t i = 0;
  while (i <= v.size()) {
    bool split = false;
    std::size_t separator_end = i;
    std::size_t piece_end = i;
    if (i == v.size()) {
      split = true;
    } else if (js_space_at(v, i) || v[i] == ',') {
      // Leftmost match at i: whitespace run, then ',', then whitespace (one side at least).
      std::size_t j = i;
      while (std::size_t n = js_space_at(v, j)) j += n;
      if (j < v.size() && v[j] == ',') {
        std::size_t k = j + 1;
        while (std::size_t n = js_space_at(v, k)) k += n;
        if (j > i || k > j + 1) {
          split = true;
          separator_end = k;
        }
      }
    }
    if (split) {
      if (!first) out += ", ";
      out += clean_srcset_candidate(v.substr(piece_start, piece_end - piece_start));
      first = false;
      if (i == v.size()) break;
      piece_start = separator_end;
      i = separator_end;
      continue;
    }
    char32_t cp = 0;
    i += decode_utf8_at(v, i, cp);
  }
  return out;
}

// `v.replace(/\s+/g, '').replace(/[0-9]+\.[0-9]+/g, n => (+n).toString())`
std::string clean_viewport(std::string_view value) {
  std::string compact;
  for (std::size_t i = 0; i < value.size();) {
    if (std::size_t n = js_space_at(value, i)) {
      i += n;
      continue;
    }
    compact += value[i++];
  }
  std::string out;
  for (std::size_t i = 0; i < compact.size();) {
    if (!is_digit(compact[i])) {
      out += compact[i++];
      continue;
    }
    std::size_t j = i;
    while (j < compact.size() && is_digit(compact[j])) ++j;
    if (j + 1 < compact.size() && compact[j] == '.' && is_digit(compact[j + 1])) {
      std::size_t k = j + 1;
      while (k < compact.size() && is_digit(compact[k])) ++k;
      out += js_number_text(std::string_view(compact).substr(i, k - i));
      i = k;
    } else {
      out.append(compact, i, j - i);
      i = j;
    }
  }
  return out;
}

// `trim(v.replace(/\s*;\s*/g, ';'))`
std::string clean_script_type(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size();) {
    std::size_t j = i;
    while (std::size_t n = js_space_at(value, j)) j += n;
    if (j < value.size() && value[j] == ';') {
      ++j;
      while (std::size_t n = js_space_at(value, j)) j += n;
      out += ';';
      i = j;
    } else if (j > i) {
      out.append(value.substr(i, j - i));
      i = j;
    } else {
      out += value[i++];
    }
  }
  return std::string(js_trim(out));
}

// Event handlers: trimmed and without a leading `javascript:` label. html-minifier then runs
// UglifyJS on them; we do not (see the header), so the code itself is kept as written.
std::string clean_event_handler(std::string_view value) {
  std::string_view v = js_trim(value);
  constexpr std::string_view kScheme = "javascript:";
  if (v.size() >= kScheme.size() && ifind(v.substr(0, kScheme.size()), kScheme, 0) == 0) {
    v = js_trim_left(v.substr(kScheme.size()));
  }
  return std::string(v);
}

std::optional<std::string> clean_value(const std::string& tag, const std::string& name,
                                       const std::optional<std::string>& value,
                                       const std::vector<ParsedAttribute>& all) {
  if (value && !value->empty() && is_event_attribute(name)) return clean_event_handler(*value);
  if (!value) return value;  // the remaining rules need a value (JS throws on some of them)
  if (name == "class") return collapse_whitespace_all(js_trim(*value));
  if (is_uri_attribute(name, tag) || is_number_attribute(name, tag)) {
    return std::string(js_trim(*value));
  }
  if (name == "style") return clean_style(*value);
  if (name == "srcset" && (tag == "img" || tag == "source")) return clean_srcset(*value);
  if (is_meta_viewport(tag, all) && name == "content") return clean_viewport(*value);
  if (tag == "script" && name == "type") return clean_script_type(*value);
  return value;
}

bool can_delete_empty(std::string_view tag, std::string_view name,
                      const std::optional<std::string>& value) {
  if (value && !js_is_blank(*value)) return false;
  return (tag == "input" && name == "value") ||
         one_of(name,
                {"class", "id", "style", "title", "lang", "dir", "onfocus", "onblur", "onchange",
                 "onclick", "ondblclick", "onmousedown", "onmouseup", "onmouseover", "onmousemove",
                 "onmouseout", "onkeypress", "onkeydown", "onkeyup"});
}

// `/^[^ \t\n\f\r"'`=<>]+$/`
bool can_remove_quotes(std::string_view value) {
  constexpr std::string_view kNeedQuotes = " \t\n\f\r\"'`=<>";
  return !value.empty() && value.find_first_of(kNeedQuotes) == std::string_view::npos;
}

bool is_boolean_attribute(std::string_view name, std::string_view lower_value) {
  return one_of(name, {"allowfullscreen", "async",          "autofocus",    "autoplay",
                       "checked",         "compact",        "controls",     "declare",
                       "default",         "defaultchecked", "defaultmuted", "defaultselected",
                       "defer",           "disabled",       "enabled",      "formnovalidate",
                       "hidden",          "indeterminate",  "inert",        "ismap",
                       "itemscope",       "loop",           "multiple",     "muted",
                       "nohref",          "noresize",       "noshade",      "novalidate",
                       "nowrap",          "open",           "pauseonexit",  "readonly",
                       "required",        "reversed",       "scoped",       "seamless",
                       "selected",        "sortable",       "truespeed",    "typemustmatch",
                       "visible"}) ||
         (name == "draggable" && lower_value != "true" && lower_value != "false");
}

std::string replace_all(std::string_view s, char from, std::string_view to) {
  std::string out;
  for (char c : s) {
    if (c == from) {
      out += to;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<NormalizedAttribute> normalize_attribute(const ParsedAttribute& attribute,
                                                       const std::vector<ParsedAttribute>& all,
                                                       const std::string& tag,
                                                       bool case_sensitive) {
  NormalizedAttribute out;
  out.name = case_sensitive ? attribute.name : ascii_lower(attribute.name);
  out.value = clean_value(tag, out.name, attribute.value, all);
  if (can_delete_empty(tag, out.name, out.value)) return std::nullopt;
  return out;
}

std::string build_attribute(const NormalizedAttribute& attribute, bool has_unary_slash,
                            bool is_last) {
  const std::string& name = attribute.name;
  if (!attribute.value || is_boolean_attribute(ascii_lower(name), ascii_lower(*attribute.value))) {
    return is_last ? name : name + " ";
  }
  const std::string& value = *attribute.value;
  std::string emitted;
  if (!can_remove_quotes(value)) {
    std::size_t apos = 0;
    std::size_t quot = 0;
    for (char c : value) {
      apos += c == '\'';
      quot += c == '"';
    }
    // The quote that needs fewer escapes; the value's own ones are escaped. (Appended: GCC 12
    // warns falsely on "'" + std::string&&.)
    const char quote = apos < quot ? '\'' : '"';
    emitted.assign(1, quote)
        .append(replace_all(value, quote, quote == '\'' ? "&#39;" : "&#34;"))
        .push_back(quote);
    if (!is_last) emitted += ' ';
  } else if (is_last && !has_unary_slash && value.back() != '/') {
    emitted = value;
  } else {
    emitted = value + " ";
  }
  return name + "=" + emitted;
}

}  // namespace cppapp::view::minify_detail
