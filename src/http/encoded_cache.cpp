#include "http/encoded_cache.hpp"

#include <mutex>

#include "http/compression.hpp"

namespace cppapp::http {

std::shared_ptr<const std::string> EncodedCache::find(std::string_view etag,
                                                      Encoding encoding) const {
  std::shared_lock lock(mutex_);
  const auto found = entries_.find(Key(std::string(etag), static_cast<int>(encoding)));
  return found == entries_.end() ? nullptr : found->second;
}

void EncodedCache::insert(std::string_view etag, Encoding encoding,
                          std::shared_ptr<const std::string> body) {
  if (!body || body->size() > max_bytes_) return;
  std::unique_lock lock(mutex_);
  Key key(std::string(etag), static_cast<int>(encoding));
  if (entries_.contains(key)) return;
  while (bytes_ + body->size() > max_bytes_ && !insertion_order_.empty()) {
    const auto oldest = entries_.find(insertion_order_.front());
    bytes_ -= oldest->second->size();
    entries_.erase(oldest);
    insertion_order_.pop_front();
  }
  bytes_ += body->size();
  insertion_order_.push_back(key);
  entries_.emplace(std::move(key), std::move(body));
}

std::size_t EncodedCache::bytes() const {
  std::shared_lock lock(mutex_);
  return bytes_;
}

}  // namespace cppapp::http
