#include "http/etag.hpp"

#include <nettle/sha1.h>

#include <array>
#include <cstdint>
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
  std::string text = "-";
  text += hex(0 - static_cast<std::uint64_t>(value));
  return text;
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

/// SHA-1 as Node's crypto computes it for the etag module, with Nettle's implementation (as
/// fast as OpenSSL's here, both using the CPU's SHA instructions, several times faster than a
/// portable one on a JSON page of entries). Nettle rather than OpenSSL's libcrypto: loading
/// libcrypto costs about 3.4 MiB of resident memory before any call, Nettle a few pages.
std::array<unsigned char, 20> sha1(std::string_view data) {
  sha1_ctx context;
  sha1_init(&context);
  sha1_update(&context, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
  std::array<unsigned char, 20> bytes{};
  sha1_digest(&context, bytes.size(), bytes.data());
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
