#include "log/event.hpp"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <ctime>
#include <limits>

#include "log/json_text.hpp"

namespace cppapp::log {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::trace:
      return "trace";
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::critical:
      return "critical";
    case Level::off:
      return "off";
  }
  return "info";
}

Identity current_identity(std::string node_name) {
  Identity identity;
  identity.node_name = std::move(node_name);
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) identity.hostname = host;
  identity.pid = static_cast<std::int64_t>(getpid());
  return identity;
}

std::size_t format_iso8601_utc(std::int64_t ms, char* out) noexcept {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(ms)};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  const int year = static_cast<int>(date.year());
  std::size_t used = 0;
  const auto digits = [out, &used](long long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[used + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    used += static_cast<std::size_t>(width);
  };
  const auto put = [out, &used](char c) { out[used++] = c; };
  if (year >= 0 && year <= 9999) {
    digits(year, 4);
  } else {
    put(year < 0 ? '-' : '+');
    digits(year < 0 ? -static_cast<long long>(year) : year, 6);
  }
  put('-');
  digits(static_cast<unsigned>(date.month()), 2);
  put('-');
  digits(static_cast<unsigned>(date.day()), 2);
  put('T');
  digits(clock.hours().count(), 2);
  put(':');
  digits(clock.minutes().count(), 2);
  put(':');
  digits(clock.seconds().count(), 2);
  put('.');
  digits(clock.subseconds().count(), 3);
  put('Z');
  return used;
}

std::string iso8601_utc(std::int64_t ms) {
  char text[kIso8601Size];
  return std::string(text, format_iso8601_utc(ms, text));
}

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  return iso8601_utc(
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count());
}

std::size_t format_event_id(std::uint64_t boot_id, std::uint64_t sequence, char* out) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, boot_id >>= 4) out[i] = kHex[boot_id & 0xF];
  out[16] = '-';
  return kEventIdPrefixSize + format_event_sequence(sequence, out + kEventIdPrefixSize);
}

std::size_t format_event_sequence(std::uint64_t sequence, char* out) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t digits = 1;
  for (std::uint64_t rest = sequence >> 4; rest != 0; rest >>= 4) ++digits;
  for (std::size_t i = digits; i > 0; --i, sequence >>= 4) out[i - 1] = kHex[sequence & 0xF];
  return digits;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) i += append_utf8_sequence(out, text, i);
  return out;
}

namespace {

/// The keys every record has, in the order they are written.
constexpr std::string_view kRecordKeys[] = {
    "@timestamp",  "level",         "message",           "label",
    "log.level",   "service.name",  "service.node.name", "host.hostname",
    "process.pid", "event.dataset", "event.id"};

/// Whether the record can be written straight out: a JSON object keeps one value per key (the
/// last, where the key first came), so an extra named like a record key or like an earlier extra
/// changes the record; and keys are written as they are only when they need no escaping.
bool plain_keys(const Event& event) {
  for (std::size_t i = 0; i < event.fields.size(); ++i) {
    const std::string& key = event.fields[i].key;
    for (const char c : key) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\') return false;
    }
    for (const std::string_view record_key : kRecordKeys) {
      if (key == record_key) return false;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (key == event.fields[j].key) return false;
    }
  }
  return true;
}

boost::json::value to_json_value(const FieldValue& value) {
  return std::visit(
      [](const auto& v) -> boost::json::value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return boost::json::value(valid_utf8(v));
        else
          return boost::json::value(v);
      },
      value);
}

/// Any record, through a boost::json::object: for the rare extras plain_keys refuses.
std::string to_json_through_object(const Event& event, const Identity& identity,
                                   std::string_view event_id) {
  boost::json::object record;
  record.reserve(std::size(kRecordKeys) + event.fields.size());
  const std::string_view level = level_name(event.level);
  record["@timestamp"] = iso8601_utc(event.time);
  record["level"] = level;
  record["message"] = valid_utf8(event.message);
  record["label"] = valid_utf8(identity.node_name);
  record["log.level"] = level;
  record["service.name"] = valid_utf8(identity.service_name);
  record["service.node.name"] = valid_utf8(identity.node_name);
  record["host.hostname"] = valid_utf8(identity.hostname);
  record["process.pid"] = identity.pid;
  record["event.dataset"] = valid_utf8(event.dataset);
  record["event.id"] = valid_utf8(event_id);
  for (const Field& field : event.fields)
    record[valid_utf8(field.key)] = to_json_value(field.value);
  return boost::json::serialize(record);
}

void append_value(std::string& out, const FieldValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, v);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          append_json_integer(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else {
          out += boost::json::serialize(boost::json::value(v));  // Boost.JSON's double format
        }
      },
      value);
}

}  // namespace

std::string record_middle(Level level, std::string_view dataset, const Identity& identity) {
  // winston-logstash's fields, kept so existing Kibana searches work, then Elastic Common Schema
  // as flat dotted keys (Elasticsearch expands them into objects).
  std::string middle = ",\"label\":";
  append_json_string(middle, identity.node_name);
  middle += ",\"log.level\":";
  append_json_string(middle, level_name(level));
  middle += ",\"service.name\":";
  append_json_string(middle, identity.service_name);
  middle += ",\"service.node.name\":";
  append_json_string(middle, identity.node_name);
  middle += ",\"host.hostname\":";
  append_json_string(middle, identity.hostname);
  middle += ",\"process.pid\":";
  append_json_integer(middle, identity.pid);
  middle += ",\"event.dataset\":";
  append_json_string(middle, dataset);
  middle += ",\"event.id\":";
  return middle;
}

std::string_view iso8601_utc_per_thread(std::chrono::system_clock::time_point time) {
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local char text[kIso8601Size];
  thread_local std::size_t length = 0;
  const std::int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  if (second != cached_second) {
    length = format_iso8601_utc(ms, text);
    cached_second = second;
  }
  // The milliseconds are the three digits before the closing 'Z'.
  const auto millis = static_cast<int>(ms - second * 1000);
  text[length - 4] = static_cast<char>('0' + millis / 100);
  text[length - 3] = static_cast<char>('0' + millis / 10 % 10);
  text[length - 2] = static_cast<char>('0' + millis % 10);
  return {text, length};
}

namespace {

/// Appends the quoted ISO 8601 time of `time`.
void append_timestamp(std::string& out, std::chrono::system_clock::time_point time) {
  out += '"';
  out += iso8601_utc_per_thread(time);  // digits, '-', ':', '.', 'T', 'Z': nothing to escape
  out += '"';
}

}  // namespace

void append_record_head(std::string& out, Level level, std::chrono::system_clock::time_point time,
                        std::string_view message, std::string_view middle,
                        std::string_view event_id) {
  out += "{\"@timestamp\":";
  append_timestamp(out, time);
  out += ",\"level\":";
  append_json_string(out, level_name(level));
  out += ",\"message\":";
  append_json_string(out, message);
  out += middle;
  append_json_string(out, event_id);
}

std::string to_json(const Event& event, const Identity& identity, std::string_view event_id) {
  if (!plain_keys(event)) return to_json_through_object(event, identity, event_id);
  std::string out;
  out.reserve(320 + event.message.size() + 48 * event.fields.size());
  append_record_head(out, event.level, event.time, event.message,
                     record_middle(event.level, event.dataset, identity), event_id);
  for (const Field& field : event.fields) {
    out += ",\"";
    out += field.key;
    out += "\":";
    append_value(out, field.value);
  }
  out += '}';
  return out;
}

}  // namespace cppapp::log
