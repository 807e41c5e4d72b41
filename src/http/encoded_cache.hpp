// Compressed bodies kept for reuse: a page or a file with the same ETag compresses to the same
// bytes, so each (ETag, encoding) is compressed once and then served from memory.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace cppapp::http {

enum class Encoding;

class EncodedCache {
 public:
  /// Keeps at most `max_bytes` of compressed bodies; the oldest go first.
  explicit EncodedCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  /// The compressed body stored for this ETag and encoding, or null.
  std::shared_ptr<const std::string> find(std::string_view etag, Encoding encoding) const;
  /// Stores a compressed body (ignored when larger than the whole cache).
  void insert(std::string_view etag, Encoding encoding, std::shared_ptr<const std::string> body);

  std::size_t bytes() const;

 private:
  using Key = std::pair<std::string, int>;
  const std::size_t max_bytes_;
  mutable std::shared_mutex mutex_;
  std::map<Key, std::shared_ptr<const std::string>, std::less<>> entries_;
  std::deque<Key> insertion_order_;
  std::size_t bytes_ = 0;
};

}  // namespace cppapp::http
