#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <span>
#include <thread>
#include <vector>

#include "app/usable_cores.hpp"
#include "app/version.hpp"
#include "app/write_rate_limit.hpp"
#include "http/body_parser.hpp"

#ifndef CPPAPP_SOURCE_SHARE_DIR
#define CPPAPP_SOURCE_SHARE_DIR "."
#endif
#ifndef CPPAPP_INSTALL_SHARE_DIR
#define CPPAPP_INSTALL_SHARE_DIR "/usr/local/share/cppapp"
#endif

namespace cppapp::app {

namespace fs = std::filesystem;

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  double amount = 0;
  const char* end = text.data() + text.size();
  auto [unit_start, ec] = std::from_chars(text.data(), end, amount);
  if (ec != std::errc{} || amount < 0) return std::nullopt;
  const std::string_view unit(unit_start, static_cast<std::size_t>(end - unit_start));
  double factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "ms")
    factor = 1;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(amount * factor));
}

namespace {

/// The installed share dir next to the binary, else the source tree it was built from.
fs::path default_share_dir(const char* argv0, std::string_view sub) {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  const fs::path candidates[] = {
      ec ? fs::path() : exe.parent_path().parent_path() / "share" / "cppapp",
      CPPAPP_INSTALL_SHARE_DIR,
      CPPAPP_SOURCE_SHARE_DIR,
  };
  for (const auto& dir : candidates) {
    if (!dir.empty() && fs::is_directory(dir / sub, ec)) return dir / sub;
  }
  (void)argv0;
  return fs::path(CPPAPP_SOURCE_SHARE_DIR) / sub;
}

/// A CLI11 validator built from one of our parsers.
template <typename Parse>
CLI::Validator validator_from(Parse parse, std::string description) {
  return CLI::Validator(
      [parse, description](std::string& value) -> std::string {
        return parse(value) ? std::string() : "'" + value + "' is not " + description;
      },
      "", description);
}

/// What --env, APP_ENV and NODE_ENV may say.
const std::vector<std::string> kEnvironments = {"development", "production", "test"};

/// Why `mount` cannot be the app's path, or "" when it can. A request's path is matched as it
/// arrives (percent-encoded), so only characters a path segment carries unencoded can ever match;
/// empty and dot segments would be normalised away by clients and proxies.
std::string mount_problem(std::string_view mount) {
  if (mount.size() < 2 || mount.front() != '/' || mount.back() == '/')
    return "must start with '/' and not end with one, like /app1";
  constexpr std::string_view kSegmentCharacters =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@";
  std::size_t start = 1;
  while (start <= mount.size()) {
    const std::size_t end = std::min(mount.find('/', start), mount.size());
    const std::string_view segment = mount.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return "must not hold an empty, '.' or '..' segment";
    if (segment.find_first_not_of(kSegmentCharacters) != std::string_view::npos)
      return "may hold only letters, digits and -._~!$&'()*+,;=:@ between its slashes "
             "(no spaces, '%', '?' or '#')";
    start = end + 1;
  }
  return {};
}

/// A size setting with a floor: below it nothing could be served (the smallest request line and
/// Host header are tens of bytes).
CLI::Validator size_at_least(std::uint64_t floor, std::string floor_text) {
  return CLI::Validator(
      [floor, floor_text](std::string& value) -> std::string {
        const auto bytes = http::parse_byte_size(value);
        if (!bytes) return "'" + value + "' is not a size like 100kb, 1mb or 512";
        if (*bytes < floor)
          return "'" + value + "' is below the smallest useful value, " + floor_text;
        return {};
      },
      "", "a size of at least " + floor_text);
}

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

/// " (from environment variable X)" when the failing option took its value from X.
std::string environment_source(const CLI::App& cli, const std::string& message,
                               std::span<const char* const> args) {
  for (const CLI::Option* option : cli.get_options()) {
    const std::string variable = option->get_envname();
    const std::string flag = option->get_name();
    if (variable.empty() || std::getenv(variable.c_str()) == nullptr) continue;
    if (message.find(flag) == std::string::npos) continue;
    const bool given_as_flag = std::any_of(args.begin(), args.end(), [&](const char* arg) {
      return std::string_view(arg).starts_with(flag);
    });
    if (!given_as_flag) return " (from environment variable " + variable + ")";
  }
  return "";
}

}  // namespace

unsigned default_workers(bool embedded_store, unsigned usable_cores) {
  return embedded_store ? std::max(2u, usable_cores) : 4u;
}

