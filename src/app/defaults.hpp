// Every setting's default, in one place: Config's members start from it, parse_config starts
// from it (so --help shows it), and the README's configuration table states it
// (tests/unit/app/defaults_test.cpp compares the two).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace cppapp::app {

struct SettingDefault {
  std::string_view flag;   ///< "--port"
  std::string_view env;    ///< "PORT"
  std::string_view value;  ///< as a user would write it; empty: unset, or worked out at start-up
  std::string_view described = {};  ///< the README's words when `value` alone would not say it

  constexpr std::string_view stated() const { return described.empty() ? value : described; }
};

inline constexpr SettingDefault kSettingDefaults[] = {
    {"--port", "PORT", "8080"},
    {"--host", "HOST", "0.0.0.0"},
    {"--mount", "MOUNT_PATH", "/app1"},
    {"--env", "APP_ENV", "development"},
    {"--threads", "THREADS", "", "one per usable core"},
    {"--views", "VIEWS_DIR", "", "installed share dir, else the repo's `views/`"},
    {"--public", "PUBLIC_DIR", "", "installed share dir, else the repo's `public/`"},
    {"--data-dir", "DATA_DIR", "data", "./data"},
    {"--mongo-url", "MONGO_URL", "", "unset: embedded SQLite"},
    {"--mongo-url-file", "MONGO_URL_FILE", ""},
    {"--db-timeout", "DB_TIMEOUT", "2s"},
    {"--workers", "WORKERS", "", "embedded SQLite: one per usable core, at least 2; MongoDB: 4"},
    {"--worker-queue", "WORKER_QUEUE", "256"},
    {"--log-level", "LOG_LEVEL", "info"},
    {"--log-format", "LOG_FORMAT", "text"},
    {"--log-probes", "LOG_PROBES", "", "off"},
    {"--logstash", "LOGSTASH_ADDR", "", "production: logstash:9000; else off"},
    {"--node-name", "LOG_NODE_NAME", "cppapp1"},
    {"--log-buffer", "LOG_BUFFER", "8mb"},
    {"--log-spool-max", "LOG_SPOOL_MAX", "256mb"},
    {"--log-resend-window", "LOG_RESEND_WINDOW", "1mb"},
    {"--body-limit", "BODY_LIMIT", "100kb"},
    {"--header-limit", "HEADER_LIMIT", "16kb"},
    {"--uri-limit", "URI_LIMIT", "8kb"},
    {"--compression-threshold", "COMPRESSION_THRESHOLD", "1kb"},
    {"--compression-cache", "COMPRESSION_CACHE", "16mb"},
    {"--page-cache", "PAGE_CACHE", "8mb"},
    {"--answer-cache", "ANSWER_CACHE", "256kb"},
    {"--read-cache", "READ_CACHE", "256kb"},
    {"--static-cache-validity", "STATIC_CACHE_VALIDITY", "1s"},
    {"--shutdown-grace", "SHUTDOWN_GRACE", "10s"},
    {"--header-timeout", "HEADER_TIMEOUT", "10s"},
    {"--body-timeout", "BODY_TIMEOUT", "30s"},
    {"--keepalive-timeout", "KEEPALIVE_TIMEOUT", "5s"},
    {"--write-rate", "WRITE_RATE", "10/min"},
    {"--write-burst", "WRITE_BURST", "5"},
    {"--write-rate-clients", "WRITE_RATE_CLIENTS", "10000"},
    {"--max-entries", "MAX_ENTRIES", "100000"},
};

/// Where production ships its logs when LOGSTASH_ADDR is not set (the seed's logstash:9000).
inline constexpr std::string_view kProductionLogstash = "logstash:9000";

/// The table's row for `flag` (a flag not in the table does not compile when constant).
constexpr const SettingDefault& setting_of(std::string_view flag) {
  for (const SettingDefault& setting : kSettingDefaults) {
    if (setting.flag == flag) return setting;
  }
  throw "no such setting";
}

/// The default of `flag` as written.
constexpr std::string_view default_of(std::string_view flag) {
  return setting_of(flag).value;
}

/// The default of `flag` as the README states it (its words when the value is worked out).
constexpr std::string_view stated_default_of(std::string_view flag) {
  return setting_of(flag).stated();
}

namespace defaults_detail {

/// The leading digits of `text` as a number; `rest` gets what follows.
constexpr std::uint64_t leading_number(std::string_view text, std::string_view& rest) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  if (i == 0) throw "not a number";
  rest = text.substr(i);
  return value;
}

}  // namespace defaults_detail

/// A plain number default ("8080").
constexpr std::uint64_t default_number(std::string_view flag) {
  std::string_view rest;
  const std::uint64_t value = defaults_detail::leading_number(default_of(flag), rest);
  if (!rest.empty()) throw "not a plain number";
  return value;
}

/// A size default ("100kb", "8mb", "512"), as http::parse_byte_size reads it.
constexpr std::uint64_t default_size(std::string_view flag) {
  std::string_view unit;
  const std::uint64_t value = defaults_detail::leading_number(default_of(flag), unit);
  if (unit.empty() || unit == "b") return value;
  if (unit == "kb") return value << 10;
  if (unit == "mb") return value << 20;
  if (unit == "gb") return value << 30;
  throw "not a size";
}

/// A duration default ("10s", "500ms", "2m"), as parse_duration reads it.
constexpr std::chrono::milliseconds default_duration(std::string_view flag) {
  std::string_view unit;
  const auto value =
      static_cast<std::int64_t>(defaults_detail::leading_number(default_of(flag), unit));
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit.empty() || unit == "s") return std::chrono::seconds(value);
  if (unit == "m") return std::chrono::minutes(value);
  if (unit == "h") return std::chrono::hours(value);
  throw "not a duration";
}

/// A rate default ("10/min"), in writes per second, as parse_write_rate reads it.
constexpr double default_rate(std::string_view flag) {
  std::string_view unit;
  const auto count = static_cast<double>(defaults_detail::leading_number(default_of(flag), unit));
  if (unit == "/s") return count;
  if (unit == "/min") return count / 60;
  if (unit == "/h") return count / 3600;
  throw "not a rate";
}

}  // namespace cppapp::app
