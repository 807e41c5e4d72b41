// One log event: a structured record every sink (console, Logstash, spool) renders from.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cppapp::log {

/// `off` is only a threshold (LOG_LEVEL=off): no event has it, so nothing passes it.
enum class Level { trace, debug, info, warn, error, critical, off };

/// winston's level names ("warn", not "warning").
std::string_view level_name(Level level);

using FieldValue = std::variant<std::string, std::int64_t, double, bool>;

/// A flat extra key, e.g. {"url.path", "/app1/"} or {"http.response.status_code", 200}.
struct Field {
  std::string key;
  FieldValue value;
};

struct Event {
  Event(Level level, std::string message, std::vector<Field> fields = {},
        std::string dataset = "cppapp.log")
      : level(level),
        message(std::move(message)),
        fields(std::move(fields)),
        dataset(std::move(dataset)) {}

  Level level;
  std::string message;
  std::vector<Field> fields;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  std::string dataset;  ///< event.dataset: cppapp.log or cppapp.access
};

/// Who is logging: fixed for the life of the process.
struct Identity {
  std::string service_name = "cppapp";
  std::string node_name = "cppapp1";  ///< the seed's node_name, sent as `label`
  std::string hostname;
  std::int64_t pid = 0;
};

/// The identity of this process (hostname and pid filled in) with the given node name.
Identity current_identity(std::string node_name);

/// Room format_iso8601_utc needs ("+275760-09-13T00:00:00.000Z" and a spare byte).
inline constexpr std::size_t kIso8601Size = 32;
/// Writes milliseconds since the epoch as "2026-11-29T15:46:36.123Z" (what JS toISOString gives:
/// years outside 0000-9999 as a signed six-digit year) into `out` (kIso8601Size bytes, not
/// NUL-terminated) and returns the length. Arithmetic only: async-signal-safe (the crash record).
std::size_t format_iso8601_utc(std::int64_t ms, char* out) noexcept;
/// The one ISO 8601 formatter: log timestamps, entries' createdAt, the crash record.
std::string iso8601_utc(std::int64_t ms);
std::string iso8601_utc(std::chrono::system_clock::time_point time);
/// format_iso8601_utc's text of `time`, from a buffer of this thread that is formatted anew only
/// when the second changes (a record is written on every request); valid until the thread's next
/// call.
std::string_view iso8601_utc_per_thread(std::chrono::system_clock::time_point time);

/// Room format_event_id needs: 16 + 1 + 16 digits.
inline constexpr std::size_t kEventIdSize = 40;
/// Writes an event id, "<boot id in 16 hex digits>-<sequence in hex>", into `out` (kEventIdSize
/// bytes, not NUL-terminated) and returns its length. Digits only: made for every record.
std::size_t format_event_id(std::uint64_t boot_id, std::uint64_t sequence, char* out) noexcept;
/// The part of an event id before its sequence: the boot id's 16 digits and '-'.
inline constexpr std::size_t kEventIdPrefixSize = 17;
/// Writes the sequence part alone (up to 16 hex digits) into `out`; returns its length. For a
/// writer that keeps the prefix, which never changes within a process.
std::size_t format_event_sequence(std::uint64_t sequence, char* out) noexcept;

/// Replaces every invalid UTF-8 sequence by U+FFFD so the JSON we emit is always valid.
std::string valid_utf8(std::string_view text);

/// The event as one JSON object (no newline): winston-logstash's fields (level, message, label,
/// flat extras) plus @timestamp and ECS fields, with `event_id` as event.id.
std::string to_json(const Event& event, const Identity& identity, std::string_view event_id);

/// The part of a record between its message and its event id's value (from `,"label":` to
/// `"event.id":`): the same for every record of one level and dataset, so a writer of one record
/// per request makes it once.
std::string record_middle(Level level, std::string_view dataset, const Identity& identity);

/// What to_json writes before an event's extras (from "{" to event.id), `middle` made by
/// record_middle for the record's level: for a writer that appends plain-keyed extras itself and
/// then "}" (the access record, log::append_access_json).
void append_record_head(std::string& out, Level level, std::chrono::system_clock::time_point time,
                        std::string_view message, std::string_view middle,
                        std::string_view event_id);

}  // namespace cppapp::log
