#include "log/console_sink.hpp"

#include <poll.h>
#include <spdlog/details/os.h>
#include <unistd.h>

#include <cerrno>

namespace cppapp::log {

ConsoleSink::ConsoleSink(int fd)
    : fd_(fd), colour_(::isatty(fd) == 1 && spdlog::details::os::is_color_terminal()) {}

void ConsoleSink::sink_it_(const spdlog::details::log_msg& message) {
  spdlog::memory_buf_t text;
  formatter_->format(message, text);  // the logger's pattern "%v": the text and its newline
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A non-blocking stdout (shared with another process): wait until it takes more. This is
      // the console's own thread; a request never waits here.
      pollfd ready{.fd = fd_, .events = POLLOUT, .revents = 0};
      ::poll(&ready, 1, -1);
      continue;
    }
    if (written <= 0) {
      // stdout is gone or broken (a closed pipe: `cppapp | head`, a restarted log collector):
      // count the lost write and keep going; the next one may succeed.
      failed_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace cppapp::log
