#include "http/etag.hpp"

#include <array>
#include <boost/uuid/detail/sha1.hpp>
#include <cstdio>

namespace cppapp::http {

namespace {

std::string hex(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(value));
  return buffer;
}

// JS Number#toString(16) of an integer: a minus sign before the magnitude.
std::string signed_hex(std::int64_t value) {
  if (value >= 0) return hex(static_cast<std::uint64_t>(value));
  return "-" + hex(0 - static_cast<std::uint64_t>(value));
}

std::string base64(const std::array<unsigned char, 20>& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  // 20 bytes leave two: three characters and one '=' pad.
  const unsigned n = (bytes[i] << 16) | (bytes[i + 1] << 8);
  out += kAlphabet[(n >> 18) & 63];
  out += kAlphabet[(n >> 12) & 63];
  out += kAlphabet[(n >> 6) & 63];
  out += '=';
  return out;
}

std::array<unsigned char, 20> sha1(std::string_view data) {
  boost::uuids::detail::sha1 hasher;
  hasher.process_bytes(data.data(), data.size());
  boost::uuids::detail::sha1::digest_type words;
  hasher.get_digest(words);
  std::array<unsigned char, 20> bytes{};
  for (std::size_t w = 0; w < 5; ++w) {  // the digest words are big-endian in the byte output
    for (std::size_t b = 0; b < 4; ++b) {
      bytes[w * 4 + b] = static_cast<unsigned char>((words[w] >> (24 - 8 * b)) & 0xFF);
    }
  }
  return bytes;
}

}  // namespace

std::string entity_tag_for_body(std::string_view body) {
  if (body.empty()) return "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\"";
  return "W/\"" + hex(body.size()) + "-" + base64(sha1(body)).substr(0, 27) + "\"";
}

std::string entity_tag_for_file(std::uint64_t size, std::int64_t mtime_ms) {
  return "W/\"" + hex(size) + "-" + signed_hex(mtime_ms) + "\"";
}

}  // namespace cppapp::http
