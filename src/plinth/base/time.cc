#include <chrono>
#include <cstdio>
#include <ctime>

#include "plinth/base/time.h"

namespace plinth {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

namespace {

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

bool ReadDigits(std::string_view s, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}
}  // namespace

std::string FormatTimestamp(int64_t micros) {
  int64_t secs = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

absl::StatusOr<int64_t> ParseTimestamp(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        StrCat("invalid timestamp '", text, "': expected ISO-8601 like 2026-11-24T05:33:22Z"));
  };
  std::string_view s = StripWhitespace(text);
  size_t pos = 0;
  int64_t year, month, day, hour = 0, minute = 0, second = 0, micros = 0, offset_secs = 0;
  if (!ReadDigits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, day)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return bad();
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad();
    ++pos;
    if (!ReadDigits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' ||
        !ReadDigits(s, pos, 2, minute)) {
      return bad();
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, second)) return bad();
    }
    if (hour > 23 || minute > 59 || second > 60) return bad();
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int digits = 0;
      int64_t frac = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 6) frac = frac * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return bad();
      for (int i = digits; i < 6; ++i) frac *= 10;
      micros = frac;
    }
    if (pos < s.size()) {
      char c = s[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        ++pos;
        int64_t oh, om;
        if (!ReadDigits(s, pos, 2, oh)) return bad();
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (!ReadDigits(s, pos, 2, om)) return bad();
        if (oh > 23 || om > 59) return bad();
        offset_secs = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
      } else {
        return bad();
      }
    }
  }
  if (pos != s.size()) return bad();
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_secs;
  return secs * 1'000'000 + micros;
}

absl::StatusOr<int64_t> ParseDuration(std::string_view text) {
  std::string_view s = StripWhitespace(text);
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  std::optional<double> parsed = i == 0 ? std::nullopt : ParseDouble(s.substr(0, i));
  double value = parsed.value_or(-1);
  if (value < 0) {
    return absl::InvalidArgumentError(StrCat("invalid duration '", text, "': expected e.g. 90s, 15m, 168h, 7d"));
  }
  std::string_view unit = s.substr(i);
  double mult;
  if (unit == "us") mult = 1;
  else if (unit == "ms") mult = 1e3;
  else if (unit == "s" || unit.empty()) mult = 1e6;
  else if (unit == "m") mult = 60e6;
  else if (unit == "h") mult = 3600e6;
  else if (unit == "d") mult = 86400e6;
  else return absl::InvalidArgumentError(StrCat("invalid duration unit in '", text, "': use us, ms, s, m, h or d"));
  // 2^63: converting anything at or above it to int64 is undefined behaviour.
  if (value * mult >= 9223372036854775808.0) {
    return absl::InvalidArgumentError(StrCat("invalid duration '", text, "': too long"));
  }
  return static_cast<int64_t>(value * mult);
}

}  // namespace plinth
