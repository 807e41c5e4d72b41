#include "log/event.hpp"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <ctime>

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

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t min = 0;
    if (lead < 0x80)
      length = 1;
    else if (lead >= 0xC2 && lead <= 0xDF)
      length = 2, min = 0x80;
    else if (lead >= 0xE0 && lead <= 0xEF)
      length = 3, min = 0x800;
    else if (lead >= 0xF0 && lead <= 0xF4)
      length = 4, min = 0x10000;
    bool ok = length > 0 && i + length <= text.size();
    std::uint32_t code = length == 1 ? lead : (lead & (0xFF >> (length + 1)));
    for (std::size_t k = 1; ok && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      ok = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid too.
    if (ok && length > 1 && (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)))
      ok = false;
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

namespace {

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

}  // namespace

std::string to_json(const Event& event, const Identity& identity, std::string_view event_id) {
  boost::json::object record;
  record.reserve(16 + event.fields.size());
  const std::string_view level = level_name(event.level);
  record["@timestamp"] = iso8601_utc(event.time);
  // winston-logstash's fields, kept so existing Kibana searches work.
  record["level"] = level;
  record["message"] = valid_utf8(event.message);
  record["label"] = identity.node_name;
  // Elastic Common Schema, as flat dotted keys (Elasticsearch expands them into objects).
  record["log.level"] = level;
  record["service.name"] = identity.service_name;
  record["service.node.name"] = identity.node_name;
  record["host.hostname"] = identity.hostname;
  record["process.pid"] = identity.pid;
  record["event.dataset"] = event.dataset;
  record["event.id"] = event_id;
  for (const Field& field : event.fields)
    record[valid_utf8(field.key)] = to_json_value(field.value);
  return boost::json::serialize(record);
}

}  // namespace cppapp::log
