#include "view/html_minifier_parser.hpp"

#include <unordered_map>

#include "view/html_minifier_text.hpp"

namespace cppapp::view::minify_detail {
namespace {

bool in_list(std::string_view lower_name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (n == lower_name) return true;
  }
  return false;
}

// The parser's element sets; they compare lower-cased names, as its makeMap(…, true) does.
bool is_empty_element(std::string_view tag) {
  return in_list(ascii_lower(tag),
                 {"area", "base", "basefont", "br", "col", "embed", "frame", "hr", "img", "input",
                  "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr"});
}

bool is_close_self(std::string_view tag) {
  return in_list(ascii_lower(tag), {"colgroup", "dd", "dt", "li", "options", "p", "td", "tfoot",
                                    "th", "thead", "tr", "source"});
}

bool is_fill_attribute(std::string_view name) {
  return in_list(ascii_lower(name),
                 {"checked", "compact", "declare", "defer", "disabled", "ismap", "multiple",
                  "nohref", "noresize", "noshade", "nowrap", "readonly", "selected"});
}

bool is_special(std::string_view tag) {
  return in_list(ascii_lower(tag), {"script", "style"});
}

bool is_non_phrasing(std::string_view tag) {
  return in_list(
      ascii_lower(tag),
      {"address",  "article",  "aside",      "base",    "blockquote", "body",     "caption",
       "col",      "colgroup", "dd",         "details", "dialog",     "div",      "dl",
       "dt",       "fieldset", "figcaption", "figure",  "footer",     "form",     "h1",
       "h2",       "h3",       "h4",         "h5",      "h6",         "head",     "header",
       "hgroup",   "hr",       "html",       "legend",  "li",         "menuitem", "meta",
       "optgroup", "option",   "param",      "rp",      "rt",         "source",   "style",
       "summary",  "tbody",    "td",         "tfoot",   "th",         "thead",    "title",
       "tr",       "track"});
}

// `((?:ncname\:)?ncname)` at `i`: the qualified name's length, 0 when none.
std::size_t qname_length(std::string_view s, std::size_t i) {
  const std::size_t first = ncname_length(s, i);
  if (first == 0) return 0;
  const std::size_t colon = i + first;
  if (colon < s.size() && s[colon] == ':') {
    if (const std::size_t second = ncname_length(s, colon + 1)) return first + 1 + second;
  }
  return first;
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (std::size_t n = js_space_at(s, i)) i += n;
  return i;
}

// `[^\s"'<>\/=]` and `[^\s"'=<>`]` one character at a time (JavaScript \s includes Unicode spaces).
std::size_t attribute_name_length(std::string_view s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size()) {
    const char c = s[j];
    if (c == '"' || c == '\'' || c == '<' || c == '>' || c == '/' || c == '=' ||
        js_space_at(s, j)) {
      break;
    }
    char32_t cp = 0;
    j += decode_utf8_at(s, j, cp);
  }
  return j - i;
}

std::size_t unquoted_value_length(std::string_view s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size()) {
    const char c = s[j];
    if (c == '"' || c == '\'' || c == '=' || c == '<' || c == '>' || c == '`' ||
        js_space_at(s, j)) {
      break;
    }
    char32_t cp = 0;
    j += decode_utf8_at(s, j, cp);
  }
  return j - i;
}

struct StartTag {
  std::string name;
  std::vector<ParsedAttribute> attributes;
  bool unary_slash = false;
  std::size_t end = 0;  // offset just past '>'
};

// One attribute of `^\s*name(?:\s*(=)\s*(?:"v"+|'v'+|v))?`; false when no name follows.
bool parse_attribute(std::string_view s, std::size_t& pos, ParsedAttribute& out) {
  std::size_t i = skip_spaces(s, pos);
  const std::size_t name_len = attribute_name_length(s, i);
  if (name_len == 0) return false;
  out.name = std::string(s.substr(i, name_len));
  out.value.reset();
  i += name_len;
  pos = i;
  std::size_t j = skip_spaces(s, i);
  if (j < s.size() && s[j] == '=') {
    j = skip_spaces(s, j + 1);
    if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
      const char quote = s[j];
      const std::size_t close = s.find(quote, j + 1);
      if (close != std::string_view::npos) {
        out.value = std::string(s.substr(j + 1, close - j - 1));
        std::size_t k = close + 1;
        while (k < s.size() && s[k] == quote) ++k;  // the pattern's `"+`
        pos = k;
      }
    } else if (const std::size_t len = unquoted_value_length(s, j)) {
      out.value = std::string(s.substr(j, len));
      pos = j + len;
    }
  }
  return true;
}

