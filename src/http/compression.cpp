#include "http/compression.hpp"

#include "http/header_tokens.hpp"

#include "http/encoded_cache.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <vector>

#include "http/node_headers.hpp"

namespace cppapp::http {

namespace {

std::string_view js_trim(std::string_view s) {
  while (!s.empty() && is_js_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_js_space(s.back())) s.remove_suffix(1);
  return s;
}

// parseFloat: leading whitespace, then the longest prefix that is a decimal literal (sign,
// digits, fraction, exponent) or "Infinity"; NaN when there is none.
double js_parse_float(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_js_space(text[i])) ++i;
  const std::size_t start = i;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (text.substr(i).starts_with("Infinity")) {
    return text[start] == '-' ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity();
  }
  const std::size_t int_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  bool digits = i > int_start;
  if (i < text.size() && text[i] == '.') {
    const std::size_t frac_start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i > frac_start) digits = true;
    if (!digits) return std::nan("");
  }
  if (!digits) return std::nan("");
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    const std::size_t exp_start = j;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j > exp_start) i = j;
  }
  const std::string literal(text.substr(start, i - start));
  return std::strtod(literal.c_str(), nullptr);
}

// One parsed Accept-Encoding element (negotiator's {encoding, q, i}).
struct Accepted {
  std::string_view encoding;
  double q;
  std::size_t index;
};

// negotiator's parseEncoding: /^\s*([^\s;]+)\s*(?:;(.*))?$/ on a trimmed element.
std::optional<Accepted> parse_encoding(std::string_view element, std::size_t index) {
  std::size_t i = 0;
  while (i < element.size() && is_js_space(element[i])) ++i;
  const std::size_t name_start = i;
  while (i < element.size() && !is_js_space(element[i]) && element[i] != ';') ++i;
  if (i == name_start) return std::nullopt;
  const std::string_view name = element.substr(name_start, i - name_start);
  while (i < element.size() && is_js_space(element[i])) ++i;
  double q = 1;
  if (i < element.size()) {
    if (element[i] != ';') return std::nullopt;
    const std::string_view params = element.substr(i + 1);
    // '.' in (.*) does not match line terminators.
    if (params.find_first_of("\r\n") != std::string_view::npos) return std::nullopt;
    std::string_view rest = params;
    while (true) {
      const std::size_t semicolon = rest.find(';');
      const std::string_view param = js_trim(rest.substr(0, semicolon));
      const std::size_t equals = param.find('=');
      if (param.substr(0, equals) == "q") {
        if (equals == std::string_view::npos) {
          q = std::nan("");  // parseFloat(undefined)
        } else {
          std::string_view value = param.substr(equals + 1);
          value = value.substr(0, value.find('='));
          q = js_parse_float(value);
        }
        break;
      }
      if (semicolon == std::string_view::npos) break;
      rest.remove_prefix(semicolon + 1);
    }
  }
  return Accepted{name, q, index};
}

// JS `a || b` over numbers: 0 and NaN are falsy.
double js_or(double a, double b) {
  return (a == 0 || std::isnan(a)) ? b : a;
}

// negotiator's priority of one provided encoding: {q, s (1 exact, 0 wildcard), o (header index)}.
struct Priority {
  double q = 0;
  int s = 0;
  double o = -1;
};

}  // namespace

std::string_view encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::br:
      return "br";
    case Encoding::gzip:
      return "gzip";
    case Encoding::deflate:
      return "deflate";
    case Encoding::identity:
      break;
  }
  return "identity";
}

Encoding negotiate_encoding(std::string_view accept_encoding) {
  // compression: a missing or empty Accept-Encoding means identity (enforceEncoding default).
  if (accept_encoding.empty()) return Encoding::identity;

  std::vector<Accepted> accepts;
  bool has_identity = false;
  double min_quality = 1;
  std::size_t count = 0;
  std::string_view rest = accept_encoding;
  while (true) {
    const std::size_t comma = rest.find(',');
    if (auto parsed = parse_encoding(js_trim(rest.substr(0, comma)), count)) {
      accepts.push_back(*parsed);
      has_identity =
          has_identity || iequals(parsed->encoding, "identity") || parsed->encoding == "*";
      min_quality = std::min(min_quality, js_or(parsed->q, 1));
    }
    ++count;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!has_identity) accepts.push_back({"identity", min_quality, count});

  // SUPPORTED_ENCODING in compression's order; br and gzip are its PREFERRED_ENCODING.
  constexpr std::array<Encoding, 4> kProvided = {Encoding::br, Encoding::gzip, Encoding::deflate,
                                                 Encoding::identity};
  std::optional<std::size_t> best;
  std::array<Priority, 4> priorities{};
  for (std::size_t p = 0; p < kProvided.size(); ++p) {
    Priority& priority = priorities[p];
    for (const auto& spec : accepts) {
      int s = 0;
      if (iequals(spec.encoding, encoding_name(kProvided[p]))) {
        s = 1;
      } else if (spec.encoding != "*") {
        continue;
      }
      const double order = js_or(js_or(priority.s - s, priority.q - spec.q),
                                 priority.o - static_cast<double>(spec.index));
      if (order < 0) priority = {spec.q, s, static_cast<double>(spec.index)};
    }
  }
  // The first of the sorted list: higher q, then preferred (br before gzip) before the others,
  // which keep specificity/header order, then provided order.
  const auto preferred_rank = [](std::size_t p) { return p < 2 ? static_cast<int>(p) : -1; };
  const auto before = [&](std::size_t a, std::size_t b) {
    const Priority& pa = priorities[a];
    const Priority& pb = priorities[b];
    if (pa.q != pb.q) return pb.q - pa.q < 0;
    const int ra = preferred_rank(a), rb = preferred_rank(b);
    if (ra == -1 && rb == -1) {
      const double order = js_or(js_or(pb.s - pa.s, pa.o - pb.o), static_cast<double>(a) - b);
      return order < 0;
    }
    if (ra != -1 && rb != -1) return ra < rb;
    return ra != -1;
  };
  for (std::size_t p = 0; p < kProvided.size(); ++p) {
    if (!(priorities[p].q > 0)) continue;
    if (!best || before(p, *best)) best = p;
  }
  return best ? kProvided[*best] : Encoding::identity;
}

