#include "log/logger.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spdlog/async.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <random>
#include <utility>
#include <variant>
#include <vector>

#include "log/console_sink.hpp"
#include "log/crash_handler.hpp"
#include "log/json_text.hpp"
#include "log/logstash_shipper.hpp"

namespace cppapp::log {

namespace {

struct State {
  LogOptions options;
  Identity identity;
  /// Takes finished console text (one or many lines, each ending in a newline) and writes it
  /// from spdlog's background thread; the lines are formatted by the thread that logs them.
  std::shared_ptr<spdlog::logger> console;
  std::shared_ptr<ConsoleSink> console_sink;
  bool colour = false;  ///< stdout is a terminal that understands ANSI colours
  std::unique_ptr<LogstashShipper> shipper;
  std::uint64_t boot_id = 0;  ///< random per process: event ids stay unique across restarts
  std::atomic<std::uint64_t> sequence{0};
  char event_id_prefix[kEventIdSize] = {};  ///< the boot id's digits and '-', made once
  /// The access record's keys between its message and its event id (record_middle).
  std::string access_middle;
  /// The console's queue (gone once spdlog shuts down), which counts the writes it overwrote.
  std::weak_ptr<spdlog::details::thread_pool> console_queue;
  /// How many overwritten console writes the console has been told of, and when last.
  std::atomic<std::uint64_t> console_drops_reported{0};
  std::mutex drop_report_mutex;
  std::chrono::steady_clock::time_point last_drop_report;
};

State* state = nullptr;
std::function<void(const Event&)> observer;

/// 64 bits from the system's random source (random_device gives 32 at a time).
std::uint64_t random_64_bits() {
  std::random_device source;
  return source() | (static_cast<std::uint64_t>(source()) << 32);
}

/// A fresh event.id, in a buffer of its own: no allocation and no formatting call per record.
struct EventId {
  char text[kEventIdSize];
  std::size_t length;
  std::string_view view() const { return {text, length}; }
};
EventId next_event_id() {
  EventId id;
  std::memcpy(id.text, state->event_id_prefix, kEventIdPrefixSize);
  id.length = kEventIdPrefixSize +
              format_event_sequence(state->sequence.fetch_add(1, std::memory_order_relaxed),
                                    id.text + kEventIdPrefixSize);
  return id;
}

/// The human console line: the message, then any extra fields as key=value.
std::string human_line(const Event& event) {
  if (event.fields.empty() || event.dataset == kAccessDataset) return event.message;
  std::string line = event.message;
  for (const Field& field : event.fields) {
    line += ' ';
    line += field.key;
    line += '=';
    std::visit([&](const auto& v) { line += fmt::format("{}", v); }, field.value);
  }
  return line;
}

/// "2026-11-29 18:50:10" in local time for the current second, kept per thread.
std::string_view local_second(std::chrono::system_clock::time_point now) {
  thread_local std::time_t cached_second = -1;
  thread_local char text[32] = {};
  const std::time_t second = std::chrono::system_clock::to_time_t(now);
  if (second != cached_second) {
    std::tm tm{};
    localtime_r(&second, &tm);
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    cached_second = second;
  }
  return text;
}

/// winston's console shape, "<local time> - <coloured level>: <message>\n", with spdlog's
/// colours for each level when stdout is a terminal. Sized first, then copied piece by piece: it
/// is written for every request.
void append_console_line(std::string& out, Level level, std::string_view text) {
  if (state->options.json_console) {
    out.append(text);
    out += '\n';
    return;
  }
  // One per Level, `off` included (no line has it).
  static constexpr std::array<std::string_view, 7> kColours = {
      "\033[37m",        "\033[36m",        "\033[32m", "\033[33m\033[1m",
      "\033[31m\033[1m", "\033[1m\033[41m", ""};
  static constexpr std::string_view kColourEnd = "\033[m";
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::string_view second = local_second(now);
  const char fraction[] = {'.', static_cast<char>('0' + millis / 100),
                           static_cast<char>('0' + millis / 10 % 10),
                           static_cast<char>('0' + millis % 10)};
  const std::string_view colour =
      state->colour ? kColours[static_cast<std::size_t>(level)] : std::string_view();
  const std::string_view colour_end = state->colour ? kColourEnd : std::string_view();
  const std::string_view name = level_name(level);
  const std::size_t start = out.size();
  out.resize(start + second.size() + sizeof fraction + 3 + colour.size() + name.size() +
             colour_end.size() + 2 + text.size() + 1);
  char* at = out.data() + start;
  const auto put = [&at](std::string_view piece) {
    if (piece.empty()) return;  // an empty view may hold no pointer, which memcpy must not get
    std::memcpy(at, piece.data(), piece.size());
    at += piece.size();
  };
  put(second);
  put({fraction, sizeof fraction});
  put(" - ");
  put(colour);
  put(name);
  put(colour_end);
  put(": ");
  put(text);
  *at = '\n';
}

/// How often, at most, the console is told that it lost writes while stdout was blocked.
constexpr auto kDropReportInterval = std::chrono::seconds(1);

void push_console(std::string_view text) {
  // The writer adds nothing: the text already ends in its newline.
  state->console->log(spdlog::level::info,
                      spdlog::string_view_t(text.data(), text.size() - (text.back() == '\n')));
}

/// Console writes lost so far: overwritten in the queue (stdout blocked for longer than the
/// queue absorbs) or refused by stdout (a closed pipe).
std::uint64_t console_drops() {
  const auto queue = state->console_queue.lock();
  return (queue ? queue->overrun_counter() : 0) + state->console_sink->failed_writes();
}

/// When console writes were lost, says so on the console, at most once a second, so a gap in
/// the output is never silent. The report itself may be lost while stdout stays blocked or
/// closed; the next one then counts it too.
void report_console_drops() {
  if (console_drops() == state->console_drops_reported.load(std::memory_order_relaxed)) return;
  std::uint64_t dropped = 0;
  std::uint64_t unreported = 0;
  {
    std::lock_guard lock(state->drop_report_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (now - state->last_drop_report < kDropReportInterval) return;
    state->last_drop_report = now;
    dropped = console_drops();
    unreported = dropped - state->console_drops_reported.exchange(dropped);
  }
  if (unreported == 0) return;  // another thread reported them meanwhile
  std::string line;
  append_console_line(line, Level::warn,
                      fmt::format("console output lost (stdout blocked or closed): {} writes, "
                                  "each a line or an event loop's lines of one millisecond, were "
                                  "dropped ({} since start; metric "
                                  "cppapp_log_console_writes_dropped_total)",
                                  unreported, dropped));
  push_console(line);
}

/// Hands finished console text to the background writer.
void write_console(std::string_view text) {
  if (text.empty()) return;
  push_console(text);
  report_console_drops();
}

/// What one event-loop thread logged since its last flush, handed on in one piece when the
/// flush its first line scheduled runs: one queue push and one write(2) for many requests
/// instead of one each (and one wake-up of the writer thread, which otherwise competes with the
/// loops for CPU).
struct ThreadBatch {
  DeferToLoop defer;
  std::string console;
  std::string shipped;  ///< JSON lines for Logstash, each ending in '\n'
  std::uint64_t shipped_lines = 0;
  bool flush_scheduled = false;
};
thread_local std::unique_ptr<ThreadBatch> batch;

/// A batch this large is handed on at once rather than when its flush runs: its strings stay
/// small enough for the shipper to hand back for reuse (LogstashShipper::enqueue) and below
/// glibc's mmap threshold, so a busy loop never writes its lines into freshly mapped pages.
constexpr std::size_t kBatchFlushBytes = 96 * 1024;

/// Schedules the batch's hand-on, once per batch; hands it on now when it is large.
void schedule_flush() {
  if (batch->shipped.size() >= kBatchFlushBytes || batch->console.size() >= kBatchFlushBytes) {
    flush_this_thread();
    return;
  }
  if (!batch->flush_scheduled) {
    batch->flush_scheduled = true;
    batch->defer([] { flush_this_thread(); });
  }
}

/// Writes one event's console text and ships its JSON: at once, or with the batch when the
/// thread batches.
void deliver(Level level, std::string_view console_text, std::string_view json) {
  const bool ship = state->shipper && !json.empty();
  if (!batch) {
    std::string line;
    append_console_line(line, level, console_text);
    write_console(line);
    if (ship) {
      std::string shipped(json);
      shipped += '\n';
      state->shipper->enqueue(std::move(shipped), 1);
    }
    return;
  }
  append_console_line(batch->console, level, console_text);
  if (ship) {
    batch->shipped += json;
    batch->shipped += '\n';
    ++batch->shipped_lines;
  }
  schedule_flush();
}

/// One record to the console (its JSON with LOG_FORMAT=json, else `text`) and, when shipping,
/// its JSON as a line to Logstash. `json` is empty when neither needs it.
void deliver_record(Level level, std::string_view text, std::string_view json) {
  deliver(level, state->options.json_console ? json : text, json);
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "trace") return Level::trace;
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error") return Level::error;
  if (name == "critical") return Level::critical;
  if (name == "off") return Level::off;
  return std::nullopt;
}

void init(const LogOptions& options) {
  state = new State();
  state->options = options;
  state->identity = current_identity(options.node_name);
  state->boot_id = random_64_bits();
  format_event_id(state->boot_id, 0, state->event_id_prefix);
  state->access_middle = record_middle(Level::info, kAccessDataset, state->identity);

  // The console is written by a background thread; when it cannot keep up (a blocked stdout),
  // the oldest messages are overwritten rather than a request thread waiting. A message is one
  // line, or an event loop's lines of one millisecond; 1024 of them absorb bursts, and each slot
  // keeps the memory of its largest message, so more would only cost resident memory.
  spdlog::init_thread_pool(1024, 1);
  state->console_queue = spdlog::thread_pool();
  state->console_sink = std::make_shared<ConsoleSink>(STDOUT_FILENO);
  state->console =
      std::make_shared<spdlog::async_logger>("cppapp", state->console_sink, state->console_queue,
                                             spdlog::async_overflow_policy::overrun_oldest);
  spdlog::register_logger(state->console);
  state->console->set_pattern("%v");
  state->console->set_level(spdlog::level::trace);
  state->console->flush_on(spdlog::level::trace);
  state->colour = state->console_sink->colour();

  if (!options.logstash_address.empty()) {
    make_crash_records_readable(options.spool_dir);  // a crash of the last run, before it ships
    state->shipper = std::make_unique<LogstashShipper>(
        ShipperOptions{.address = options.logstash_address,
                       .buffer_bytes = options.buffer_bytes,
                       .spool_max_bytes = options.spool_max_bytes,
                       .resend_window_bytes = options.resend_window_bytes,
                       .spool_dir = options.spool_dir},
        [](bool is_warning, const std::string& message) {
          // The shipper's own news goes to the console only, never back into the shipper.
          std::string line;
          append_console_line(line, is_warning ? Level::warn : Level::info, message);
          write_console(line);
        });
  }
  install_crash_handler(state->shipper ? options.spool_dir : std::filesystem::path(),
                        state->identity, state->boot_id);
}

void shutdown() {
  if (state == nullptr) return;
  flush_this_thread();
  if (state->shipper) state->shipper->stop();
  state->console->flush();
  spdlog::shutdown();
}

void set_event_observer(std::function<void(const Event&)> new_observer) {
  observer = std::move(new_observer);
}

void batch_on_this_thread(DeferToLoop defer) {
  batch = std::make_unique<ThreadBatch>();
  batch->defer = std::move(defer);
}

void flush_this_thread() {
  if (!batch || state == nullptr) return;
  batch->flush_scheduled = false;
  write_console(batch->console);
  batch->console.clear();
  if (batch->shipped_lines > 0) {
    // Handed over whole (one lock); the next batch is written into a string the shipper is
    // done with, which has room for as much.
    const std::size_t used = batch->shipped.size();
    batch->shipped = state->shipper->enqueue(std::move(batch->shipped), batch->shipped_lines);
    batch->shipped.reserve(used);
    batch->shipped_lines = 0;
  }
}

void emit(Event event) {
  if (event.level < (state ? state->options.level : Level::info)) return;
  if (observer) observer(event);
  if (state == nullptr) return;
  const bool need_json = state->options.json_console || state->shipper;
  std::string json =
      need_json ? to_json(event, state->identity, next_event_id().view()) : std::string();
  deliver_record(event.level, state->options.json_console ? std::string() : human_line(event),
                 json);
}

void access(const AccessRecord& record) {
  if (Level::info < (state ? state->options.level : Level::info)) return;
  if (observer) {
    emit(access_event(record));
    return;
  }
  if (state == nullptr) return;
  // Written into the thread's own buffers, which keep their room from request to request.
  thread_local std::string message;
  message.clear();
  append_access_message(message, record);
  if (!state->options.json_console && !state->shipper) {
    deliver(Level::info, message, {});
    return;
  }
  const auto now = std::chrono::system_clock::now();
  const EventId event_id = next_event_id();
  if (batch && state->shipper) {
    // The JSON goes straight into the batch Logstash gets; a JSON console takes it from there.
    std::string& shipped = batch->shipped;
    const std::size_t start = shipped.size();
    append_access_json(shipped, record, now, state->access_middle, event_id.view());
    const std::size_t end = shipped.size();
    shipped += '\n';
    ++batch->shipped_lines;
    append_console_line(batch->console, Level::info,
                        state->options.json_console
                            ? std::string_view(shipped).substr(start, end - start)
                            : std::string_view(message));
    schedule_flush();
    return;
  }
  thread_local std::string json;
  json.clear();
  append_access_json(json, record, now, state->access_middle, event_id.view());
  deliver_record(Level::info, message, json);
}

std::string new_request_id() {
  // splitmix64 over a per-thread random start: ids never repeat within a thread's 2^64 draws and
  // differ between threads and processes; a few instructions instead of a Mersenne Twister and a
  // format call on every request.
  thread_local std::uint64_t next = random_64_bits();
  const auto draw = [] {
    std::uint64_t z = (next += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t value = draw();
    for (int i = 15; i >= 0; --i, value >>= 4) id[half * 16 + i] = kHex[value & 0xF];
  }
  return id;
}

std::uint64_t console_writes_dropped() {
  return state ? console_drops() : 0;
}

const ShipperCounters* shipping_counters() {
  return state && state->shipper ? &state->shipper->counters() : nullptr;
}

std::string first_ipv4_address() {
  std::string found = "127.0.0.1";
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return found;
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    // A bridge with nothing attached (docker0 on a host without containers) is no way in.
    if ((entry->ifa_flags & IFF_UP) == 0 || (entry->ifa_flags & IFF_RUNNING) == 0) continue;
    const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    if ((ntohl(address->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &address->sin_addr, text, sizeof text);
    found = text;
    break;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace cppapp::log
