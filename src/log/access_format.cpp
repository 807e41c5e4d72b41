#include "log/access_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <variant>
#include <vector>

#include "log/json_text.hpp"

namespace cppapp::log {

namespace {

/// Writes into room already made: each piece one copy, with no capacity check or terminator.
struct Cursor {
  char* at;
  void put(std::string_view text) {
    if (text.empty()) return;  // an empty view may hold no pointer, which memcpy must not get
    std::memcpy(at, text.data(), text.size());
    at += text.size();
  }
  void put(char c) { *at++ = c; }
};

/// Makes room for `size` more bytes at the end of `out` and returns a cursor at its start.
Cursor room_at_end(std::string& out, std::size_t size) {
  const std::size_t start = out.size();
  out.resize(start + size);
  return {out.data() + start};
}

/// A number's decimal digits, made before the room is sized.
struct Digits {
  char text[24];
  std::size_t length;
  template <typename Integer>
  explicit Digits(Integer value) {
    length = static_cast<std::size_t>(std::to_chars(text, text + sizeof text, value).ptr - text);
  }
  std::string_view view() const { return {text, length}; }
};

/// The numbers of the access message, "<status> <bytes>B <millis>.<fraction>ms": the duration
/// rounded to whole microseconds, never negative.
struct MessageNumbers {
  Digits status;
  Digits bytes;
  Digits millis;
  char fraction[4];
  explicit MessageNumbers(const AccessRecord& record)
      : status(std::uint64_t{record.status}), bytes(record.bytes), millis(micros(record) / 1000) {
    const auto thousandths = static_cast<int>(micros(record) % 1000);
    fraction[0] = '.';
    fraction[1] = static_cast<char>('0' + thousandths / 100);
    fraction[2] = static_cast<char>('0' + thousandths / 10 % 10);
    fraction[3] = static_cast<char>('0' + thousandths % 10);
  }
  static std::uint64_t micros(const AccessRecord& record) {
    return static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, (record.duration.count() + 500) / 1000));
  }
  /// The message's length for `record` (which these numbers are of).
  std::size_t message_size(const AccessRecord& record) const {
    return record.method.size() + 1 + record.path.size() + 1 + status.length + 1 + bytes.length +
           2 + millis.length + sizeof fraction + 3 + record.client_ip.size();
  }
  void put_message(Cursor& out, const AccessRecord& record) const {
    out.put(record.method);
    out.put(' ');
    out.put(record.path);
    out.put(' ');
    out.put(status.view());
    out.put(' ');
    out.put(bytes.view());
    out.put("B ");
    out.put(millis.view());
    out.put({fraction, sizeof fraction});
    out.put("ms ");
    out.put(record.client_ip);
  }
};

/// The record's extras, in the order they are logged: the list the event and the escaping writer
/// are made from. The plain writer below spells the same keys out; a test holds them equal.
struct AccessField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t> value;
};
std::array<AccessField, 9> access_fields(const AccessRecord& record) {
  return {{
      {"http.request.method", record.method},
      {"url.path", record.path},
      {"url.query", record.query},
      {"http.response.status_code", static_cast<std::int64_t>(record.status)},
      {"http.response.body.bytes", static_cast<std::int64_t>(record.bytes)},
      {"event.duration", static_cast<std::int64_t>(record.duration.count())},
      {"client.ip", record.client_ip},
      {"user_agent.original", record.user_agent},
      {"http.request.id", record.request_id},
  }};
}

/// Any record: every string escaped on the way in.
void append_escaped_access_json(std::string& json, const AccessRecord& record,
                                std::string_view message,
                                std::chrono::system_clock::time_point time, std::string_view middle,
                                std::string_view event_id) {
  append_record_head(json, Level::info, time, message, middle, event_id);
  for (const AccessField& field : access_fields(record)) {
    json += ",\"";
    json += field.key;
    json += "\":";
    if (const auto* text = std::get_if<std::string_view>(&field.value)) {
      append_json_string(json, *text);
    } else {
      append_json_integer(json, std::get<std::int64_t>(field.value));
    }
  }
  json += '}';
}

