#include "view/html_minifier.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "view/html_minifier_attributes.hpp"
#include "view/html_minifier_parser.hpp"
#include "view/html_minifier_text.hpp"

namespace cppapp::view {
namespace {

using namespace minify_detail;

bool one_of(std::string_view value, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (n == value) return true;
  }
  return false;
}

// html-minifier's whitespace element sets (case-sensitive, as its createMapFromString).
bool is_inline_tag(std::string_view t) {
  return one_of(t, {"a",      "abbr",   "acronym", "b",   "bdi",  "bdo",  "big",  "button", "cite",
                    "code",   "del",    "dfn",     "em",  "font", "i",    "ins",  "kbd",    "mark",
                    "math",   "nobr",   "q",       "rt",  "rp",   "s",    "samp", "small",  "span",
                    "strike", "strong", "sub",     "sup", "svg",  "time", "tt",   "u",      "var"});
}

bool is_inline_text_tag(std::string_view t) {
  return one_of(t, {"a",      "abbr", "acronym", "b",    "big", "del",  "em",    "font", "i",
                    "ins",    "kbd",  "mark",    "nobr", "s",   "samp", "small", "span", "strike",
                    "strong", "sub",  "sup",     "time", "tt",  "u",    "var"});
}

bool is_self_closing_inline_tag(std::string_view t) {
  return one_of(t, {"comment", "img", "input", "wbr"});
}

bool truthy(const std::optional<std::string>& s) {
  return s && !s->empty();
}

// collapseWhitespace(str, options, trimLeft, trimRight, collapseAll) with the seed's options.
std::string collapse(std::string_view s, bool trim_left, bool trim_right, bool collapse_all) {
  if (trim_left) s = js_trim_left(s);
  if (trim_right) s = js_trim_right(s);
  return collapse_all ? collapse_whitespace_all(s) : std::string(s);
}

std::string collapse_smart(std::string_view s, const std::optional<std::string>& prev,
                           const std::optional<std::string>& next) {
  bool trim_left = truthy(prev) && !is_self_closing_inline_tag(*prev);
  if (trim_left) {
    trim_left = (*prev)[0] == '/' ? !is_inline_tag(std::string_view(*prev).substr(1))
                                  : !is_inline_text_tag(*prev);
  }
  bool trim_right = truthy(next) && !is_self_closing_inline_tag(*next);
  if (trim_right) {
    trim_right = (*next)[0] == '/' ? !is_inline_text_tag(std::string_view(*next).substr(1))
                                   : !is_inline_tag(*next);
  }
  return collapse(s, trim_left, trim_right, truthy(prev) && truthy(next));
}

// `/^\[if\s[^\]]+\]|\[endif\]$/`
bool is_conditional_comment(std::string_view text) {
  if (text.ends_with("[endif]")) return true;
  if (!text.starts_with("[if")) return false;
  const std::size_t space = js_space_at(text, 3);
  if (space == 0) return false;
  const std::size_t body = 3 + space;
  return body < text.size() && text[body] != ']' &&
         text.find(']', body + 1) != std::string_view::npos;
}

// `/^<\/([\w:-]+)>$/`: the end-tag name of a buffer item, or empty.
std::string_view end_tag_item_name(std::string_view item) {
  if (item.size() < 4 || !item.starts_with("</") || item.back() != '>') return {};
  const std::string_view name = item.substr(2, item.size() - 3);
  for (char c : name) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == ':' || c == '-';
    if (!word) return {};
  }
  return name;
}

// A deterministic stand-in for html-minifier's random uniqueId(): absent from `text`.
std::string unique_id(std::string_view text, std::string_view stem) {
  for (unsigned n = 0;; ++n) {
    std::string id = std::string(stem) + std::to_string(n) + "x";
    if (text.find(id) == std::string_view::npos) return id;
  }
}

class Minifier final : public HtmlEvents {
 public:
  explicit Minifier(std::string ignore_needle) : ignore_needle_(std::move(ignore_needle)) {}