// `^\s*(\/?)>` at `i`: the offset past '>' or npos.
std::size_t start_tag_close(std::string_view s, std::size_t i, bool& slash) {
  i = skip_spaces(s, i);
  slash = false;
  if (i < s.size() && s[i] == '/') {
    slash = true;
    ++i;
  }
  if (i < s.size() && s[i] == '>') return i + 1;
  return std::string_view::npos;
}

std::optional<StartTag> parse_start_tag(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '<') return std::nullopt;
  const std::size_t name_len = qname_length(s, pos + 1);
  if (name_len == 0) return std::nullopt;
  StartTag tag;
  tag.name = std::string(s.substr(pos + 1, name_len));
  std::size_t i = pos + 1 + name_len;
  for (;;) {
    bool slash = false;
    if (const std::size_t end = start_tag_close(s, i, slash); end != std::string_view::npos) {
      tag.unary_slash = slash;
      tag.end = end;
      return tag;
    }
    ParsedAttribute attribute;
    if (!parse_attribute(s, i, attribute)) return std::nullopt;
    tag.attributes.push_back(std::move(attribute));
  }
}

struct EndTag {
  std::string name;
  std::size_t end = 0;
};

// `^<\/qname[^>]*>` at `pos`.
std::optional<EndTag> parse_end_tag(std::string_view s, std::size_t pos) {
  if (pos + 1 >= s.size() || s[pos] != '<' || s[pos + 1] != '/') return std::nullopt;
  const std::size_t name_len = qname_length(s, pos + 2);
  if (name_len == 0) return std::nullopt;
  const std::size_t close = s.find('>', pos + 2 + name_len);
  if (close == std::string_view::npos) return std::nullopt;
  return EndTag{std::string(s.substr(pos + 2, name_len)), close + 1};
}

class Parser {
 public:
  Parser(std::string_view html, HtmlEvents& events) : html_(html), events_(events) {}

  std::size_t run() {
    std::size_t pos = 0;
    while (pos < html_.size()) {
      const std::size_t next =
          last_tag_ && is_special(*last_tag_) ? special_content(pos) : markup(pos);
      if (next == std::string_view::npos) return pos;
      pos = next;
    }
    close_elements(std::nullopt, "");  // "Clean up any remaining tags"
    return std::string_view::npos;
  }

 private:
  struct Open {
    std::string tag;
    std::string lower;
  };

  // Text, comments, doctype and tags; returns the new offset, npos where the JS parser throws.
  std::size_t markup(std::size_t pos) {
    const std::string_view rest = html_.substr(pos);
    const std::size_t text_end = rest.find('<');
    if (text_end == 0) {
      if (rest.starts_with("<!--")) {
        const std::size_t comment_end = rest.find("-->");
        if (comment_end != std::string_view::npos) {
          // JavaScript's substring(4, end) swaps its bounds for "<!-->" and "<!--->".
          const std::size_t a = std::min<std::size_t>(4, comment_end);
          const std::size_t b = std::max<std::size_t>(4, comment_end);
          events_.comment(rest.substr(a, b - a), false);
          prev_tag_ = "";
          return pos + comment_end + 3;
        }
      }
      if (rest.starts_with("<![")) {
        const std::size_t conditional_end = rest.find("]>");
        if (conditional_end != std::string_view::npos) {
          const std::size_t a = std::min<std::size_t>(2, conditional_end + 1);
          const std::size_t b = std::max<std::size_t>(2, conditional_end + 1);
          events_.comment(rest.substr(a, b - a), true);
          prev_tag_ = "";
          return pos + conditional_end + 2;
        }
      }
      if (const std::size_t doctype_len = doctype_length(rest)) {
        events_.doctype(rest.substr(0, doctype_len));
        prev_tag_ = "";
        return pos + doctype_len;
      }
      if (auto end_tag = parse_end_tag(html_, pos)) {
        close_elements(end_tag->name, "</");
        std::string tag = "/";  // (appended: GCC 12 warns falsely on "/" + std::string&&)
        tag += ascii_lower(end_tag->name);
        prev_tag_ = std::move(tag);
        return end_tag->end;
      }
      if (auto start_tag = parse_start_tag(html_, pos)) {
        handle_start_tag(*start_tag);
        prev_tag_ = ascii_lower(start_tag->name);
        return start_tag->end;
      }
      return std::string_view::npos;  // "Parse Error"
    }
    const std::size_t next = text_end == std::string_view::npos ? html_.size() : pos + text_end;
    std::string next_tag;
    if (auto start_tag = parse_start_tag(html_, next)) {
      next_tag = start_tag->name;
    } else if (auto end_tag = parse_end_tag(html_, next)) {
      next_tag = "/" + end_tag->name;
    }
    events_.chars(std::string(html_.substr(pos, next - pos)), prev_tag_, next_tag);
    prev_tag_ = "";
    return next;
  }

