#include "http/body_parser.hpp"

#include <zlib.h>

#include <cmath>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

namespace cppapp::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

struct MediaType {
  std::string type;     // "type/subtype", lower-case
  std::string charset;  // lower-case; empty when absent or the parameters are malformed
};

// type-is/media-typer for the type, content-type for the charset parameter (whose parse errors
// make body-parser fall back to utf-8).
std::optional<MediaType> parse_content_type(std::string_view header) {
  const std::size_t semicolon = header.find(';');
  const std::string_view type = trim_ows(header.substr(0, semicolon));
  const std::size_t slash = type.find('/');
  if (slash == std::string_view::npos || !is_token(type.substr(0, slash)) ||
      !is_token(type.substr(slash + 1))) {
    return std::nullopt;
  }
  MediaType out{lower(type), ""};
  std::string_view rest = semicolon == std::string_view::npos ? "" : header.substr(semicolon);
  std::string charset;
  while (!rest.empty()) {
    rest = trim_ows(rest);
    if (rest.empty()) break;
    if (rest.front() != ';') return out;  // malformed parameters: no charset
    rest = trim_ows(rest.substr(1));
    const std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return out;
    const std::string name = lower(trim_ows(rest.substr(0, eq)));
    if (!is_token(name)) return out;
    rest = rest.substr(eq + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i];
      }
      if (i >= rest.size()) return out;
      rest = rest.substr(i + 1);
    } else {
      std::size_t i = 0;
      while (i < rest.size() && is_token_char(rest[i])) ++i;
      if (i == 0) return out;
      value = std::string(rest.substr(0, i));
      rest = rest.substr(i);
    }
    if (name == "charset") charset = lower(value);
  }
  out.charset = charset;
  return out;
}

BodyError too_large(std::size_t limit) {
  return BodyError(
      413, "entity.too.large",
      "request entity too large: the body may be at most " + std::to_string(limit) + " bytes");
}

// Inflates gzip or zlib data, refusing (413) as soon as the output passes `limit`, so a
// compression bomb is never expanded beyond it.
std::string inflate_bounded(std::string_view input, bool gzip, std::size_t limit) {
  z_stream stream{};
  if (inflateInit2(&stream, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) {
    throw BodyError(500, "entity.parse.failed", "could not start decompression");
  }
  std::string out;
  char chunk[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      const bool truncated = status == Z_BUF_ERROR;
      throw BodyError(400, "entity.parse.failed",
                      truncated ? "unexpected end of file: the compressed body is truncated"
                                : std::string("invalid ") + (gzip ? "gzip" : "deflate") +
                                      " data in the request body");
    }
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (out.size() > limit) {
      inflateEnd(&stream);
      throw too_large(limit);
    }
  }
  inflateEnd(&stream);
  return out;
}

boost::json::value parse_json_body(const std::string& text) {
  if (text.empty()) return boost::json::object();
  const std::size_t first = text.find_first_not_of(" \t\n\r");
  if (first == std::string::npos || (text[first] != '{' && text[first] != '[')) {
    throw BodyError(400, "entity.parse.failed",
                    first == std::string::npos
                        ? "Unexpected end of JSON input: the body must be a JSON object or array"
                        : "Unexpected token " + text.substr(first, 1) + " in JSON at position " +
                              std::to_string(first) + ": the body must be a JSON object or array");
  }
  boost::json::parse_options parse_options;
  parse_options.max_depth = 1000;  // JSON.parse has no fixed limit; keep destruction bounded
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error, {}, parse_options);
  if (error) {
    throw BodyError(400, "entity.parse.failed",
                    "invalid JSON in the request body: " + error.message());
  }
  return value;
}

}  // namespace