// The plain record's constant pieces, between its variable ones.
constexpr std::string_view kHead = "{\"@timestamp\":\"";
constexpr std::string_view kLevelAndMessage = "\",\"level\":\"info\",\"message\":\"";
constexpr std::string_view kMethod = "\",\"http.request.method\":\"";
constexpr std::string_view kPath = "\",\"url.path\":\"";
constexpr std::string_view kQuery = "\",\"url.query\":\"";
constexpr std::string_view kStatus = "\",\"http.response.status_code\":";
constexpr std::string_view kBytes = ",\"http.response.body.bytes\":";
constexpr std::string_view kDuration = ",\"event.duration\":";
constexpr std::string_view kClient = ",\"client.ip\":\"";
constexpr std::string_view kUserAgent = "\",\"user_agent.original\":\"";
constexpr std::string_view kRequestId = "\",\"http.request.id\":\"";
constexpr std::string_view kEnd = "\"}";

/// A record whose strings all go into JSON as they are (nearly every request): sized once,
/// then copied piece by piece, the message made from the record's pieces again.
void append_plain_access_json(std::string& json, const AccessRecord& record,
                              std::string_view timestamp, std::string_view middle,
                              std::string_view event_id) {
  const MessageNumbers numbers(record);
  // A negative duration (a clock step) is written as its signed value, as the event has it.
  const Digits duration(std::int64_t{record.duration.count()});

  const std::size_t size =
      kHead.size() + timestamp.size() + kLevelAndMessage.size() + numbers.message_size(record) + 1 +
      middle.size() + 1 + event_id.size() + kMethod.size() + record.method.size() + kPath.size() +
      record.path.size() + kQuery.size() + record.query.size() + kStatus.size() +
      numbers.status.length + kBytes.size() + numbers.bytes.length + kDuration.size() +
      duration.length + kClient.size() + record.client_ip.size() + kUserAgent.size() +
      record.user_agent.size() + kRequestId.size() + record.request_id.size() + kEnd.size();
  Cursor out = room_at_end(json, size);
  out.put(kHead);
  out.put(timestamp);
  out.put(kLevelAndMessage);
  numbers.put_message(out, record);
  out.put('"');
  out.put(middle);
  out.put('"');
  out.put(event_id);
  out.put(kMethod);
  out.put(record.method);
  out.put(kPath);
  out.put(record.path);
  out.put(kQuery);
  out.put(record.query);
  out.put(kStatus);
  out.put(numbers.status.view());
  out.put(kBytes);
  out.put(numbers.bytes.view());
  out.put(kDuration);
  out.put(duration.view());
  out.put(kClient);
  out.put(record.client_ip);
  out.put(kUserAgent);
  out.put(record.user_agent);
  out.put(kRequestId);
  out.put(record.request_id);
  out.put(kEnd);
}

}  // namespace

void append_access_message(std::string& out, const AccessRecord& record) {
  const MessageNumbers numbers(record);
  Cursor cursor = room_at_end(out, numbers.message_size(record));
  numbers.put_message(cursor, record);
}

void append_access_json(std::string& out, const AccessRecord& record,
                        std::chrono::system_clock::time_point time, std::string_view middle,
                        std::string_view event_id) {
  // The message is the method, path and client IP with digits and spaces between: plain when
  // they are.
  const bool plain = is_plain_json_text(record.method) && is_plain_json_text(record.path) &&
                     is_plain_json_text(record.query) && is_plain_json_text(record.client_ip) &&
                     is_plain_json_text(record.user_agent) &&
                     is_plain_json_text(record.request_id) && is_plain_json_text(event_id);
  if (plain) {
    append_plain_access_json(out, record, iso8601_utc_per_thread(time), middle, event_id);
    return;
  }
  std::string message;
  append_access_message(message, record);
  append_escaped_access_json(out, record, message, time, middle, event_id);
}

Event access_event(const AccessRecord& record) {
  std::vector<Field> fields;
  for (const AccessField& field : access_fields(record)) {
    fields.push_back(
        {std::string(field.key), std::visit(
                                     [](const auto& v) -> FieldValue {
                                       using T = std::decay_t<decltype(v)>;
                                       if constexpr (std::is_same_v<T, std::string_view>)
                                         return std::string(v);
                                       else
                                         return v;
                                     },
                                     field.value)});
  }
  std::string message;
  append_access_message(message, record);
  return Event(Level::info, std::move(message), std::move(fields), std::string(kAccessDataset));
}

std::string access_json(const AccessRecord& record, std::chrono::system_clock::time_point time,
                        const Identity& identity, std::string_view event_id) {
  std::string json;
  append_access_json(json, record, time, record_middle(Level::info, kAccessDataset, identity),
                     event_id);
  return json;
}

}  // namespace cppapp::log
