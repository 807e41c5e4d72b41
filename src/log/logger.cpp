#include "log/logger.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <random>

#include "log/crash_handler.hpp"
#include "log/logstash_shipper.hpp"

namespace cppapp::log {

namespace {

struct State {
  LogOptions options;
  Identity identity;
  std::shared_ptr<spdlog::logger> console;
  std::unique_ptr<LogstashShipper> shipper;
  std::uint64_t boot_id = 0;  ///< random per process: event ids stay unique across restarts
  std::atomic<std::uint64_t> sequence{0};
};

State* state = nullptr;
std::function<void(const Event&)> observer;

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::critical:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

std::string next_event_id() {
  return fmt::format("{:016x}-{:x}", state->boot_id,
                     state->sequence.fetch_add(1, std::memory_order_relaxed));
}

/// The human console line: the message, then any extra fields as key=value.
std::string human_line(const Event& event) {
  if (event.fields.empty() || event.dataset == "cppapp.access") return event.message;
  std::string line = event.message;
  for (const Field& field : event.fields) {
    line += ' ';
    line += field.key;
    line += '=';
    std::visit([&](const auto& v) { line += fmt::format("{}", v); }, field.value);
  }
  return line;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "trace") return Level::trace;
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error") return Level::error;
  if (name == "critical") return Level::critical;
  return std::nullopt;
}

void init(const LogOptions& options) {
  state = new State();
  state->options = options;
  state->identity = current_identity(options.node_name);
  state->boot_id =
      std::random_device{}() | (static_cast<std::uint64_t>(std::random_device{}()) << 32);

  // The console is written by a background thread; when it cannot keep up (a blocked stdout),
  // the oldest lines are overwritten rather than a request thread waiting.
  // 4096 queued lines (about 1 MiB) absorb bursts; a larger queue only costs resident memory.
  spdlog::init_thread_pool(4096, 1);
  state->console = spdlog::create_async_nb<spdlog::sinks::stdout_color_sink_mt>("cppapp");
  // winston's console shape: "<local time> - <coloured level>: <message>".
  state->console->set_pattern(options.json_console ? "%v" : "%Y-%m-%d %H:%M:%S.%e - %^%l%$: %v");
  state->console->set_level(spdlog::level::trace);
  state->console->flush_on(spdlog::level::trace);

  if (!options.logstash_address.empty()) {
    state->shipper = std::make_unique<LogstashShipper>(
        ShipperOptions{.address = options.logstash_address,
                       .buffer_bytes = options.buffer_bytes,
                       .spool_max_bytes = options.spool_max_bytes,
                       .resend_window_bytes = options.resend_window_bytes,
                       .spool_dir = options.spool_dir},
        [](bool is_warning, const std::string& message) {
          // The shipper's own news goes to the console only, never back into the shipper.
          state->console->log(is_warning ? spdlog::level::warn : spdlog::level::info, message);
        });
  }
  install_crash_handler(state->shipper ? options.spool_dir : std::filesystem::path(),
                        state->identity, state->boot_id);
}

void shutdown() {
  if (state == nullptr) return;
  if (state->shipper) state->shipper->stop();
  state->console->flush();
  spdlog::shutdown();
}

void set_event_observer(std::function<void(const Event&)> new_observer) {
  observer = std::move(new_observer);
}

void emit(Event event) {
  if (event.level < (state ? state->options.level : Level::info)) return;
  if (observer) observer(event);
  if (state == nullptr) return;
  const bool need_json = state->options.json_console || state->shipper;
  std::string json;
  if (need_json) json = to_json(event, state->identity, next_event_id());
  state->console->log(to_spdlog(event.level),
                      state->options.json_console ? json : human_line(event));
  if (state->shipper) state->shipper->enqueue(std::move(json += '\n'));
}

void access(const AccessRecord& record) {
  const double ms = std::chrono::duration<double, std::milli>(record.duration).count();
  Event event(Level::info,
              fmt::format("{} {} {} {}B {:.3f}ms {}", record.method, record.path, record.status,
                          record.bytes, ms, record.client_ip),
              {
                  {"http.request.method", std::string(record.method)},
                  {"url.path", std::string(record.path)},
                  {"url.query", std::string(record.query)},
                  {"http.response.status_code", static_cast<std::int64_t>(record.status)},
                  {"http.response.body.bytes", static_cast<std::int64_t>(record.bytes)},
                  {"event.duration", static_cast<std::int64_t>(record.duration.count())},
                  {"client.ip", std::string(record.client_ip)},
                  {"user_agent.original", std::string(record.user_agent)},
                  {"http.request.id", std::string(record.request_id)},
              },
              "cppapp.access");
  emit(std::move(event));
}

std::string new_request_id() {
  thread_local std::mt19937_64 random(std::random_device{}());
  return fmt::format("{:016x}{:016x}", random(), random());
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
