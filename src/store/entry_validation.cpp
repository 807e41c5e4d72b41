#include "store/entry_validation.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cppapp::store {
namespace {

// Decodes `text` as strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
  std::vector<char32_t> points;
  points.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length;
    char32_t point;
    char32_t minimum;
    if (lead < 0x80) {
      points.push_back(lead);
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, point = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, point = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, point = lead & 0x07, minimum = 0x10000;
    } else {
      return std::nullopt;
    }
    if (text.size() - i < length) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      point = (point << 6) | (next & 0x3F);
    }
    if (point < minimum || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return std::nullopt;
    }
    points.push_back(point);
    i += length;
  }
  return points;
}

// What JS String.prototype.trim removes: WhiteSpace and LineTerminator.
bool is_js_whitespace(char32_t c) {
  switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// Characters that show nothing by themselves: whitespace, format characters (Unicode category
// Cf: soft hyphen, zero-width space/joiners, word joiner, bidi marks, embeddings, overrides and
// isolates, BOM, interlinear annotation, tags…), fillers that render blank (Hangul fillers,
// braille blank, combining grapheme joiner, a blank musical notehead), variation selectors, code
// points reserved as default-ignorable (U+FFF0..FFF8, U+E0000..E0FFF), noncharacters, and the
// combining-mark blocks (marks have nothing to sit on without a base). A name or message made of
// these only would be an invisible entry. (Script-specific marks outside those blocks and
// unassigned code points are not recognised: that needs the Unicode character database.)
bool is_invisible(char32_t c) {
  if (is_js_whitespace(c) || c == 0x85) return true;
  switch (c) {
    case 0x00AD:  // soft hyphen
    case 0x034F:  // combining grapheme joiner
    case 0x061C:  // Arabic letter mark
    case 0x06DD:
    case 0x070F:
    case 0x08E2:
    case 0x115F:  // Hangul choseong filler
    case 0x1160:  // Hangul jungseong filler
    case 0x17B4:  // Khmer inherent vowels
    case 0x17B5:
    case 0x180E:  // Mongolian vowel separator
    case 0x2800:  // braille pattern blank
    case 0x3164:  // Hangul filler
    case 0xFFA0:  // halfwidth Hangul filler
    case 0x110BD:
    case 0x110CD:
    case 0x1D159:  // musical symbol null notehead
      return true;
    default:
      break;
  }
  return (c >= 0x0600 && c <= 0x0605) ||    // Arabic number signs
         (c >= 0x180B && c <= 0x180F) ||    // Mongolian free variation selectors
         (c >= 0x200B && c <= 0x200F) ||    // zero-width space, joiners, LRM, RLM
         (c >= 0x202A && c <= 0x202E) ||    // bidi embeddings and overrides
         (c >= 0x2060 && c <= 0x206F) ||    // word joiner, invisible operators, isolates
         (c >= 0xFE00 && c <= 0xFE0F) ||    // variation selectors
         (c >= 0xFFF0 && c <= 0xFFFB) ||    // reserved default-ignorables, interlinear annotation
         (c >= 0x13430 && c <= 0x1343F) ||  // Egyptian hieroglyph format controls
         (c >= 0x1BCA0 && c <= 0x1BCA3) ||  // shorthand format controls
         (c >= 0x1D173 && c <= 0x1D17A) ||  // musical symbol format controls
         (c >= 0xE0000 && c <= 0xE0FFF) ||  // tags, variation selectors supplement, reserved
         (c >= 0xFDD0 && c <= 0xFDEF) ||    // noncharacters
         (c & 0xFFFE) == 0xFFFE ||          // noncharacters U+xFFFE, U+xFFFF in every plane
         (c >= 0x0300 && c <= 0x036F) ||    // combining diacritical marks
         (c >= 0x0483 && c <= 0x0489) ||    // combining Cyrillic marks
         (c >= 0x1AB0 && c <= 0x1AFF) ||    // combining diacritical marks extended
         (c >= 0x1DC0 && c <= 0x1DFF) ||    // combining diacritical marks supplement
         (c >= 0x20D0 && c <= 0x20FF) ||    // combining marks for symbols
         (c >= 0xFE20 && c <= 0xFE2F);      // combining half marks
}

// C0, DEL and C1 controls.
bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

std::string encode_utf8(const std::vector<char32_t>& points, std::size_t begin, std::size_t end) {
  std::string out;
  out.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const char32_t c = points[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

struct FieldRules {
  const char* key;
  const char* label;
  std::size_t max_length;
  bool allows_line_breaks;
};

// Returns the cleaned text, or stores the reason in `errors[key]`.
std::optional<std::string> check_text(const boost::json::object& body, const FieldRules& rules,
                                      std::map<std::string, std::string>& errors) {
  const std::string label = rules.label;
  const boost::json::value* value = body.if_contains(rules.key);
  if (!value || value->is_null()) {
    errors[rules.key] = label + " is required.";
    return std::nullopt;
  }
  if (!value->is_string()) {
    errors[rules.key] = label + " must be text.";
    return std::nullopt;
  }
  const boost::json::string& raw = value->get_string();
  std::optional<std::vector<char32_t>> points = decode_utf8({raw.data(), raw.size()});
  if (!points) {
    errors[rules.key] = label + " must be valid UTF-8 text.";
    return std::nullopt;
  }
  std::size_t begin = 0;
  std::size_t end = points->size();
  while (begin < end && is_js_whitespace((*points)[begin])) ++begin;
  while (end > begin && is_js_whitespace((*points)[end - 1])) --end;
  for (std::size_t i = begin; i < end; ++i) {
    const char32_t c = (*points)[i];
    const bool allowed_break = rules.allows_line_breaks && (c == '\n' || c == '\r' || c == '\t');
    if (is_control(c) && !allowed_break) {
      errors[rules.key] = label + (rules.allows_line_breaks
                                       ? " must not contain control characters other than line "
                                         "breaks and tabs."
                                       : " must not contain control characters or line breaks.");
      return std::nullopt;
    }
  }
  const std::size_t length = end - begin;
  if (length > 0 && std::all_of(points->begin() + static_cast<std::ptrdiff_t>(begin),
                                points->begin() + static_cast<std::ptrdiff_t>(end), is_invisible)) {
    errors[rules.key] = label +
                        " must contain visible characters (not only spaces, "
                        "zero-width or formatting characters).";
    return std::nullopt;
  }
  if (length == 0 || length > rules.max_length) {
    errors[rules.key] = label + " must be 1 to " + std::to_string(rules.max_length) +
                        " characters" +
                        (length == 0 ? "" : " (it has " + std::to_string(length) + ")") + ".";
    return std::nullopt;
  }
  return encode_utf8(*points, begin, end);
}

// True when a key starting with '$' appears anywhere (walked with an explicit stack: no
// recursion however deep the value is nested).
bool has_operator_key(const boost::json::value& root) {
  std::vector<const boost::json::value*> pending{&root};
  while (!pending.empty()) {
    const boost::json::value* value = pending.back();
    pending.pop_back();
    if (const boost::json::object* object = value->if_object()) {
      for (const auto& member : *object) {
        if (!member.key().empty() && member.key().front() == '$') return true;
        pending.push_back(&member.value());
      }
    } else if (const boost::json::array* array = value->if_array()) {
      for (const auto& element : *array) pending.push_back(&element);
    }
  }
  return false;
}

}  // namespace

ValidationResult validate_entry(const boost::json::value& body) {
  ValidationResult result;
  const boost::json::object* object = body.if_object();
  if (!object) {
    result.field_errors["body"] = "Send an object with a name and a message.";
    return result;
  }
  if (has_operator_key(body)) {
    result.field_errors["body"] = "Field names must not start with '$'.";
    return result;
  }
  std::optional<std::string> name =
      check_text(*object, {"name", "Name", max_name_length, false}, result.field_errors);
  std::optional<std::string> message =
      check_text(*object, {"message", "Message", max_message_length, true}, result.field_errors);
  if (name && message) result.entry = NewEntry{std::move(*name), std::move(*message)};
  return result;
}

}  // namespace cppapp::store
