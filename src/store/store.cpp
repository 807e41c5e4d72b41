#include "store/store.hpp"

#include <chrono>
#include <cstdio>

namespace cppapp::store {

StoreError::StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind(kind) {}

std::string iso8601_utc(std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(ms)};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  const int year = static_cast<int>(date.year());
  char buffer[48];
  // JS toISOString writes years outside 0000-9999 as a signed six-digit year.
  const char* year_format = (year >= 0 && year <= 9999) ? "%04d" : (year < 0 ? "-%06d" : "+%06d");
  int used = std::snprintf(buffer, sizeof buffer, year_format, year < 0 ? -year : year);
  std::snprintf(buffer + used, sizeof buffer - static_cast<std::size_t>(used),
                "-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return buffer;
}

bool is_valid_id(std::string_view id) {
  if (id.size() != 24) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace cppapp::store
