#include "app/write_rate_limit.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace cppapp::app {

namespace {

/// The bucket key: an IPv4 address as is, an IPv6 address by its /64 prefix.
std::string client_key(std::string_view client) {
  if (client.find(':') == std::string_view::npos) return std::string(client);
  std::array<unsigned char, 16> address{};
  if (::inet_pton(AF_INET6, std::string(client).c_str(), address.data()) != 1)
    return std::string(client);
  // An IPv4-mapped address is one IPv4 client.
  static constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), address.begin())) {
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
    return text;
  }
  std::fill(address.begin() + 8, address.end(), 0);
  char text[INET6_ADDRSTRLEN];
  ::inet_ntop(AF_INET6, address.data(), text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace

std::optional<double> parse_write_rate(std::string_view text) {
  if (text == "off" || text == "0") return 0.0;
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  double count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + slash, count);
  // "0/s" would read as "no writes at all"; the limit is turned off with "off" (or "0").
  if (ec != std::errc{} || end != text.data() + slash || !(count > 0) || !std::isfinite(count))
    return std::nullopt;
  const std::string_view unit = text.substr(slash + 1);
  double seconds = 0;
  if (unit == "s" || unit == "sec" || unit == "second")
    seconds = 1;
  else if (unit == "m" || unit == "min" || unit == "minute")
    seconds = 60;
  else if (unit == "h" || unit == "hour")
    seconds = 3600;
  else
    return std::nullopt;
  return count / seconds;
}

std::optional<std::chrono::milliseconds> WriteRateLimiter::admit(std::string_view client,
                                                                 Clock::time_point now) {
  if (!rate_.enabled()) return std::nullopt;
  std::string key = client_key(client);
  std::lock_guard lock(mutex_);
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= std::max<std::size_t>(1, rate_.max_clients)) {
      buckets_.erase(recent_.back());
      recent_.pop_back();
    }
    recent_.push_front(key);
    found = buckets_.emplace(std::move(key), Bucket{rate_.burst, now, recent_.begin()}).first;
  } else {
    recent_.splice(recent_.begin(), recent_, found->second.recency);
  }
  Bucket& bucket = found->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(rate_.burst, bucket.tokens + std::max(0.0, elapsed) * rate_.per_second);
  bucket.updated = now;
  // (A whole token up to rounding: 6 s at 10/min is one token, not 0.9999.)
  constexpr double kRounding = 1e-9;
  if (bucket.tokens >= 1 - kRounding) {
    bucket.tokens = std::max(0.0, bucket.tokens - 1);
    return std::nullopt;
  }
  const double wait_seconds = (1 - bucket.tokens) / rate_.per_second;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_seconds * 1000)));
}

std::size_t WriteRateLimiter::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace cppapp::app