bool has_body(const Request& request) {
  const Headers& headers = request.headers;
  if (headers.has("transfer-encoding")) return true;
  const auto length = headers.get("content-length");
  if (!length) return false;
  const std::string_view v = trim_ows(*length);
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

BodyError::BodyError(unsigned status_code, std::string error_type, std::string message)
    : std::runtime_error(std::move(message)), status(status_code), type(std::move(error_type)) {}

boost::json::value parse_body(const Request& request, unsigned accepted_kinds,
                              const BodyOptions& options) {
  const Headers& headers = request.headers;
  if (!has_body(request)) return boost::json::object();
  const auto media = parse_content_type(headers.value_or_empty("content-type"));
  if (!media) return boost::json::object();
  const bool urlencoded = (accepted_kinds & static_cast<unsigned>(BodyKind::urlencoded)) != 0 &&
                          media->type == "application/x-www-form-urlencoded";
  const bool json = (accepted_kinds & static_cast<unsigned>(BodyKind::json)) != 0 &&
                    media->type == "application/json";
  if (!urlencoded && !json) return boost::json::object();

  const std::string charset = media->charset.empty() ? "utf-8" : media->charset;
  const bool charset_ok = urlencoded ? charset == "utf-8" : charset.starts_with("utf-");
  // We decode UTF-8 only; body-parser would also decode JSON in utf-16/utf-32 via iconv-lite.
  if (!charset_ok || charset != "utf-8") {
    throw BodyError(415, "charset.unsupported", "unsupported charset \"" + upper(charset) + "\"");
  }

  const std::string encoding = lower(headers.get("content-encoding").value_or("identity"));
  std::string raw;
  if (encoding == "identity") {
    if (request.body.size() > options.limit) throw too_large(options.limit);
    raw = request.body;
  } else if (encoding == "gzip" || encoding == "deflate") {
    raw = inflate_bounded(request.body, encoding == "gzip", options.limit);
  } else {
    throw BodyError(415, "encoding.unsupported",
                    "unsupported content encoding \"" + encoding + "\"");
  }
  const std::string text = decode_utf8_body(raw);
  if (urlencoded) return parse_urlencoded(text, options.qs);
  return parse_json_body(text);
}

std::optional<std::size_t> parse_byte_size(std::string_view text) {
  // bytes.parse: `^((-|\+)?(\d+(?:\.\d+)?)) *(kb|mb|gb|tb|pb)$`i, else parseInt(text, 10) bytes.
  std::size_t i = 0;
  const auto digits_from = [&](std::size_t k) {
    std::size_t j = k;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    return j;
  };
  std::size_t number_start = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  std::size_t int_end = digits_from(i);
  if (int_end > i) {
    std::size_t end = int_end;
    if (end + 1 < text.size() && text[end] == '.' && digits_from(end + 1) > end + 1) {
      end = digits_from(end + 1);
    }
    std::size_t unit_start = end;
    while (unit_start < text.size() && text[unit_start] == ' ') ++unit_start;
    const std::string unit = lower(text.substr(unit_start));
    double factor = 0;
    if (unit == "kb") factor = 1024.0;
    if (unit == "mb") factor = 1048576.0;
    if (unit == "gb") factor = 1073741824.0;
    if (unit == "tb") factor = 1099511627776.0;
    if (unit == "pb") factor = 1125899906842624.0;
    if (factor > 0) {
      const double value = std::stod(std::string(text.substr(number_start, end - number_start)));
      const double bytes = std::floor(value * factor);
      if (bytes < 0 || bytes > 9007199254740992.0) return std::nullopt;
      return static_cast<std::size_t>(bytes);
    }
  }
  // parseInt: optional leading whitespace and sign, then decimal digits.
  i = 0;
  while (i < text.size() &&
         std::string_view(" \t\n\r\f\v").find(text[i]) != std::string_view::npos) {
    ++i;
  }
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  const std::size_t end = digits_from(i);
  if (end == i) return std::nullopt;
  if (end - i > 15) return std::nullopt;  // beyond any sane limit
  const std::size_t value = std::stoull(std::string(text.substr(i, end - i)));
  if (negative && value != 0) return std::nullopt;
  return value;
}

}  // namespace cppapp::http
