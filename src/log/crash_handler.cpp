#include "log/crash_handler.hpp"

#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace cppapp::log {

namespace {

// Prepared at install time; the handler only copies and writes.
char crash_file[4096];
char record_middle[2048];  ///< the JSON fields that do not change: ,"label":…,"process.pid":…
std::size_t record_middle_length = 0;
char alternate_stack[64 * 1024];

/// Appends text to buffer at *used (bounded), async-signal-safe.
void put(char* buffer, std::size_t size, std::size_t* used, const char* text, std::size_t length) {
  const std::size_t room = size - 1 - *used;
  const std::size_t take = length < room ? length : room;
  std::memcpy(buffer + *used, text, take);
  *used += take;
}

/// put() for a string literal, its length counted by the compiler.
template <std::size_t N>
void put_literal(char* buffer, std::size_t size, std::size_t* used, const char (&text)[N]) {
  put(buffer, size, used, text, N - 1);
}

void put_hex(char* buffer, std::size_t size, std::size_t* used, std::uintptr_t value) {
  char digits[2 + 2 * sizeof value];
  std::size_t n = 0;
  digits[n++] = '0';
  digits[n++] = 'x';
  bool started = false;
  for (int shift = static_cast<int>(sizeof value * 8) - 4; shift >= 0; shift -= 4) {
    const unsigned nibble = (value >> shift) & 0xF;
    if (nibble != 0 || started || shift == 0) {
      digits[n++] = "0123456789abcdef"[nibble];
      started = true;
    }
  }
  put(buffer, size, used, digits, n);
}

void on_fatal_signal(int signal_number) {
  void* frames[64];
  const int depth = backtrace(frames, 64);
  const char* name = sigabbrev_np(signal_number);

  static const char kHeader[] = "FATAL: cppapp received signal SIG";
  [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, kHeader, sizeof kHeader - 1);
  ignored = write(STDERR_FILENO, name, std::strlen(name));
  static const char kTail[] = "; backtrace:\n";
  ignored = write(STDERR_FILENO, kTail, sizeof kTail - 1);
  backtrace_symbols_fd(frames, depth, STDERR_FILENO);

  static char record[8192];
  std::size_t used = 0;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  char timestamp[kIso8601Size];
  const std::size_t timestamp_length = format_iso8601_utc(
      static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000, timestamp);
  put_literal(record, sizeof record, &used, "{\"@timestamp\":\"");
  put(record, sizeof record, &used, timestamp, timestamp_length);
  put_literal(record, sizeof record, &used, "\",\"message\":\"fatal signal SIG");
  put(record, sizeof record, &used, name, std::strlen(name));
  put_literal(record, sizeof record, &used, "\"");
  put(record, sizeof record, &used, record_middle, record_middle_length);
  put_literal(record, sizeof record, &used, ",\"error.stack_trace\":\"");
  for (int i = 0; i < depth; ++i) {
    if (i > 0) put_literal(record, sizeof record, &used, " ");
    put_hex(record, sizeof record, &used, reinterpret_cast<std::uintptr_t>(frames[i]));
  }
  put_literal(record, sizeof record, &used, "\"}\n");

  const int fd = crash_file[0] == '\0'
                     ? -1
                     : open(crash_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd >= 0) {
    ignored = write(fd, record, used);
    close(fd);
  }
  // Let the signal do what it would have done (core dump, exit status).
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

}  // namespace

void install_crash_handler(const std::filesystem::path& spool_dir, const Identity& identity,
                           std::uint64_t boot_id) {
  if (!spool_dir.empty()) {
    const std::string file =
        (spool_dir / ("first-crash-" + std::to_string(identity.pid) + ".ndjson")).string();
    std::snprintf(crash_file, sizeof crash_file, "%s", file.c_str());
    std::error_code ignored;
    std::filesystem::create_directories(spool_dir, ignored);
  }

  boost::json::object fields;
  fields["level"] = "critical";
  fields["log.level"] = "critical";
  fields["label"] = identity.node_name;
  fields["service.name"] = identity.service_name;
  fields["service.node.name"] = identity.node_name;
  fields["host.hostname"] = identity.hostname;
  fields["process.pid"] = identity.pid;
  fields["event.dataset"] = "cppapp.log";
  char event_id[64];
  std::snprintf(event_id, sizeof event_id, "%016lx-crash", static_cast<unsigned long>(boot_id));
  fields["event.id"] = event_id;
  std::string middle = boost::json::serialize(fields);  // {"level":…}
  middle.front() = ',';
  middle.pop_back();
  std::snprintf(record_middle, sizeof record_middle, "%s", middle.c_str());
  record_middle_length = std::strlen(record_middle);

  // backtrace() loads libgcc on first use, which allocates: do it now, not in the handler.
  void* warm_up[1];
  backtrace(warm_up, 1);

  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    sigaction(signal_number, &action, nullptr);
}

}  // namespace cppapp::log