  std::string run(std::string_view value) {
    const std::size_t failed_at = parse_html(value, *this);
    std::string out;
    std::size_t total = 0;
    if (failed_at == std::string_view::npos) squash_trailing_whitespace("br");
    for (const std::string& item : buffer_) total += item.size();
    out.reserve(total + (failed_at == std::string_view::npos ? 0 : value.size() - failed_at));
    for (const std::string& item : buffer_) out += item;
    if (failed_at != std::string_view::npos) out += value.substr(failed_at);
    return out;
  }

  void start(const std::string& raw_tag, std::vector<ParsedAttribute>& attributes, bool unary_slash,
             bool /*auto_generated*/) override {
    const std::string lower_tag = ascii_lower(raw_tag);
    if (lower_tag == "svg") {
      options_stack_.push_back(options_);
      options_ = Options{true, true};
    }
    const std::string tag = options_.case_sensitive ? raw_tag : lower_tag;
    current_tag_ = tag;
    chars_prev_tag_ = tag;
    if (!is_inline_text_tag(tag)) current_chars_tail_.clear();
    has_chars_ = false;

    if (no_trim_stack_.empty()) squash_trailing_whitespace(tag);
    if (tag == "pre" || tag == "textarea") no_trim_stack_.push_back(tag);
    if (one_of(tag, {"script", "style", "pre", "textarea"})) no_collapse_stack_.push_back(tag);

    const bool has_unary_slash = unary_slash && options_.keep_closing_slash;
    push("<" + tag);
    std::vector<std::string> parts;
    bool is_last = true;
    for (std::size_t i = attributes.size(); i-- > 0;) {
      if (auto normalized =
              normalize_attribute(attributes[i], attributes, tag, options_.case_sensitive)) {
        parts.push_back(build_attribute(*normalized, has_unary_slash, is_last));
        is_last = false;
      }
    }
    if (!parts.empty()) {
      push(" ");
      for (std::size_t i = parts.size(); i-- > 0;) push(std::move(parts[i]));
    }
    set_item(buffer_.size() - 1, buffer_.back() + (has_unary_slash ? "/>" : ">"));
  }

  void end(const std::string& raw_tag, bool /*auto_generated*/) override {
    const std::string lower_tag = ascii_lower(raw_tag);
    if (lower_tag == "svg" && !options_stack_.empty()) {
      options_ = options_stack_.back();
      options_stack_.pop_back();
    }
    const std::string tag = options_.case_sensitive ? raw_tag : lower_tag;
    if (!no_trim_stack_.empty()) {
      if (tag == no_trim_stack_.back()) no_trim_stack_.pop_back();
    } else {
      squash_trailing_whitespace("/" + tag);
    }
    if (!no_collapse_stack_.empty() && tag == no_collapse_stack_.back()) {
      no_collapse_stack_.pop_back();
    }
    bool is_element_empty = false;
    if (tag == current_tag_) {
      current_tag_.clear();
      is_element_empty = !has_chars_;
    }
    push("</" + tag + ">");
    chars_prev_tag_ = "/" + tag;
    if (!is_inline_tag(tag)) {
      current_chars_tail_.clear();
    } else if (is_element_empty) {
      current_chars_tail_ = "|";
    }
  }

