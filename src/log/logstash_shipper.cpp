#include "log/logstash_shipper.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace cppapp::log {

namespace {

/// I/O timeouts (connect, a stalled send) are real time whatever clock schedules the rest.
using Steady = std::chrono::steady_clock;
constexpr std::size_t kBatchBytes = 256 * 1024;

/// Keeps `done`, emptied, among the strings enqueue hands back (the shipper's mutex held). One
/// event loop's batch of a millisecond is tens of KiB at full load: a few such strings serve
/// every loop; larger ones (a burst) are let go rather than kept resident.
void keep_spare(std::vector<std::string>& spares, std::string&& done) {
  constexpr std::size_t kSpareStrings = 4;
  constexpr std::size_t kLargestSpare = kBatchBytes / 2;
  if (spares.size() >= kSpareStrings || done.capacity() > kLargestSpare) return;
  done.clear();
  spares.push_back(std::move(done));
}

constexpr auto kConnectTimeout = std::chrono::seconds(2);
/// A receiver that takes nothing for this long is treated as dead.
constexpr auto kSendStallTimeout = std::chrono::seconds(10);
/// Bounds the bytes the kernel holds unacknowledged, so the resend window (default 1 MiB) covers
/// them and leaves the rest for what the receiver's kernel took but the receiver never read.
constexpr int kSendBufferBytes = 64 * 1024;

/// Counts the newlines a line at a time with memchr (a line is hundreds of bytes): every chunk
/// sent is counted.
std::uint64_t count_lines(std::string_view text) {
  std::uint64_t lines = 0;
  const char* at = text.data();
  const char* const end = at + text.size();
  while (at < end) {
    const void* found = std::memchr(at, '\n', static_cast<std::size_t>(end - at));
    if (found == nullptr) break;
    ++lines;
    at = static_cast<const char*>(found) + 1;
  }
  return lines;
}

/// The length of the longest run of whole lines at the start of `text` that is at most `room`
/// bytes, and how many lines it holds.
std::pair<std::size_t, std::uint64_t> whole_lines_within(std::string_view text, std::size_t room) {
  std::size_t length = 0;
  std::uint64_t lines = 0;
  for (;;) {
    const std::size_t newline = text.find('\n', length);
    if (newline == std::string_view::npos || newline + 1 > room) return {length, lines};
    length = newline + 1;
    ++lines;
  }
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

/// Splits "host:port" or "[v6]:port".
std::pair<std::string, std::string> split_address(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return {address, "9000"};
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, address.substr(colon + 1)};
}

int poll_ms(Steady::duration left) {
  // Rounded up: a wait cut short by rounding would only poll again.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
}

}  // namespace

LogstashShipper::LogstashShipper(ShipperOptions options, ShipperReport report, const Clock& clock)
    : options_(std::move(options)), report_(std::move(report)), clock_(clock) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  spool_ = std::make_unique<Spool>(options_.spool_dir, options_.spool_max_bytes);
  if (!spool_->empty()) {
    report_(false, "found " + std::to_string(spool_->bytes()) + " bytes of spooled log events in " +
                       options_.spool_dir.string() + "; shipping them first");
  }
  thread_ = std::thread([this] { run(); });
}

LogstashShipper::~LogstashShipper() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::string LogstashShipper::enqueue(std::string lines, std::uint64_t count) {
  std::string spare;
  {
    std::lock_guard lock(mutex_);
    if (!spare_strings_.empty()) {
      spare = std::move(spare_strings_.back());
      spare_strings_.pop_back();
    }
    const std::size_t room =
        options_.buffer_bytes > memory_bytes_ ? options_.buffer_bytes - memory_bytes_ : 0;
    if (lines.size() > room) {
      // The lines that fit go in; the rest are dropped and counted, line by line.
      const auto [kept_bytes, kept_lines] = whole_lines_within(lines, room);
      counters_.dropped.fetch_add(count - kept_lines, std::memory_order_relaxed);
      dropped_unreported_ += count - kept_lines;
      lines.resize(kept_bytes);
    }
    if (!lines.empty()) {
      memory_bytes_ += lines.size();
      memory_.push_back(std::move(lines));
    }
  }
  wake();
  return spare;
}

void LogstashShipper::recycle(std::string&& done) {
  std::lock_guard lock(mutex_);
  keep_spare(spare_strings_, std::move(done));
}

void LogstashShipper::wake() {
  if (!wake_pending_.exchange(true)) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
  }
}

void LogstashShipper::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_pending_.store(false);
  wake();
  if (thread_.joinable()) thread_.join();
}

