// Configuration: every setting is a flag and an environment variable (12-factor), see --help.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cppapp::app {

struct Config {
  std::string host = "0.0.0.0";     ///< listen address
  std::uint16_t port = 8080;        ///< listen port (0: any free port, printed at start-up)
  std::string mount = "/app1";      ///< path the app is served under
  std::string env = "development";  ///< "production" compiles templates once and ships logs
  unsigned threads = 1;             ///< event-loop threads
  std::filesystem::path views_dir;
  std::filesystem::path public_dir;
  std::filesystem::path data_dir = "data";
  std::string log_level = "info";
  bool log_probes = false;            ///< access-log /healthz, /readyz and /metrics too
  bool log_json = false;              ///< LOG_FORMAT=json: the console prints JSON lines
  std::string node_name = "cppapp1";  ///< the seed's node_name, sent to Logstash as `label`
  std::string logstash_address;       ///< host:port; empty: no shipping
  std::size_t log_buffer = 8 << 20;   ///< memory queue for Logstash
  std::uint64_t log_spool_max = 256ull << 20;   ///< spool on disk while Logstash is away
  std::size_t log_resend_window = 1 << 20;      ///< re-sent after a reconnect
  std::string mongo_url;                        ///< empty: the embedded SQLite database in data_dir
  std::chrono::milliseconds db_timeout{2'000};  ///< bounds every database call (then 503)
  unsigned workers = 4;                         ///< threads for blocking work (database calls)
  std::size_t worker_queue = 256;            ///< database calls that may wait; beyond: 503 at once
  std::size_t body_limit = 100 * 1024;       ///< largest request body accepted (after decoding)
  std::size_t header_limit = 16 * 1024;      ///< largest request line + header block
  std::size_t uri_limit = 8 * 1024;          ///< longest request-target
  std::size_t compression_threshold = 1024;  ///< smaller bodies are sent uncompressed
  std::size_t compression_cache = 16 << 20;  ///< compressed bodies kept for reuse, by ETag
  std::size_t page_cache = 8 << 20;          ///< production: rendered pages kept by context
  std::chrono::milliseconds static_cache_validity{1'000};  ///< production: file lookups reused
  std::chrono::milliseconds shutdown_grace{10'000};        ///< drain time after SIGTERM
  std::chrono::milliseconds header_timeout{10'000};        ///< time to send a whole header block
  std::chrono::milliseconds body_timeout{30'000};          ///< time to send a whole body
  std::chrono::milliseconds keepalive_timeout{5'000};      ///< idle time before a connection closes
  double write_rate = 10.0 / 60.0;  ///< guestbook writes per second per client (0: no limit)
  unsigned write_burst = 5;         ///< writes a client may make at once
  std::size_t write_rate_clients = 10'000;  ///< clients whose write budget is remembered
  std::uint64_t max_entries = 100'000;      ///< stored entries; beyond: 507 (0: no cap)

  bool production() const { return env == "production"; }
};

/// What parsing the command line gave: a configuration to run with, or an exit code
/// (0 after --help, 2 after a bad setting, whose one-line explanation was printed).
struct ConfigResult {
  std::optional<Config> config;
  int exit_code = 0;
};

/// Reads flags and environment variables (flags win). Prints --help or errors itself.
ConfigResult parse_config(int argc, const char* const* argv);

/// "10s", "500ms", "2m", "1h" or plain seconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace cppapp::app
