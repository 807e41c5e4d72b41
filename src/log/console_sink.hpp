// The console's sink: spdlog's background thread writes finished text to stdout with write(2),
// and a write stdout cannot take (a closed pipe, a full disk behind a redirect) is counted and
// dropped instead of stopping the writer or, through SIGPIPE, the process.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace cppapp::log {

class ConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ConsoleSink(int fd);

  /// True when the descriptor is a terminal that understands ANSI colours.
  bool colour() const { return colour_; }
  /// Writes stdout refused (EPIPE, EIO, ENOSPC…) since start; their text is lost.
  std::uint64_t failed_writes() const { return failed_.load(std::memory_order_relaxed); }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}

 private:
  int fd_;
  bool colour_;
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace cppapp::log