  void chars(std::string text, const std::optional<std::string>& previous_tag,
             const std::optional<std::string>& next_tag) override {
    std::optional<std::string> prev = previous_tag;
    std::optional<std::string> next = next_tag;
    if (prev && prev->empty()) prev = "comment";
    if (next && next->empty()) next = "comment";
    if (no_trim_stack_.empty()) {
      if (prev && *prev == "comment" && !buffer_.empty()) {
        const std::string prev_comment = buffer_.back();
        if (prev_comment.find(ignore_needle_) == std::string::npos) {
          if (prev_comment.empty()) prev = chars_prev_tag_;
          if (buffer_.size() > 1 && (prev_comment.empty() || chars_end_with_ascii_space())) {
            // Move the whitespace a removed comment left behind into this text.
            const std::size_t index = buffer_.size() - 2;
            const std::string_view item = buffer_[index];
            const std::string_view kept = js_trim_right(item);
            text = std::string(item.substr(kept.size())) + text;
            set_item(index, std::string(kept));
          }
        }
      }
      if (truthy(prev)) {
        if (*prev == "/nobr" || *prev == "wbr") {
          if (js_space_at(text, 0)) {
            trim_trailing_whitespace(static_cast<std::ptrdiff_t>(buffer_.size()) - 2, "br");
          }
        } else if (is_inline_text_tag((*prev)[0] == '/' ? std::string_view(*prev).substr(1)
                                                        : std::string_view(*prev))) {
          text =
              collapse(text, current_chars_tail_.empty() || chars_end_with_space(), false, false);
        }
      }
      if (truthy(prev) || truthy(next)) {
        text = collapse_smart(text, prev, next);
      } else {
        text = collapse(text, true, true, false);
      }
      if (text.empty() && chars_end_with_space() && truthy(prev) && (*prev)[0] == '/') {
        trim_trailing_whitespace(static_cast<std::ptrdiff_t>(buffer_.size()) - 1, next);
      }
    }
    if (no_collapse_stack_.empty() && !(next && *next == "html") &&
        !(truthy(prev) && truthy(next))) {
      text = collapse_whitespace_all(text);
    }
    // minifyJS/minifyCSS would rewrite script and style text here; see the header.
    chars_prev_tag_ = js_is_blank(text) ? prev : std::optional<std::string>("comment");
    if (!text.empty()) {
      has_chars_ = true;
      const std::size_t last = last_char_start(text);
      current_chars_tail_ = text.substr(last);
    }
    push(std::move(text));
  }

  void comment(std::string_view text, bool non_standard) override {
    if (is_conditional_comment(text)) {
      push(non_standard ? "<!" + std::string(text) + ">" : "<!--" + std::string(text) + "-->");
    } else if (text.starts_with("!")) {
      push("<!--" + std::string(text) + "-->");
    } else {
      push("");
    }
  }

  void doctype(std::string_view text) override { push(collapse_whitespace_all(text)); }

 private:
  struct Options {
    bool case_sensitive = false;
    bool keep_closing_slash = false;
  };

