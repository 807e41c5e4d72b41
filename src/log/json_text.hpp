// JSON text written directly, for the records logged on every request (the access log shipped to
// Logstash): the bytes Boost.JSON's serializer gives, without building a boost::json::object and
// copying every string into it first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cppapp::log {

/// The length of the valid UTF-8 sequence that starts at text[at] (1 for ASCII), or 0 when the
/// bytes there are no valid sequence: a stray continuation byte, an overlong form, a surrogate, a
/// value past U+10FFFF, or a sequence cut short.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

/// Appends the valid UTF-8 sequence that starts at text[at], or U+FFFD for that one byte when
/// none does; returns how many bytes of `text` it took.
std::size_t append_utf8_sequence(std::string& out, std::string_view text, std::size_t at);

/// Appends `text` as a quoted JSON string, escaped as Boost.JSON escapes (\" \\ \b \f \n \r \t,
/// other control characters as \u00xx), each byte of invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view text);

/// Whether append_json_string copies `text` as it is between its quotes: printable ASCII without
/// '"' and '\\'. Eight bytes per step.
bool is_plain_json_text(std::string_view text);

/// Appends the decimal form of `value`.
void append_json_integer(std::string& out, std::int64_t value);

}  // namespace cppapp::log
