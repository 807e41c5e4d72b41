#include "log/json_text.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace cppapp::log {

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  std::uint32_t code = lead & (0xFF >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[at + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid too.
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::size_t append_utf8_sequence(std::string& out, std::string_view text, std::size_t at) {
  const std::size_t length = utf8_sequence_length(text, at);
  if (length == 0) {
    out += "\xEF\xBF\xBD";
    return 1;
  }
  out.append(text.data() + at, length);
  return length;
}

namespace {

/// Whether any of the 8 bytes of `word` needs more than a copy in a JSON string: a control
/// character (< 0x20), a byte of a multi-byte UTF-8 sequence (>= 0x80), '"' or '\\'. Eight
/// bytes per test instead of one (the classic "has a zero byte" bit trick).
bool needs_escaping(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighBits; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
  return ((word & kHighBits) | below_space | has_zero_byte(word ^ (kOnes * '"')) |
          has_zero_byte(word ^ (kOnes * '\\'))) != 0;
}

}  // namespace

bool is_plain_json_text(std::string_view text) {
  if (text.empty()) return true;  // (an empty view may hold no pointer, which memcpy must not get)
  std::uint64_t word = 0;
  if (text.size() < 8) {
    // Padded with spaces, which are plain: one test for a short text.
    word = 0x2020202020202020ULL;
    std::memcpy(&word, text.data(), text.size());
    return !needs_escaping(word);
  }
  for (std::size_t at = 0; at + 8 < text.size(); at += 8) {
    std::memcpy(&word, text.data() + at, sizeof word);
    if (needs_escaping(word)) return false;
  }
  // The last eight bytes, which may overlap the last word tested.
  std::memcpy(&word, text.data() + text.size() - 8, sizeof word);
  return !needs_escaping(word);
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Plain printable ASCII, nearly all of a log record, is copied a run at a time, found eight
    // bytes at a time while it lasts.
    std::size_t run_end = i;
    while (run_end + 8 <= text.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + run_end, sizeof word);
      if (needs_escaping(word)) break;
      run_end += 8;
    }
    while (run_end < text.size()) {
      const auto c = static_cast<unsigned char>(text[run_end]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++run_end;
    }
    out.append(text.data() + i, run_end - i);
    i = run_end;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      i += append_utf8_sequence(out, text, i);
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    ++i;
  }
  out += '"';
}

void append_json_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(end - digits));
}

}  // namespace cppapp::log