  // `^<!DOCTYPE [^>]+>` (case-insensitive): its length, 0 when absent.
  static std::size_t doctype_length(std::string_view rest) {
    constexpr std::string_view kDoctype = "<!doctype ";
    if (rest.size() < kDoctype.size() || ifind(rest.substr(0, kDoctype.size()), kDoctype, 0) != 0) {
      return 0;
    }
    const std::size_t close = rest.find('>', kDoctype.size());
    if (close == std::string_view::npos || close == kDoctype.size()) return 0;
    return close + 1;
  }

  // Script/style content up to `</tag[^>]*>` (case-insensitive), then its end tag.
  std::size_t special_content(std::size_t pos) {
    const std::string stacked = ascii_lower(*last_tag_);
    const std::size_t close = ifind(html_, "</" + stacked, pos);
    if (close == std::string_view::npos) return std::string_view::npos;
    const std::size_t gt = html_.find('>', close + 2 + stacked.size());
    if (gt == std::string_view::npos) return std::string_view::npos;
    events_.chars(std::string(html_.substr(pos, close - pos)), std::nullopt, std::nullopt);
    close_elements(stacked, "</" + stacked + ">");
    return gt + 1;
  }

  void handle_start_tag(StartTag& match) {
    const std::string& tag = match.name;
    if (last_tag_ && *last_tag_ == "p" && is_non_phrasing(tag)) close_elements(*last_tag_, "");
    if (is_close_self(tag) && last_tag_ && *last_tag_ == tag) close_elements(tag, "");
    const bool unary = is_empty_element(tag) ||
                       (tag == "html" && last_tag_ && *last_tag_ == "head") || match.unary_slash;
    for (ParsedAttribute& attribute : match.attributes) {
      if (!attribute.value && is_fill_attribute(attribute.name)) attribute.value = attribute.name;
    }
    bool unary_slash = match.unary_slash;
    if (!unary) {
      stack_.push_back(Open{tag, ascii_lower(tag)});
      ++open_count_[stack_.back().lower];
      last_tag_ = tag;
      unary_slash = false;
    }
    events_.start(tag, match.attributes, unary_slash, false);
  }

  // The JS parseEndTag(tag, tagName): no name closes everything; `tag` empty means implied.
  void close_elements(const std::optional<std::string>& tag_name, std::string_view tag) {
    std::ptrdiff_t pos = 0;
    if (tag_name) {
      const std::string needle = ascii_lower(*tag_name);
      pos = -1;
      if (open_count_[needle] > 0) {
        for (pos = static_cast<std::ptrdiff_t>(stack_.size()) - 1; pos >= 0; --pos) {
          if (stack_[static_cast<std::size_t>(pos)].lower == needle) break;
        }
      }
    }
    if (pos >= 0) {
      for (auto i = static_cast<std::ptrdiff_t>(stack_.size()) - 1; i >= pos; --i) {
        events_.end(stack_[static_cast<std::size_t>(i)].tag, i > pos || tag.empty());
      }
      while (static_cast<std::ptrdiff_t>(stack_.size()) > pos) {
        --open_count_[stack_.back().lower];
        stack_.pop_back();
      }
      if (pos == 0) {
        last_tag_.reset();
      } else {
        last_tag_ = stack_.back().tag;
      }
      return;
    }
    const std::string lower = ascii_lower(*tag_name);
    if (lower == "br") {
      std::vector<ParsedAttribute> none;
      events_.start(*tag_name, none, false, false);
    } else if (lower == "p") {
      std::vector<ParsedAttribute> none;
      events_.start(*tag_name, none, false, true);
      events_.end(*tag_name, false);
    }
  }

  std::string_view html_;
  HtmlEvents& events_;
  std::vector<Open> stack_;
  std::unordered_map<std::string, std::size_t> open_count_;
  std::optional<std::string> last_tag_;
  std::optional<std::string> prev_tag_;
};

}  // namespace

std::size_t parse_html(std::string_view html, HtmlEvents& events) {
  return Parser(html, events).run();
}

}  // namespace cppapp::view::minify_detail
