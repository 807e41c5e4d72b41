// One request read from a connection's bytes: Beast's parser with the server's limits, plus
// what cppapp adds to it. Beast bounds the head (HEADER_LIMIT) but, after it, buffers a
// chunk-size line and a whole trailer section without bound, merges trailer fields into the
// headers, and throws for a field over 64 KiB; it joins obs-folded lines and takes a
// Transfer-Encoding it cannot frame as "no body". Here the trailer section counts against
// HEADER_LIMIT, trailers never become headers, an oversized field is a 431, and the head is
// checked (http/request_head.hpp) before a body is read. No sockets: the connection feeds it,
// and so does the fuzz_chunked target.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "http/message.hpp"
#include "http/request_head.hpp"

namespace cppapp::server {

class RequestReader {
 public:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  RequestReader(std::size_t header_limit, std::size_t body_limit);

  /// Parses what `bytes` holds; returns the bytes used (the caller drops them from its buffer).
  /// `ec` is need_more when more input is needed, header_limit when the head, a field, a
  /// chunk-size line or the trailer section is too large, else Beast's parse error.
  std::size_t feed(boost::asio::const_buffer bytes, boost::beast::error_code& ec);
  /// The client closed its side: completes a body delimited by the end, else partial_message
  /// (end_of_stream when nothing had arrived).
  void feed_eof(boost::beast::error_code& ec);

  bool head_done() const { return parser_.is_header_done(); }
  bool done() const { return parser_.is_done(); }
  /// Whether the body stage has begun (a header_limit error then means the trailer section).
  bool reading_body() const { return reading_body_; }
  /// Whether any byte of a request arrived.
  bool got_some() const { return parser_.got_some(); }

  /// After the head: why it cannot be accepted (obs-fold, framing, Host, Expect), or nullopt.
  std::optional<http::HeadRefusal> check_head() const;
  /// After an accepted head: whether the client waits for "100 Continue" before its body.
  bool expects_continue() const;
  /// Starts reading the body: notes what the head said (its fields, keep-alive) and bounds
  /// what the parser may hold back unparsed by what the head left of HEADER_LIMIT.
  void start_body();
  /// The Content-Length the head announced, if any.
  std::optional<std::uint64_t> content_length() const {
    const auto length = parser_.content_length();
    return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
  }
  /// The head's keep-alive (trailer fields cannot change it).
  bool keep_alive() const { return keep_alive_; }

  /// The parsed request (its head so far after an error).
  const Parser::value_type& message() const { return parser_.get(); }
  /// The request as the pipeline's value, headers only (trailer fields dropped).
  http::Request release();
  /// The request line and headers without the body (trailer fields dropped), for the answer to
  /// a request whose body could not be read: its format follows the client's headers.
  http::Request head() const;

 private:
  /// The size of the trailer fields the parser added after the head's.
  std::size_t trailer_bytes() const;

  Parser parser_;
  std::size_t header_limit_;
  std::size_t consumed_ = 0;        ///< bytes used so far: the head's length when the body starts
  std::size_t unparsed_limit_;      ///< most bytes held back unparsed while more is needed
  std::size_t trailer_budget_ = 0;  ///< what the head left of HEADER_LIMIT for the trailers
  http::FoldDetector folds_;
  bool reading_body_ = false;
  bool nothing_used_ = false;         ///< the last call to the parser needed more and used nothing
  http::Headers headers_;             ///< the head's fields, taken when the body stage starts
  std::size_t head_field_bytes_ = 0;  ///< their size, as trailer_bytes counts
  bool keep_alive_ = true;
};

}  // namespace cppapp::server
