#include "http/http_date.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "http/message.hpp"

namespace cppapp::http {

namespace {

constexpr std::array<const char*, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// 1..12 when `word` starts with a month's three-letter abbreviation (V8 compares the first three
// letters only), else 0.
unsigned month_from_word(std::string_view word) {
  if (word.size() < 3) return 0;
  for (unsigned i = 0; i < kMonthNames.size(); ++i) {
    const char* name = kMonthNames[i];
    if (ascii_lower(word[0]) == ascii_lower(name[0]) && ascii_lower(word[1]) == name[1] &&
        ascii_lower(word[2]) == name[2])
      return i + 1;
  }
  return 0;
}

bool is_utc_word(std::string_view word) {
  std::string w;
  for (char c : word) w.push_back(ascii_lower(c));
  return w == "gmt" || w == "utc" || w == "ut" || w == "z";
}

// A small tokenizer over the date text: numbers (with how many digits), words, and single
// punctuation characters. Whitespace separates tokens and is dropped.
struct Token {
  enum Kind { number, word, symbol } kind;
  std::string_view text;
  std::int64_t value = 0;
};

std::optional<std::vector<Token>> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      ++i;
    } else if (is_digit(c)) {
      std::size_t j = i;
      std::int64_t value = 0;
      while (j < text.size() && is_digit(text[j])) {
        if (j - i >= 9) return std::nullopt;  // absurdly long numbers are never a valid date
        value = value * 10 + (text[j] - '0');
        ++j;
      }
      tokens.push_back({Token::number, text.substr(i, j - i), value});
      i = j;
    } else if (is_alpha(c)) {
      std::size_t j = i;
      while (j < text.size() && is_alpha(text[j])) ++j;
      tokens.push_back({Token::word, text.substr(i, j - i)});
      i = j;
    } else {
      tokens.push_back({Token::symbol, text.substr(i, 1)});
      ++i;
    }
    if (tokens.size() > 64) return std::nullopt;
  }
  return tokens;
}

}  // namespace

std::string http_date(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::int64_t seconds = floor_div(ms.count(), 1000);
  const std::int64_t days = floor_div(seconds, 86400);
  const std::int64_t second_of_day = seconds - days * 86400;
  const Civil civil = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>(((days % 7) + 11) % 7);  // 1970-01-01 was Thursday
  char buffer[64];
  // JS pads the year to four digits and writes a minus sign before negative years.
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %s%04lld %02d:%02d:%02d GMT",
                kDayNames[weekday], civil.day, kMonthNames[civil.month - 1],
                civil.year < 0 ? "-" : "",
                static_cast<long long>(civil.year < 0 ? -civil.year : civil.year),
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  return buffer;
}

std::optional<std::int64_t> parse_http_date_ms(std::string_view text) {
  const auto maybe_tokens = tokenize(text);
  if (!maybe_tokens) return std::nullopt;
  const std::vector<Token>& t = *maybe_tokens;
  std::size_t i = 0;

  // A leading day name ("Sun", "Sunday", or any word V8 does not know) and its comma are ignored.
  if (i < t.size() && t[i].kind == Token::word && month_from_word(t[i].text) == 0) ++i;
  if (i < t.size() && t[i].kind == Token::symbol && t[i].text == ",") ++i;

  std::int64_t day = 0;
  std::int64_t year = 0;
  unsigned month = 0;
  std::size_t year_digits = 0;
  const auto is_number = [&](std::size_t k) { return k < t.size() && t[k].kind == Token::number; };
  const auto is_symbol = [&](std::size_t k, char s) {
    return k < t.size() && t[k].kind == Token::symbol && t[k].text[0] == s;
  };
  const auto read_time = [&](std::int64_t& h, std::int64_t& m, std::int64_t& s) {
    if (!is_number(i) || !is_symbol(i + 1, ':') || !is_number(i + 2)) return false;
    h = t[i].value;
    m = t[i + 2].value;
    i += 3;
    s = 0;
    if (is_symbol(i, ':') && is_number(i + 1)) {
      s = t[i + 1].value;
      i += 2;
    }
    return true;
  };
  std::int64_t hour = 0, minute = 0, second = 0;

  if (is_number(i)) {
    // IMF-fixdate "06 Nov 1994 08:49:37 GMT" or RFC 850 "06-Nov-94 08:49:37 GMT".
    day = t[i++].value;
    if (is_symbol(i, '-')) ++i;
    if (i >= t.size() || t[i].kind != Token::word || (month = month_from_word(t[i].text)) == 0)
      return std::nullopt;
    ++i;
    if (is_symbol(i, '-')) ++i;
    if (!is_number(i)) return std::nullopt;
    year = t[i].value;
    year_digits = t[i].text.size();
    ++i;
    if (!read_time(hour, minute, second)) return std::nullopt;
  } else if (i < t.size() && t[i].kind == Token::word && (month = month_from_word(t[i].text))) {
    // asctime "Nov  6 08:49:37 1994".
    ++i;
    if (!is_number(i)) return std::nullopt;
    day = t[i++].value;
    if (!read_time(hour, minute, second)) return std::nullopt;
    if (!is_number(i)) return std::nullopt;
    year = t[i].value;
    year_digits = t[i].text.size();
    ++i;
  } else {
    return std::nullopt;
  }

  // Optional zone: GMT/UTC/UT/Z, or a numeric offset like +0100 (also after GMT).
  std::int64_t offset_minutes = 0;
  if (i < t.size() && t[i].kind == Token::word) {
    if (!is_utc_word(t[i].text)) return std::nullopt;
    ++i;
  }
  if (i < t.size() && (is_symbol(i, '+') || is_symbol(i, '-')) && is_number(i + 1)) {
    const std::int64_t sign = is_symbol(i, '-') ? -1 : 1;
    const std::int64_t raw = t[i + 1].value;
    const std::int64_t hhmm = t[i + 1].text.size() <= 2 ? raw * 100 : raw;
    offset_minutes = sign * (hhmm / 100 * 60 + hhmm % 100);
    i += 2;
  }
  if (i != t.size()) return std::nullopt;

  // V8: two-digit years 0-49 are 20xx, 50-99 are 19xx.
  if (year_digits <= 2) year += year < 50 ? 2000 : 1900;
  if (day < 1 || day > 31) return std::nullopt;
  if (hour > 24 || minute > 59 || second > 59) return std::nullopt;
  if (hour == 24 && (minute != 0 || second != 0)) return std::nullopt;

  const std::int64_t days = days_from_civil(year, month, 1) + (day - 1);  // 31 Feb rolls over
  const std::int64_t seconds =
      days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  const auto ms = parse_http_date_ms(text);
  using std::chrono::milliseconds;
  constexpr auto kLimit =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::duration::max()).count();
  if (!ms || *ms >= kLimit || *ms <= -kLimit) return std::nullopt;  // beyond the clock's range
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(*ms));
}

}  // namespace cppapp::http