bool LogstashShipper::connect_once() {
  const auto [host, port] = split_address(options_.address);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string failure;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    failure = "cannot resolve " + host + ": " + ::gai_strerror(rc);
  }
  for (addrinfo* candidate = found; candidate != nullptr && socket_ < 0;
       candidate = candidate->ai_next) {
    const int fd =
        ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int error = 0;
    if (::connect(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 && errno == EINPROGRESS) {
      pollfd wait{fd, POLLOUT, 0};
      if (::poll(&wait, 1, static_cast<int>(std::chrono::milliseconds(kConnectTimeout).count())) ==
          1) {
        socklen_t length = sizeof error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      } else {
        error = ETIMEDOUT;
      }
    } else if (errno != 0 && errno != EINPROGRESS) {
      error = errno;
    }
    if (error != 0) {
      failure = std::strerror(error);
      ::close(fd);
      continue;
    }
    // Dead peers are found by keepalive probes and by unacknowledged writes.
    const int on = 1, idle = 10, interval = 5, probes = 3;
    const unsigned user_timeout_ms = 10'000;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof kSendBufferBytes);
    socket_ = fd;
  }
  if (found != nullptr) ::freeaddrinfo(found);

  if (socket_ < 0) {
    counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    if (!failure_reported_) {
      report_(true, "cannot reach logstash at " + options_.address + ": " + failure +
                        "; buffering log events (memory up to " +
                        human_size(options_.buffer_bytes) + ", then spool up to " +
                        human_size(options_.spool_max_bytes) + ") and retrying");
      failure_reported_ = true;
    }
    return false;
  }
  if (ever_connected_) counters_.reconnects.fetch_add(1, std::memory_order_relaxed);
  report_(false, std::string(ever_connected_ ? "reconnected" : "connected") + " to logstash at " +
                     options_.address);
  ever_connected_ = true;
  failure_reported_ = false;
  return true;
}

void LogstashShipper::disconnect(std::deque<std::string>&& unsent_lines) {
  ::close(socket_);
  socket_ = -1;
  // What the dead connection may have lost: the recent window, then whatever was queued to resend,
  // then the batch that failed.
  std::deque<std::string> again = std::move(recent_);
  for (const auto& chunk : again)
    counters_.resent.fetch_add(count_lines(chunk), std::memory_order_relaxed);
  for (auto& chunk : resend_) again.push_back(std::move(chunk));
  for (auto& chunk : unsent_lines) again.push_back(std::move(chunk));
  resend_ = std::move(again);
  recent_.clear();
  recent_bytes_ = 0;
}

bool LogstashShipper::send(const std::string& data) {
  std::size_t offset = 0;
  auto stalled_at = Steady::now() + kSendStallTimeout;
  while (offset < data.size()) {
    const ssize_t sent = ::send(socket_, data.data() + offset, data.size() - offset, MSG_NOSIGNAL);
    if (sent > 0) {
      offset += static_cast<std::size_t>(sent);
      stalled_at = Steady::now() + kSendStallTimeout;
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      // While a slow receiver holds us here, new events keep arriving: move them to the spool
      // as memory fills, instead of letting the request threads find it full.
      pollfd waits[2] = {{socket_, POLLOUT, 0}, {wake_fd_, POLLIN, 0}};
      if (::poll(waits, 2, poll_ms(stalled_at - Steady::now())) == 0 &&
          Steady::now() >= stalled_at) {
        return false;
      }
      if (waits[1].revents & POLLIN) {
        std::uint64_t value = 0;
        [[maybe_unused]] const ssize_t ignored = ::read(wake_fd_, &value, sizeof value);
        wake_pending_.store(false);
        spill_memory(options_.buffer_bytes / 2);
      }
      continue;
    }
    return false;
  }
  return true;
}

void LogstashShipper::spill_memory(std::size_t keep_bytes) {
  std::string chunk;
  {
    std::lock_guard lock(mutex_);
    while (memory_bytes_ > keep_bytes && !memory_.empty()) {
      memory_bytes_ -= memory_.front().size();
      chunk += memory_.front();
      memory_.pop_front();
    }
  }
  if (chunk.empty()) return;
  const std::uint64_t lines = count_lines(chunk);
  if (spool_->append(chunk)) {
    counters_.spooled.fetch_add(lines, std::memory_order_relaxed);
  } else {
    counters_.dropped.fetch_add(lines, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      dropped_unreported_ += lines;
    }
    // Not full but unwritable (removed, read-only, a full disk): say so now, a line per few
    // seconds, on the console only; the drops are counted either way.
    if (!spool_->last_error().empty()) {
      if (const auto repeated = spool_failures_.admit()) {
        report_(true, "log spool: " + spool_->last_error() + "; " + std::to_string(lines) +
                          " log events dropped (cppapp_log_events_dropped_total)" + *repeated);
      }
    }
  }
}

void LogstashShipper::spill_everything() {
  // Lines that may not have arrived go to a file the next start ships before the spool.
  std::string again;
  for (const auto& chunk : resend_) again += chunk;
  if (socket_ < 0) {
    for (const auto& chunk : recent_) again += chunk;
  }
  if (!again.empty()) {
    const auto path =
        options_.spool_dir / ("first-resend-" + std::to_string(::getpid()) + ".ndjson");
    std::ofstream(path, std::ios::binary | std::ios::app) << again;
    counters_.spooled.fetch_add(count_lines(again), std::memory_order_relaxed);
  }
  resend_.clear();
  spill_memory(0);
}