namespace {

std::string zlib_encode(std::string_view data, int level, int window_bits) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return status == Z_STREAM_END ? out : std::string{};
}

std::string brotli_encode(std::string_view data, int quality) {
  std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
  if (size == 0) size = data.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    return {};
  }
  out.resize(size);
  return out;
}

// vary's parse: comma-separated, spaces trimmed around items, empty items kept, lower-cased.
std::vector<std::string> parse_vary(std::string_view header) {
  std::vector<std::string> list;
  for (std::string_view item : split_token_list(header, true)) {
    std::string lowered(item);
    for (char& c : lowered) c = ascii_lower(c);
    list.push_back(std::move(lowered));
  }
  return list;
}

// vary(res, 'Accept-Encoding').
void vary_accept_encoding(Headers& headers) {
  std::string value;
  bool first = true;
  for (const auto& field : headers.fields()) {
    if (!iequals(field.name, "Vary")) continue;
    if (!first) value += ", ";
    value += field.value;
    first = false;
  }
  if (value == "*") return;
  const auto values = parse_vary(value);
  if (std::find(values.begin(), values.end(), "*") != values.end()) {
    set_header_in_place(headers, "Vary", "*");
    return;
  }
  if (std::find(values.begin(), values.end(), "accept-encoding") == values.end()) {
    value += value.empty() ? "Accept-Encoding" : ", Accept-Encoding";
  }
  set_header_in_place(headers, "Vary", value);
}

// Number(value) for a Content-Length string: trimmed decimal, "" is 0, anything else NaN.
double js_number(std::string_view value) {
  value = js_trim(value);
  if (value.empty()) return 0;
  std::size_t i = 0;
  for (; i < value.size(); ++i) {
    if (value[i] < '0' || value[i] > '9') return std::nan("");
  }
  const std::string digits(value);
  return std::strtod(digits.c_str(), nullptr);
}

std::optional<std::string> read_file_range(const Response::FileBody& file) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(static_cast<std::streamoff>(file.offset));
  std::string data(file.length, '\0');
  in.read(data.data(), static_cast<std::streamsize>(file.length));
  if (static_cast<std::uint64_t>(in.gcount()) != file.length) return std::nullopt;
  return data;
}

}  // namespace

std::string encode(Encoding encoding, std::string_view data, const CompressionOptions& options) {
  switch (encoding) {
    case Encoding::gzip:
      return zlib_encode(data, options.gzip_level, 15 + 16);
    case Encoding::deflate:
      return zlib_encode(data, options.gzip_level, 15);
    case Encoding::br:
      return brotli_encode(data, options.brotli_quality);
    case Encoding::identity:
      break;
  }
  return std::string(data);
}

void compress_response(const Request& request, Response& response,
                       const CompressionOptions& options) {
  // A 304 has no body to compress, but says it varies as the answer it stands for does.
  const bool not_modified = response.status == 304;
  const auto content_type = not_modified && !response.not_modified_type.empty()
                                ? std::optional<std::string_view>(response.not_modified_type)
                                : response.headers.get("Content-Type");
  if (!content_type || !is_compressible(*content_type)) return;

  const auto cache_control = response.headers.get("Cache-Control");
  if (cache_control && has_list_element(*cache_control, "no-transform")) return;

  vary_accept_encoding(response.headers);
  if (not_modified) return;

  // Number(Content-Length) < threshold when the field is set, else the body's length.
  const auto threshold = static_cast<double>(options.threshold);
  if (const auto length_field = response.headers.get("Content-Length")) {
    if (js_number(*length_field) < threshold) return;
  } else if (static_cast<double>(response.content_length()) < threshold) {
    return;
  }

  const auto existing = response.headers.get("Content-Encoding");
  if (existing && !existing->empty() && *existing != "identity") return;

  if (request.method == "HEAD") return;

  const auto accept_encoding = node_header(request.headers, "Accept-Encoding");
  const Encoding encoding = negotiate_encoding(accept_encoding.value_or(""));
  if (encoding == Encoding::identity) return;

  // The same ETag on a full answer means the same bytes: their compressed form can be reused.
  const auto etag = response.headers.get("ETag");
  const bool cacheable = options.cache != nullptr && etag && response.status == 200;
  std::shared_ptr<const std::string> cached =
      cacheable ? options.cache->find(*etag, encoding) : nullptr;
  if (cached) {
    response.body = *cached;
    response.file.reset();
  } else {
    if (response.file) {
      auto data = read_file_range(*response.file);
      if (!data) return;  // the writer reports the unreadable file as it would without compression
      response.body = std::move(*data);
      response.file.reset();
    }
    response.body = encode(encoding, response.body, options);
    if (cacheable)
      options.cache->insert(*etag, encoding, std::make_shared<const std::string>(response.body));
  }
  set_header_in_place(response.headers, "Content-Encoding", encoding_name(encoding));
  response.headers.erase("Content-Length");
}

}  // namespace cppapp::http
