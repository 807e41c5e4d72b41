// Drives a server::RequestReader over a string as the connection drives it over a socket: the
// head, its checks, then the body, with the input arriving `piece` bytes at a time. Shared by the
// reader's unit tests and the fuzz_chunked target.
#pragma once

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "server/request_reader.hpp"

namespace cppapp::testing {

struct ReadOutcome {
  boost::beast::error_code error;            ///< empty when the head was read (and checked)
  std::optional<http::HeadRefusal> refusal;  ///< the head's refusal, if any
  std::optional<http::Request> request;      ///< the request, when read whole and accepted
  std::size_t most_unparsed = 0;             ///< most bytes the reader left unparsed at once
};

inline ReadOutcome read_in_pieces(std::string_view input, std::size_t piece,
                                  std::size_t header_limit, std::size_t body_limit) {
  namespace beast_http = boost::beast::http;
  server::RequestReader reader(header_limit, body_limit);
  ReadOutcome outcome;
  std::string buffer;  // what the connection holds unparsed
  std::size_t offered = 0;
  bool started = false;
  auto start_body = [&] {
    outcome.refusal = reader.check_head();
    if (!outcome.refusal) reader.start_body();
    started = true;
    return !outcome.refusal;
  };
  while (!reader.done()) {
    if (reader.head_done() && !started) {
      if (!start_body()) return outcome;  // refused: the connection closes
      continue;
    }
    boost::beast::error_code ec;
    const std::size_t used = buffer.empty() ? 0 : reader.feed(boost::asio::buffer(buffer), ec);
    buffer.erase(0, used);
    outcome.most_unparsed = std::max(outcome.most_unparsed, buffer.size());
    if (ec && ec != beast_http::error::need_more) {
      outcome.error = ec;
      return outcome;
    }
    if (!ec && used > 0) continue;
    if (offered == input.size()) {
      reader.feed_eof(ec);
      if (ec || !reader.done()) {
        outcome.error = ec ? ec : beast_http::error::partial_message;
        return outcome;
      }
      break;
    }
    const std::size_t more = std::min(piece, input.size() - offered);
    buffer.append(input.substr(offered, more));
    offered += more;
  }
  if (!started && !start_body()) return outcome;
  outcome.request = reader.release();
  return outcome;
}

}  // namespace cppapp::testing
