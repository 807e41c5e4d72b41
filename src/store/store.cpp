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
  // Written digit by digit: a page of entries formats two of these per entry.
  std::string text;
  text.reserve(32);
  const auto digits = [&text](long long value, int width) {
    char buffer[8];
    for (int i = width - 1; i >= 0; --i, value /= 10)
      buffer[i] = static_cast<char>('0' + value % 10);
    text.append(buffer, static_cast<std::size_t>(width));
  };
  // JS toISOString writes years outside 0000-9999 as a signed six-digit year.
  if (year >= 0 && year <= 9999) {
    digits(year, 4);
  } else {
    text += year < 0 ? '-' : '+';
    digits(year < 0 ? -static_cast<long long>(year) : year, 6);
  }
  text += '-';
  digits(static_cast<unsigned>(date.month()), 2);
  text += '-';
  digits(static_cast<unsigned>(date.day()), 2);
  text += 'T';
  digits(clock.hours().count(), 2);
  text += ':';
  digits(clock.minutes().count(), 2);
  text += ':';
  digits(clock.seconds().count(), 2);
  text += '.';
  digits(clock.subseconds().count(), 3);
  text += 'Z';
  return text;
}

bool is_valid_id(std::string_view id) {
  if (id.size() != 24) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace cppapp::store
