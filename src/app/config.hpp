// Configuration: every setting is a flag and an environment variable (12-factor), see --help.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "app/defaults.hpp"

namespace cppapp::app {

/// The settings, each starting from its default in app/defaults.hpp (the one source).
struct Config {
  std::string host{default_of("--host")};  ///< listen address
  std::uint16_t port =
      default_number("--port");  ///< listen port (0: any free port, printed at start-up)
  std::string mount{default_of("--mount")};  ///< path the app is served under
  std::string env{default_of("--env")};  ///< "production" compiles templates once and ships logs
  unsigned threads = 1;                  ///< event-loop threads (parse_config: one per usable core)
  std::filesystem::path views_dir;
  std::filesystem::path public_dir;
  std::filesystem::path data_dir{default_of("--data-dir")};
  std::string log_level{default_of("--log-level")};
  bool log_probes = false;  ///< access-log /healthz, /readyz and /metrics too
  bool log_json = false;    ///< LOG_FORMAT=json: the console prints JSON lines
  std::string node_name{
      default_of("--node-name")};  ///< the seed's node_name, sent to Logstash as `label`
  std::string logstash_address;    ///< host:port; empty: no shipping
  std::size_t log_buffer = default_size("--log-buffer");  ///< memory queue for Logstash
  std::uint64_t log_spool_max =
      default_size("--log-spool-max");  ///< spool on disk while Logstash is away
  std::size_t log_resend_window =
      default_size("--log-resend-window");  ///< re-sent after a reconnect
  std::string mongo_url;                    ///< empty: the embedded SQLite database in data_dir
  std::chrono::milliseconds db_timeout =
      default_duration("--db-timeout");  ///< bounds every database call (then 503)
  /// Threads for blocking work (database calls); parse_config: default_workers.
  unsigned workers = 4;
  std::size_t worker_queue =
      default_number("--worker-queue");  ///< database calls that may wait; beyond: 503 at once
  std::size_t body_limit =
      default_size("--body-limit");  ///< largest request body accepted (after decoding)
  std::size_t header_limit =
      default_size("--header-limit");                   ///< largest request line + header block
  std::size_t uri_limit = default_size("--uri-limit");  ///< longest request-target
  std::size_t compression_threshold =
      default_size("--compression-threshold");  ///< smaller bodies are sent uncompressed
  std::size_t compression_cache =
      default_size("--compression-cache");  ///< compressed bodies kept for reuse, by ETag
  std::size_t page_cache =
      default_size("--page-cache");  ///< production: rendered pages kept by context
  std::size_t answer_cache =
      default_size("--answer-cache");  ///< whole answers kept per event loop (the index)
  std::size_t read_cache =
      default_size("--read-cache");  ///< embedded store: pages of entries kept between writes
  std::chrono::milliseconds static_cache_validity =
      default_duration("--static-cache-validity");  ///< production: file lookups reused
  std::chrono::milliseconds shutdown_grace =
      default_duration("--shutdown-grace");  ///< drain time after SIGTERM
  std::chrono::milliseconds header_timeout =
      default_duration("--header-timeout");  ///< time to send a whole header block
  std::chrono::milliseconds body_timeout =
      default_duration("--body-timeout");  ///< time to send a whole body
  std::chrono::milliseconds keepalive_timeout =
      default_duration("--keepalive-timeout");  ///< idle time before a connection closes
  double write_rate =
      default_rate("--write-rate");  ///< guestbook writes per second per client (0: no limit)
  unsigned write_burst = default_number("--write-burst");  ///< writes a client may make at once
  std::size_t write_rate_clients =
      default_number("--write-rate-clients");  ///< clients whose write budget is remembered
  std::uint64_t max_entries =
      default_number("--max-entries");  ///< stored entries; beyond: 507 (0: no cap)

  bool production() const { return env == "production"; }
};

/// What parsing the command line gave: a configuration to run with, or an exit code
/// (0 after --help, 2 after a bad setting, whose one-line explanation was printed).
struct ConfigResult {
  std::optional<Config> config;
  int exit_code = 0;
};

/// WORKERS when unset. The embedded store's calls are local work (SQLite's CPU and the disk):
/// workers beyond the cores only take turns and switch, so one per usable core, and at least 2 so
/// that one write's wait on the disk does not hold every read back. MongoDB's calls wait on the
/// network, during which a worker uses no core: 4.
unsigned default_workers(bool embedded_store, unsigned usable_cores);

/// Reads flags and environment variables (flags win). Prints --help or errors itself.
ConfigResult parse_config(int argc, const char* const* argv);

/// "10s", "500ms", "2m", "1h" or plain seconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace cppapp::app
