// Guestbook writes per client: a token bucket per client address (the address the nearest proxy
// saw: see http::Request::nearest_client_ip), so one
// client cannot flood the store (WRITE_RATE, WRITE_BURST). The table of buckets is bounded
// (WRITE_RATE_CLIENTS): past it, the least recently seen client's bucket is dropped; a bucket
// left alone for burst/rate is full again anyway, so dropping it loses nothing unless more
// clients than the table holds write within that time.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cppapp::app {

/// How many writes a client may make: `per_second` on average, `burst` at once.
struct WriteRate {
  double per_second = 10.0 / 60.0;
  double burst = 5;
  std::size_t max_clients = 10'000;
  bool enabled() const { return per_second > 0; }
};

/// "10/min", "1/s", "100/h" (also "/m", "/second", "/minute", "/hour"); "0" or "off": no limit.
/// nullopt when malformed. Only the rate: burst and table size are set separately.
std::optional<double> parse_write_rate(std::string_view text);

class WriteRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WriteRateLimiter(WriteRate rate) : rate_(rate) {}

  /// Takes a token for `client` (an IP address; IPv6 addresses count by their /64, which one
  /// subscriber holds whole). nullopt: the write may go ahead. Else the wait until it may.
  std::optional<std::chrono::milliseconds> admit(std::string_view client,
                                                 Clock::time_point now = Clock::now());
  /// Buckets held now (at most WriteRate::max_clients).
  std::size_t clients() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
    std::list<std::string>::iterator recency;
  };

  const WriteRate rate_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> recent_;  ///< client keys, most recently seen first
};

}  // namespace cppapp::app
