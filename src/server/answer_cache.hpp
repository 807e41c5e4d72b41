// Whole answers sent again. A route whose answer can only change with the method, the target and
// Accept-Encoding (http::Response::replayable: production's index page) is answered once by the
// pipeline; its head and body are kept per event loop, and a later request asking the same gets
// those bytes with only its own lines written fresh (X-Request-Id, Date, Content-Length,
// Connection): no pipeline, no header assembly, no allocation.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.hpp"

namespace cppapp::server {

/// Everything of a kept answer but the lines written for each request.
struct KeptAnswer {
  std::string response_lines;  ///< status line and the response's own header lines, wire form
  std::string body;
  unsigned status = 200;
  std::string_view route;  ///< for the metrics and the access log, as the pipeline labelled it
};

/// The kept answers of one event loop (only touched from its thread), at most `max_bytes` of
/// keys, heads and bodies; the oldest go first.
class AnswerCache {
 public:
  explicit AnswerCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  /// Writes into `key` what identifies `request`'s answer, and says whether it may come from
  /// the cache: a GET or HEAD without a body (no Content-Length or Transfer-Encoding) that asks
  /// nothing conditional (If-*, Range). False when the cache is off.
  bool key_for(const http::Request& request, std::string& key) const;

  /// The answer kept under `key`, or null. Shared: a connection still writing it keeps it even
  /// when the cache lets it go meanwhile.
  std::shared_ptr<const KeptAnswer> find(std::string_view key) const;

  /// Keeps `response` under `key` (from key_for) when its route marked it replayable and it is
  /// a whole 200 with its body in memory; anything else is left alone.
  void keep(std::string_view key, const http::Response& response);

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const KeptAnswer>, KeyHash, std::equal_to<>>
      answers_;
  std::deque<std::string> oldest_first_;
};

}  // namespace cppapp::server