ConfigResult parse_config(int argc, const char* const* argv) {
  Config config;
  config.threads = usable_cores();
  // NODE_ENV is what nodeapp's users already set; APP_ENV wins when both are present.
  config.env = env_or("NODE_ENV", config.env);

  // Settings read as text (sizes, durations, rates) start from their default as written, so
  // --help shows it as the README does (app/defaults.hpp).
  const auto text_default = [](std::string_view flag) { return std::string(default_of(flag)); };
  std::string body_limit = text_default("--body-limit"),
              header_limit = text_default("--header-limit"),
              uri_limit = text_default("--uri-limit"),
              compression_threshold = text_default("--compression-threshold"),
              compression_cache = text_default("--compression-cache"),
              page_cache = text_default("--page-cache"),
              answer_cache = text_default("--answer-cache"),
              read_cache = text_default("--read-cache");
  std::string db_timeout = text_default("--db-timeout"), mongo_url_file;
  std::string log_format = text_default("--log-format"), log_buffer = text_default("--log-buffer"),
              log_spool_max = text_default("--log-spool-max"),
              log_resend_window = text_default("--log-resend-window");
  std::string shutdown_grace = text_default("--shutdown-grace"),
              header_timeout = text_default("--header-timeout"),
              body_timeout = text_default("--body-timeout"),
              keepalive_timeout = text_default("--keepalive-timeout"),
              static_cache_validity = text_default("--static-cache-validity");
  std::string write_rate = text_default("--write-rate");

  CLI::App cli{
      "cppapp: the nodeapp backend service in C++ (Hello World page, guestbook, logs).\n"
      "Every option can also be set by the environment variable shown next to it."};
  cli.get_formatter()->column_width(34);
  cli.set_version_flag("--version", version_line(),
                       "Print the version and the git revision, and exit");
  cli.footer(
      "Tools:\n"
      "  cppapp render TEMPLATE [--views DIR] [--context JSON|@FILE]   print a rendered template\n"
      "  cppapp minify < page.html                                     minify with the seed's "
      "options\n"
      "  cppapp urlencoded < body                                      a form body as body-parser "
      "reads it\n"
      "  cppapp healthcheck [--host H] [--port P]                      exit 0 when /healthz says "
      "200");
  const auto size =
      validator_from([](const std::string& s) { return http::parse_byte_size(s).has_value(); },
                     "a size like 100kb, 1mb or 512");
  const auto duration =
      validator_from([](const std::string& s) { return parse_duration(s).has_value(); },
                     "a duration like 10s, 500ms or 2m");

  cli.add_option("--port", config.port, "Listen port")->envname("PORT")->capture_default_str();
  cli.add_option("--host", config.host, "Listen address")->envname("HOST")->capture_default_str();
  cli.add_option("--mount", config.mount, "Path the app is served under")
      ->envname("MOUNT_PATH")
      ->capture_default_str()
      ->check([](const std::string& m) { return mount_problem(m); });
  cli.add_option("--env", config.env,
                 "development, production (templates compiled once, Logstash on by default) or "
                 "test (as development: NODE_ENV=test is common); also read from NODE_ENV")
      ->envname("APP_ENV")
      ->capture_default_str()
      ->check(CLI::IsMember(kEnvironments));
  cli.add_option("--threads", config.threads,
                 "Event-loop threads (default: one per usable core: CPU affinity, capped by a "
                 "cgroup CPU quota such as Docker's --cpus)")
      ->envname("THREADS")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  cli.add_option("--views", config.views_dir, "Template directory")->envname("VIEWS_DIR");
  cli.add_option("--public", config.public_dir, "Static files served under <mount>/public")
      ->envname("PUBLIC_DIR");
  cli.add_option("--data-dir", config.data_dir, "Embedded database and log spool")
      ->envname("DATA_DIR")
      ->capture_default_str();
  auto* mongo_url =
      cli.add_option("--mongo-url", config.mongo_url,
                     "MongoDB URI, e.g. mongodb://mongo-store/nodeapp (default: embedded "
                     "SQLite in --data-dir)")
          ->envname("MONGO_URL");
  cli.add_option("--mongo-url-file", mongo_url_file,
                 "Read the MongoDB URI from this file (Docker secret)")
      ->envname("MONGO_URL_FILE")
      ->excludes(mongo_url)
      ->check(CLI::ExistingFile);
  cli.add_option("--db-timeout", db_timeout, "Longest wait for the database before answering 503")
      ->envname("DB_TIMEOUT")
      ->capture_default_str()
      ->check(duration);
  auto* workers = cli.add_option("--workers", config.workers, "Threads for database calls")
                      ->envname("WORKERS")
                      ->default_str(std::string(stated_default_of("--workers")))
                      ->check(CLI::Range(1u, 256u));
  cli.add_option("--worker-queue", config.worker_queue,
                 "Database calls that may wait (beyond: 503)")
      ->envname("WORKER_QUEUE")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cli.add_option("--log-level", config.log_level,
                 "trace, debug, info, warn, error, critical or off")
      ->envname("LOG_LEVEL")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli.add_flag("--log-probes", config.log_probes,
               "Access-log /healthz, /readyz and /metrics too (off: the health checks and scrapes "
               "every few seconds stay out of the console and Logstash)")
      ->envname("LOG_PROBES");
  cli.add_option("--log-format", log_format,
                 "Console format: text (coloured when a terminal) or json")
      ->envname("LOG_FORMAT")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  auto* logstash =
      cli.add_option("--logstash", config.logstash_address,
                     "Logstash host:port for JSON lines; empty: off (production default: "
                     "logstash:9000)")
          ->envname("LOGSTASH_ADDR")
          ->check([](const std::string& address) {
            return address.empty() || address.rfind(':') != std::string::npos
                       ? std::string()
                       : "must be host:port, like logstash:9000";
          });
  cli.add_option("--node-name", config.node_name, "Sent to Logstash as label and service.node.name")
      ->envname("LOG_NODE_NAME")
      ->capture_default_str();
  cli.add_option("--log-buffer", log_buffer,
                 "Memory queue for Logstash before spilling to the spool")
      ->envname("LOG_BUFFER")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--log-spool-max", log_spool_max,
                 "Spool in <data-dir>/log-spool while Logstash is away")
      ->envname("LOG_SPOOL_MAX")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--log-resend-window", log_resend_window,
                 "Bytes sent again after a reconnect (what a dead receiver may have lost)")
      ->envname("LOG_RESEND_WINDOW")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--body-limit", body_limit, "Largest request body (body-parser's limit)")
      ->envname("BODY_LIMIT")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--header-limit", header_limit,
                 "Largest request line + headers (else 431; at least 1kb)")
      ->envname("HEADER_LIMIT")
      ->capture_default_str()
      ->check(size_at_least(1024, "1kb"));
  cli.add_option("--uri-limit", uri_limit, "Longest request-target (else 414; at least 64)")
      ->envname("URI_LIMIT")
      ->capture_default_str()
      ->check(size_at_least(64, "64"));
  cli.add_option("--compression-threshold", compression_threshold,
                 "Smaller responses are not compressed")
      ->envname("COMPRESSION_THRESHOLD")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--compression-cache", compression_cache,
                 "Compressed pages and files kept in memory for reuse (0: none)")
      ->envname("COMPRESSION_CACHE")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--page-cache", page_cache,
                 "Production: rendered pages kept in memory by template and data (0: none)")
      ->envname("PAGE_CACHE")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--answer-cache", answer_cache,
                 "Production: whole answers of pages that are the same for every request (the "
                 "index), kept per event loop and sent again with only X-Request-Id, Date and "
                 "the connection lines new (0: none)")
      ->envname("ANSWER_CACHE")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--read-cache", read_cache,
                 "Embedded store: pages of entries kept in memory between writes, so a read that "
                 "no write changed is answered without the database; another program's writes "
                 "to the file show at once, and no page is kept longer than 1s (0: none)")
      ->envname("READ_CACHE")
      ->capture_default_str()
      ->check(size);
  cli.add_option("--static-cache-validity", static_cache_validity,
                 "Production: how long where a static path leads (links resolved, readable) is "
                 "reused; the file itself is checked every time (0: full lookup every time)")
      ->envname("STATIC_CACHE_VALIDITY")
      ->capture_default_str()
      ->check(duration);
  cli.add_option("--shutdown-grace", shutdown_grace, "Drain time for in-flight requests on SIGTERM")
      ->envname("SHUTDOWN_GRACE")
      ->capture_default_str()
      ->check(duration);
  cli.add_option("--header-timeout", header_timeout, "Time a client has to send its headers")
      ->envname("HEADER_TIMEOUT")
      ->capture_default_str()
      ->check(duration);
  cli.add_option("--body-timeout", body_timeout, "Time a client has to send its body")
      ->envname("BODY_TIMEOUT")
      ->capture_default_str()
      ->check(duration);
  cli.add_option("--keepalive-timeout", keepalive_timeout,
                 "Idle keep-alive connections close after")
      ->envname("KEEPALIVE_TIMEOUT")
      ->capture_default_str()
      ->check(duration);

  cli.add_option("--write-rate", write_rate,
                 "Guestbook writes per client address (after trust proxy), like 10/min, 1/s or "
                 "100/h; beyond: 429 (off: no limit)")
      ->envname("WRITE_RATE")
      ->capture_default_str()
      ->check(validator_from([](const std::string& s) { return parse_write_rate(s).has_value(); },
                             "a rate like 10/min, 1/s or 100/h, or off"));
  cli.add_option("--write-burst", config.write_burst,
                 "Guestbook writes a client may make at once before --write-rate applies")
      ->envname("WRITE_BURST")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  cli.add_option("--write-rate-clients", config.write_rate_clients,
                 "Clients whose write budget is remembered (memory bound; the least recently "
                 "seen is forgotten first)")
      ->envname("WRITE_RATE_CLIENTS")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  cli.add_option("--max-entries", config.max_entries,
                 "Guestbook entries kept; once reached, new ones are refused with 507 (0: no cap)")
      ->envname("MAX_ENTRIES")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000'000'000}));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return {std::nullopt, cli.exit(e)};
  } catch (const CLI::ParseError& e) {
    std::cerr << "cppapp: configuration error: " << e.what()
              << environment_source(cli, e.what(), {argv, static_cast<std::size_t>(argc)})
              << " (see cppapp --help)\n";
    return {std::nullopt, 2};
  }

  // --env and APP_ENV were checked by the parser; a value that still is not one of the three
  // came from NODE_ENV (Express would quietly run such a value as development).
  if (std::find(kEnvironments.begin(), kEnvironments.end(), config.env) == kEnvironments.end()) {
    std::cerr << "cppapp: configuration error: NODE_ENV '" << config.env
              << "' is not development, production or test (APP_ENV or --env win over it)\n";
    return {std::nullopt, 2};
  }
  config.db_timeout = *parse_duration(db_timeout);
  if (!mongo_url_file.empty()) {
    std::ifstream file(mongo_url_file);
    std::getline(file, config.mongo_url);
    while (!config.mongo_url.empty() &&
           std::isspace(static_cast<unsigned char>(config.mongo_url.back()))) {
      config.mongo_url.pop_back();
    }
    if (config.mongo_url.empty()) {
      std::cerr << "cppapp: configuration error: MONGO_URL_FILE " << mongo_url_file
                << " holds no URI on its first line\n";
      return {std::nullopt, 2};
    }
  }
  if (workers->count() == 0) {
    config.workers = default_workers(config.mongo_url.empty(), usable_cores());
  }
  if (!config.mongo_url.empty() && config.mongo_url.rfind("mongodb://", 0) != 0 &&
      config.mongo_url.rfind("mongodb+srv://", 0) != 0) {
    std::cerr
        << "cppapp: configuration error: --mongo-url (MONGO_URL) must start with mongodb:// or "
           "mongodb+srv://\n";
    return {std::nullopt, 2};
  }
  config.log_json = log_format == "json";
  config.log_buffer = *http::parse_byte_size(log_buffer);
  config.log_spool_max = *http::parse_byte_size(log_spool_max);
  config.log_resend_window = *http::parse_byte_size(log_resend_window);
  // The seed ships to logstash:9000 in production; LOGSTASH_ADDR="" turns shipping off.
  const char* logstash_env = std::getenv("LOGSTASH_ADDR");
  if (logstash->count() == 0 && logstash_env == nullptr && config.production()) {
    config.logstash_address = kProductionLogstash;
  }
  config.body_limit = *http::parse_byte_size(body_limit);
  config.header_limit = *http::parse_byte_size(header_limit);
  config.uri_limit = *http::parse_byte_size(uri_limit);
  config.compression_threshold = *http::parse_byte_size(compression_threshold);
  config.compression_cache = *http::parse_byte_size(compression_cache);
  config.page_cache = *http::parse_byte_size(page_cache);
  config.answer_cache = *http::parse_byte_size(answer_cache);
  config.read_cache = *http::parse_byte_size(read_cache);
  config.static_cache_validity = *parse_duration(static_cache_validity);
  config.shutdown_grace = *parse_duration(shutdown_grace);
  config.header_timeout = *parse_duration(header_timeout);
  config.body_timeout = *parse_duration(body_timeout);
  config.keepalive_timeout = *parse_duration(keepalive_timeout);
  config.write_rate = *parse_write_rate(write_rate);
  if (config.views_dir.empty()) config.views_dir = default_share_dir(argv[0], "views");
  if (config.public_dir.empty()) config.public_dir = default_share_dir(argv[0], "public");

  std::error_code ec;
  if (!fs::is_directory(config.views_dir, ec)) {
    std::cerr << "cppapp: configuration error: views directory " << config.views_dir
              << " does not exist (set --views or VIEWS_DIR)\n";
    return {std::nullopt, 2};
  }
  if (!fs::is_directory(config.public_dir, ec)) {
    std::cerr << "cppapp: configuration error: static files directory " << config.public_dir
              << " does not exist (set --public or PUBLIC_DIR)\n";
    return {std::nullopt, 2};
  }
  return {std::move(config), 0};
}

}  // namespace cppapp::app