void LogstashShipper::wait_for_work(Clock::time_point until) {
  pollfd waits[2] = {{wake_fd_, POLLIN, 0}, {socket_, POLLIN | POLLRDHUP, 0}};
  const int count = socket_ >= 0 ? 2 : 1;
  if (::poll(waits, static_cast<nfds_t>(count), poll_ms(clock_.real_wait(until))) <= 0) return;
  if (waits[0].revents & POLLIN) {
    std::uint64_t value = 0;
    [[maybe_unused]] const ssize_t ignored = ::read(wake_fd_, &value, sizeof value);
    wake_pending_.store(false);
  }
  if (count == 2 && waits[1].revents != 0) {
    // Logstash sends nothing: readable means closed or reset.
    char sink[512];
    const ssize_t got = ::recv(socket_, sink, sizeof sink, MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) disconnect({});
  }
}

void LogstashShipper::run() {
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(1 - options_.backoff_jitter,
                                                1 + options_.backoff_jitter);
  auto backoff = options_.initial_backoff;
  auto next_attempt = clock_.now();
  std::optional<Clock::time_point> stop_deadline;

  auto remember = [this](std::string chunk) {
    const std::uint64_t lines = count_lines(chunk);
    recent_bytes_ += chunk.size();
    recent_.push_back(std::move(chunk));
    while (!recent_.empty() &&
           recent_bytes_ - recent_.front().size() >= options_.resend_window_bytes) {
      recent_bytes_ -= recent_.front().size();
      recycle(std::move(recent_.front()));
      recent_.pop_front();
    }
    // Counted once the window is kept: a reader of the count sees what it implies.
    counters_.shipped.fetch_add(lines, std::memory_order_relaxed);
    std::uint64_t dropped = 0;
    {
      std::lock_guard lock(mutex_);
      std::swap(dropped, dropped_unreported_);
    }
    if (dropped > 0) {
      report_(true, std::to_string(dropped) +
                        " log events were dropped while Logstash was unreachable "
                        "and memory and spool were full (LOG_BUFFER, LOG_SPOOL_MAX)");
    }
  };

  while (true) {
    bool memory_empty = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && !stop_deadline) stop_deadline = clock_.now() + options_.flush_on_stop;
      memory_empty = memory_.empty();
    }
    if (stop_deadline &&
        (clock_.now() >= *stop_deadline || (memory_empty && resend_.empty() && spool_->empty()))) {
      break;
    }
    // Keep room in memory for the request threads.
    spill_memory(socket_ < 0 ? options_.buffer_bytes / 2 : options_.buffer_bytes * 3 / 4);

    if (socket_ < 0) {
      if (clock_.now() >= next_attempt) {
        if (connect_once()) {
          backoff = options_.initial_backoff;
          continue;
        }
        next_attempt = clock_.now() + std::chrono::duration_cast<std::chrono::milliseconds>(
                                          backoff * jitter(random));
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
      wait_for_work(stop_deadline ? std::min(next_attempt, *stop_deadline) : next_attempt);
      continue;
    }

    // Order: what the last connection may have lost, then the spool, then memory.
    if (!resend_.empty()) {
      std::string chunk = resend_.front();
      if (send(chunk)) {
        resend_.pop_front();
        remember(std::move(chunk));
      } else {
        disconnect({});
      }
      continue;
    }
    if (!spool_->empty()) {
      std::string chunk = spool_->peek(kBatchBytes);
      if (!chunk.empty()) {
        if (send(chunk)) {
          spool_->consume(chunk.size());
          remember(std::move(chunk));
        } else {
          disconnect({});
        }
        continue;
      }
    }
    std::string chunk;
    {
      std::lock_guard lock(mutex_);
      while (!memory_.empty() && chunk.size() < kBatchBytes) {
        memory_bytes_ -= memory_.front().size();
        // An event loop's batch is usually all there is: taken as it is, not copied.
        if (chunk.empty()) {
          chunk = std::move(memory_.front());
        } else {
          chunk += memory_.front();
          keep_spare(spare_strings_, std::move(memory_.front()));
        }
        memory_.pop_front();
      }
    }
    if (chunk.empty()) {
      wait_for_work(stop_deadline ? *stop_deadline : clock_.now() + std::chrono::seconds(1));
      continue;
    }
    if (send(chunk)) {
      remember(std::move(chunk));
    } else {
      std::deque<std::string> unsent;
      unsent.push_back(std::move(chunk));
      disconnect(std::move(unsent));
    }
  }

  spill_everything();
  if (socket_ >= 0) {
    ::shutdown(socket_, SHUT_WR);
    ::close(socket_);
    socket_ = -1;
  }
}

}  // namespace cppapp::log
