// The texts of an access record, made on every request: the console message and the JSON record
// shipped to Logstash (and printed with LOG_FORMAT=json). They are written with a cursor into room
// sized beforehand, not appended piece by piece: one size check and one copy per piece is what
// keeps the access log a small share of a request's CPU (bench/, "access log's share").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "log/event.hpp"

namespace cppapp::log {

/// One finished request.
struct AccessRecord {
  std::string_view method;
  std::string_view path;
  std::string_view query;
  unsigned status = 0;
  std::uint64_t bytes = 0;  ///< body bytes sent
  std::chrono::nanoseconds duration{0};
  std::string_view client_ip;
  std::string_view user_agent;
  std::string_view request_id;
};

/// event.dataset of every access record.
inline constexpr std::string_view kAccessDataset = "cppapp.access";

/// Appends "GET /app1/ 200 156B 0.123ms 10.0.0.2": the duration in milliseconds, rounded to whole
/// microseconds.
void append_access_message(std::string& out, const AccessRecord& record);

/// Appends the access record as to_json(access_event(record), …) writes it, its message included,
/// without making the event: `middle` is record_middle(Level::info, kAccessDataset, identity),
/// made once.
void append_access_json(std::string& out, const AccessRecord& record,
                        std::chrono::system_clock::time_point time, std::string_view middle,
                        std::string_view event_id);

/// The access record as an event (what observers see), its message the console line.
Event access_event(const AccessRecord& record);

/// append_access_json into a new string, with the middle made from `identity`.
std::string access_json(const AccessRecord& record, std::chrono::system_clock::time_point time,
                        const Identity& identity, std::string_view event_id);

}  // namespace cppapp::log