  static std::size_t last_char_start(std::string_view s) {
    std::size_t i = s.size() - 1;
    while (i > 0 && s.size() - i < 4 && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
    char32_t cp = 0;
    return i + decode_utf8_at(s, i, cp) == s.size() ? i : s.size() - 1;
  }

  // `/\s$/.test(currentChars)` and `/ $/.test(currentChars)`; only the last character matters.
  bool chars_end_with_space() const {
    return js_space_before(current_chars_tail_, current_chars_tail_.size()) > 0;
  }
  bool chars_end_with_ascii_space() const { return current_chars_tail_ == " "; }

  // Items the backward whitespace walks step over without effect: empty strings and end tags
  // other than </pre> and </textarea>. Skipping them in bulk keeps the walks linear overall.
  static bool is_transparent(std::string_view item) {
    if (item.empty()) return true;
    const std::string_view name = end_tag_item_name(item);
    return !name.empty() && name != "pre" && name != "textarea";
  }

  void push(std::string item) {
    transparent_.push_back(is_transparent(item));
    skip_.push_back(static_cast<std::ptrdiff_t>(buffer_.size()) - 1);
    buffer_.push_back(std::move(item));
  }

  void set_item(std::size_t index, std::string item) {
    transparent_[index] = is_transparent(item);
    buffer_[index] = std::move(item);
  }

  // The nearest item at or before `index` that is not transparent (-1 if none).
  std::ptrdiff_t skip_transparent(std::ptrdiff_t index) {
    while (index >= 0 && transparent_[static_cast<std::size_t>(index)]) {
      const std::ptrdiff_t parent = skip_[static_cast<std::size_t>(index)];
      if (parent >= 0 && transparent_[static_cast<std::size_t>(parent)]) {
        skip_[static_cast<std::size_t>(index)] = skip_[static_cast<std::size_t>(parent)];
      }
      index = skip_[static_cast<std::size_t>(index)];
    }
    return index;
  }

  // trimTrailingWhitespace: trims the text before a tag, looking through inline end tags.
  void trim_trailing_whitespace(std::ptrdiff_t index, const std::optional<std::string>& next_tag) {
    while ((index = skip_transparent(index)) >= 0) {
      const std::string& item = buffer_[static_cast<std::size_t>(index)];
      if (!end_tag_item_name(item).empty() || item.back() == '>') return;  // </pre>, a tag
      std::string trimmed = collapse_smart(item, std::nullopt, next_tag);
      const bool done = !trimmed.empty();
      set_item(static_cast<std::size_t>(index), std::move(trimmed));
      if (done) return;
      --index;
    }
  }

  void squash_trailing_whitespace(const std::string& next_tag) {
    auto index = static_cast<std::ptrdiff_t>(buffer_.size()) - 1;
    if (buffer_.size() > 1) {
      const std::string& item = buffer_.back();
      if ((item.empty() || item.starts_with("<!")) &&
          item.find(ignore_needle_) == std::string::npos) {
        --index;
      }
    }
    trim_trailing_whitespace(index, next_tag);
  }

  std::string ignore_needle_;
  std::vector<std::string> buffer_;
  std::vector<bool> transparent_;
  std::vector<std::ptrdiff_t> skip_;
  Options options_;
  std::vector<Options> options_stack_;
  std::string current_tag_;
  std::optional<std::string> chars_prev_tag_;
  std::string current_chars_tail_;  // last character of html-minifier's currentChars
  bool has_chars_ = false;
  std::vector<std::string> no_trim_stack_;
  std::vector<std::string> no_collapse_stack_;
};

// Replaces `<!-- htmlmin:ignore -->…<!-- htmlmin:ignore -->` blocks by kept comments.
std::string hide_ignored_blocks(std::string_view value, std::string& uid,
                                std::vector<std::string>& chunks) {
  constexpr std::string_view kMarker = "<!-- htmlmin:ignore -->";
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t open = value.find(kMarker, pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = value.find(kMarker, open + kMarker.size());
    if (close == std::string_view::npos) break;
    if (uid.empty()) uid = unique_id(value, "hmignore");
    out.append(value.substr(pos, open - pos));
    out += "<!--!" + uid + std::to_string(chunks.size()) + "-->";
    chunks.emplace_back(value.substr(open + kMarker.size(), close - open - kMarker.size()));
    pos = close + kMarker.size();
  }
  out.append(value.substr(pos));
  return out;
}

// `/\s*(?:<%[\s\S]*?%>|<\?[\s\S]*?\?>)+\s*/g` → "\t" uid index "\t".
std::string hide_custom_fragments(std::string_view value, std::string& uid,
                                  std::vector<std::string>& chunks) {
  bool no_percent_close = false;
  bool no_question_close = false;
  // The end of the fragment starting at `p`, or npos.
  const auto fragment_end = [&](std::size_t p) -> std::size_t {
    if (p + 1 >= value.size() || value[p] != '<') return std::string_view::npos;
    const char kind = value[p + 1];
    if (kind != '%' && kind != '?') return std::string_view::npos;
    bool& none = kind == '%' ? no_percent_close : no_question_close;
    if (none) return std::string_view::npos;
    const char closing[] = {kind, '>', '\0'};
    const std::size_t close = value.find(closing, p + 2);
    if (close == std::string_view::npos) {
      none = true;  // no later fragment of this kind can close either
      return close;
    }
    return close + 2;
  };
  std::string out;
  std::size_t last = 0;
  std::size_t p = value.find('<');
  while (p != std::string_view::npos) {
    std::size_t end = fragment_end(p);
    if (end == std::string_view::npos) {
      p = value.find('<', p + 1);
      continue;
    }
    while (const std::size_t more = fragment_end(end)) {
      if (more == std::string_view::npos) break;
      end = more;
    }
    while (const std::size_t n = js_space_at(value, end)) end += n;
    std::size_t start = p;
    while (start > last) {
      const std::size_t n = js_space_before(value, start);
      if (n == 0 || start - n < last) break;
      start -= n;
    }
    if (uid.empty()) uid = unique_id(value, "hmfragment");
    out.append(value.substr(last, start - last));
    out += "\t" + uid + std::to_string(chunks.size()) + "\t";
    chunks.emplace_back(value.substr(start, end - start));
    last = end;
    p = value.find('<', end);
  }
  out.append(value.substr(last));
  return out;
}

// Puts the custom fragments back: `/(\s*)uid([0-9]+)(\s*)/g`, whitespace collapsed conservatively.
std::string restore_custom_fragments(std::string_view str, const std::string& uid,
                                     const std::vector<std::string>& chunks) {
  const auto conservative = [](std::string_view run) { return run == "\t" ? "\t" : " "; };
  std::string out;
  std::size_t last = 0;
  std::size_t p = str.find(uid);
  while (p != std::string_view::npos) {
    std::size_t digits_end = p + uid.size();
    while (digits_end < str.size() && str[digits_end] >= '0' && str[digits_end] <= '9')
      ++digits_end;
    const std::string_view digits = str.substr(p + uid.size(), digits_end - p - uid.size());
    std::size_t index = chunks.size();
    if (!digits.empty() && digits.size() < 10) index = std::stoul(std::string(digits));
    if (index >= chunks.size()) {
      p = str.find(uid, p + 1);
      continue;
    }
    std::size_t start = p;
    while (start > last) {
      const std::size_t n = js_space_before(str, start);
      if (n == 0 || start - n < last) break;
      start -= n;
    }
    std::size_t end = digits_end;
    while (const std::size_t n = js_space_at(str, end)) end += n;
    const std::string_view prefix = str.substr(start, p - start);
    const std::string_view suffix = str.substr(digits_end, end - digits_end);
    std::string chunk = chunks[index];
    if (prefix != "\t") chunk = std::string(prefix) + chunk;
    if (suffix != "\t") chunk += suffix;
    std::string_view body = chunk;
    const std::string_view left = js_trim_left(body);
    std::string replaced;
    if (left.size() != body.size())
      replaced += conservative(body.substr(0, body.size() - left.size()));
    const std::string_view core = js_trim_right(left);
    replaced += core;
    if (core.size() != left.size()) replaced += conservative(left.substr(core.size()));
    out.append(str.substr(last, start - last));
    out += replaced;
    last = end;
    p = str.find(uid, end);
  }
  out.append(str.substr(last));
  return out;
}

std::string restore_ignored_blocks(std::string_view str, const std::string& uid,
                                   const std::vector<std::string>& chunks) {
  const std::string open = "<!--!" + uid;
  std::string out;
  std::size_t last = 0;
  std::size_t p = str.find(open);
  while (p != std::string_view::npos) {
    std::size_t digits_end = p + open.size();
    while (digits_end < str.size() && str[digits_end] >= '0' && str[digits_end] <= '9')
      ++digits_end;
    const std::string_view digits = str.substr(p + open.size(), digits_end - p - open.size());
    if (!digits.empty() && digits.size() < 10 && str.substr(digits_end).starts_with("-->")) {
      const std::size_t index = std::stoul(std::string(digits));
      if (index < chunks.size()) {
        out.append(str.substr(last, p - last));
        out += chunks[index];
        last = digits_end + 3;
        p = str.find(open, last);
        continue;
      }
    }
    p = str.find(open, p + 1);
  }
  out.append(str.substr(last));
  return out;
}

}  // namespace

std::string minify_html(std::string_view html) {
  std::string ignore_uid;
  std::vector<std::string> ignored_blocks;
  std::string value = hide_ignored_blocks(js_trim(html), ignore_uid, ignored_blocks);
  std::string fragment_uid;
  std::vector<std::string> fragments;
  value = hide_custom_fragments(value, fragment_uid, fragments);

  // html-minifier tests `item.indexOf(uidIgnore)` even without ignored blocks, when uidIgnore
  // is undefined and so is searched as the text "undefined".
  Minifier minifier(ignore_uid.empty() ? "undefined" : ignore_uid);
  std::string result(js_trim(minifier.run(value)));
  if (!fragment_uid.empty()) result = restore_custom_fragments(result, fragment_uid, fragments);
  if (!ignore_uid.empty()) result = restore_ignored_blocks(result, ignore_uid, ignored_blocks);
  return result;
}

}  // namespace cppapp::view
