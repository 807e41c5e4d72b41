#include "server/request_reader.hpp"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "http/header_tokens.hpp"
#include "server/wire.hpp"

namespace cppapp::server {

namespace beast_http = boost::beast::http;

namespace {

/// The fields of a parsed head that decide its framing, for http::check_request_head.
http::FramingFields framing_fields(const BeastRequest& request) {
  http::FramingFields fields;
  fields.version = request.version();
  for (const auto& field : request) {
    switch (field.name()) {
      case beast_http::field::host:
        fields.host.push_back(field.value());
        break;
      case beast_http::field::transfer_encoding:
        fields.transfer_encoding.push_back(field.value());
        break;
      case beast_http::field::content_length:
        fields.content_length.push_back(field.value());
        break;
      case beast_http::field::expect:
        fields.expect.push_back(field.value());
        break;
      default:
        break;
    }
  }
  return fields;
}

/// "name: value\r\n" for every field the parser holds, as the fields arrived (less any
/// whitespace Beast trimmed).
std::size_t field_bytes(const BeastRequest& request) {
  std::size_t bytes = 0;
  for (const auto& field : request) bytes += field.name_string().size() + field.value().size() + 4;
  return bytes;
}

/// RFC 9112 9.3: HTTP/1.1 persists unless a Connection field says "close"; HTTP/1.0 only when
/// one says "keep-alive". Every Connection field counts (Beast's keep_alive() reads the first).
bool keeps_alive(const BeastRequest& request) {
  bool close = false;
  bool keep_alive = false;
  for (const auto& field : request) {
    if (field.name() != beast_http::field::connection) continue;
    for (const auto& token : http::split_token_list(field.value(), false)) {
      close = close || http::iequals(token, "close");
      keep_alive = keep_alive || http::iequals(token, "keep-alive");
    }
  }
  if (close) return false;
  return request.version() >= 11 || keep_alive;
}

http::Request request_line_of(const BeastRequest& message) {
  http::Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = message.version();
  return request;
}

}  // namespace

RequestReader::RequestReader(std::size_t header_limit, std::size_t body_limit)
    : header_limit_(header_limit), unparsed_limit_(std::numeric_limits<std::size_t>::max()) {
  parser_.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser_.body_limit(body_limit);
}

std::size_t RequestReader::feed(boost::asio::const_buffer bytes, boost::beast::error_code& ec) {
  // RFC 9112 2.2: empty lines before the request line are ignored, as Node's parser does (a
  // client may end a POST body with an extra CRLF and pipeline the next request after it).
  if (!parser_.got_some()) {
    const auto* data = static_cast<const char*>(bytes.data());
    std::size_t blank = 0;
    while (blank < bytes.size() && (data[blank] == '\r' || data[blank] == '\n')) ++blank;
    if (blank == bytes.size()) {
      ec = beast_http::error::need_more;
      return blank;
    }
    if (blank > 0) return blank + feed(bytes + blank, ec);
  }
  // Once Beast has seen the last-chunk line ("0\r\n") but not the end of the trailer section, it
  // asserts that the next call brings at least 5 bytes (basic_parser.ipp, parse_chunk_header:
  // n >= 5): a client sending "0\r\n" and then one byte at a time would abort a build with
  // assertions (debug, fuzz). So after a body-stage call that used nothing, the parser is only
  // called again with 5 bytes or more. No chunked body can wait on that: it ends with the last
  // chunk and an empty line, 5 bytes Beast takes in one call; and a Content-Length body is taken
  // as it comes, so such a call never uses nothing.
  constexpr std::size_t kLeastAfterNothingUsed = 5;
  if (reading_body_ && nothing_used_ && bytes.size() < kLeastAfterNothingUsed) {
    ec = beast_http::error::need_more;
    return 0;
  }
  std::size_t used = 0;
  try {
    used = parser_.put(bytes, ec);
  } catch (const std::length_error&) {
    // Beast's field container holds no name or value over 64 KiB (possible with a HEADER_LIMIT
    // above that, or in a trailer): too large, not a dropped connection.
    ec = beast_http::error::header_limit;
    return 0;
  }
  if (!reading_body_) folds_.feed(std::string_view(static_cast<const char*>(bytes.data()), used));
  consumed_ += used;
  if (!reading_body_ && consumed_ > header_limit_) {
    // Beast bounds the bytes it looks at in one call, not the fields it keeps across calls:
    // a head of many short lines could pass HEADER_LIMIT many times over.
    ec = beast_http::error::header_limit;
    return used;
  }
  nothing_used_ = used == 0 && (ec == beast_http::error::need_more || !ec);
  if ((ec == beast_http::error::need_more || (!ec && used == 0)) &&
      bytes.size() - used > unparsed_limit_) {
    ec = beast_http::error::header_limit;  // a trailer section (or chunk-size line) still growing
  } else if (!ec && reading_body_ && parser_.is_done() && trailer_bytes() > trailer_budget_) {
    ec = beast_http::error::header_limit;  // a whole trailer section arrived at once
  }
  return used;
}

std::size_t RequestReader::trailer_bytes() const {
  return field_bytes(parser_.get()) - head_field_bytes_;
}

void RequestReader::feed_eof(boost::beast::error_code& ec) {
  if (!parser_.got_some()) {
    ec = beast_http::error::end_of_stream;  // Beast's put_eof requires some input first
    return;
  }
  parser_.put_eof(ec);
}

std::optional<http::HeadRefusal> RequestReader::check_head() const {
  if (folds_.found()) {
    return http::HeadRefusal{400, "bad_request",
                             "Bad Request: a header line starts with whitespace (obs-fold)"};
  }
  return http::check_request_head(framing_fields(parser_.get()));
}

bool RequestReader::expects_continue() const {
  // check_head let only 100-continue through; an HTTP/1.0 client gets no interim answer (RFC
  // 9110 15.2: a server must not send 1xx to an HTTP/1.0 client).
  return parser_.get().version() >= 11 && parser_.get().count(beast_http::field::expect) > 0;
}

void RequestReader::start_body() {
  reading_body_ = true;
  // The headers as they are now. Beast files a trailer field next to a header of the same name,
  // so what arrives later cannot be told from the headers by position.
  const auto& fields = parser_.get();
  headers_.reserve(static_cast<std::size_t>(std::distance(fields.begin(), fields.end())));
  for (const auto& field : fields) headers_.add(field.name_string(), field.value());
  head_field_bytes_ = field_bytes(parser_.get());
  keep_alive_ = keeps_alive(parser_.get());
  trailer_budget_ = header_limit_ > consumed_ ? header_limit_ - consumed_ : 0;
  // A chunk-size line arriving in pieces must fit even when the head used nearly all of the
  // limit; the trailer section itself is held to the budget once it is whole.
  constexpr std::size_t kChunkLineAllowance = 1024;
  unparsed_limit_ = std::max(trailer_budget_, kChunkLineAllowance);
  parser_.eager(true);  // as beast::http::async_read: parse body bytes as they come
}

http::Request RequestReader::head() const {
  http::Request request = request_line_of(parser_.get());
  if (reading_body_) {
    request.headers = headers_;
  } else {
    for (const auto& field : parser_.get()) request.headers.add(field.name_string(), field.value());
  }
  return request;
}

http::Request RequestReader::release() {
  if (!reading_body_) start_body();  // a request without a body: its fields are all headers
  http::Request request = request_line_of(parser_.get());
  request.headers = std::move(headers_);
  request.body = std::move(parser_.get().body());
  return request;
}

}  // namespace cppapp::server
