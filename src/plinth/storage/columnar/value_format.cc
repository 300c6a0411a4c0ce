#include "plinth/storage/columnar/value_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "plinth/base/base64.h"
#include "plinth/base/json.h"
#include "plinth/base/json_text.h"
#include "plinth/base/strings.h"
#include "plinth/base/time.h"

namespace plinth::columnar {

namespace {

void AppendPadded(std::string* out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  int len = static_cast<int>(r.ptr - buf);
  for (int i = len; i < width; ++i) out->push_back('0');
  out->append(buf, r.ptr);
}

void AppendYear(std::string* out, int64_t y) {
  if (y >= 0 && y <= 9999) {
    AppendPadded(out, y, 4);
  } else {
    out->push_back(y < 0 ? '-' : '+');
    AppendPadded(out, y < 0 ? -y : y, 6);
  }
}

void AppendDate(std::string* out, int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  AppendYear(out, y);
  out->push_back('-');
  AppendPadded(out, m, 2);
  out->push_back('-');
  AppendPadded(out, d, 2);
}

void AppendTimeOfDay(std::string* out, int64_t micros_of_day) {
  int64_t secs = micros_of_day / 1000000;
  AppendPadded(out, secs / 3600, 2);
  out->push_back(':');
  AppendPadded(out, (secs / 60) % 60, 2);
  out->push_back(':');
  AppendPadded(out, secs % 60, 2);
  out->push_back('.');
  AppendPadded(out, micros_of_day % 1000000, 6);
}

void AppendTimestamp(std::string* out, int64_t micros, bool utc) {
  constexpr int64_t kDay = 86400LL * 1000000;
  int64_t days = micros / kDay;
  int64_t rem = micros % kDay;
  if (rem < 0) {
    rem += kDay;
    --days;
  }
  AppendDate(out, days);
  out->push_back('T');
  AppendTimeOfDay(out, rem);
  if (utc) out->push_back('Z');
}

void AppendDecimal(std::string* out, int128 v, int32_t scale) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  char buf[64];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  while (n <= scale) buf[n++] = '0';  // at least one digit before the point
  if (neg) out->push_back('-');
  for (int i = n - 1; i >= 0; --i) {
    out->push_back(buf[i]);
    if (i == scale && scale > 0) out->push_back('.');
  }
}

void AppendFloating(std::string* out, double v, bool is_float, bool json) {
  if (std::isnan(v)) {
    out->append(json ? "\"NaN\"" : "NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? (json ? "\"Infinity\"" : "Infinity") : (json ? "\"-Infinity\"" : "-Infinity"));
    return;
  }
  char buf[64];
  auto r = is_float ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v))
                    : std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
  // Keep floats recognisable as floats ("1.0", "-0.0", not "1" or "-0").
  if (std::find_if(buf, r.ptr, [](char c) { return c == '.' || c == 'e'; }) == r.ptr) out->append(".0");
}

void AppendUuid(std::string* out, std::string_view b) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.size() == 16 && (i == 4 || i == 6 || i == 8 || i == 10)) out->push_back('-');
    auto c = static_cast<unsigned char>(b[i]);
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 15]);
  }
}

// Appends the value; `json` selects quoting of textual values.
void AppendCellText(const Column& col, int64_t row, std::string* out, bool json) {
  if (col.IsNull(row)) {
    if (json) out->append("null");
    return;
  }
  const DataType& t = col.type();
  auto quoted = [&](const std::string& s) {
    if (json) out->push_back('"');
    out->append(s);
    if (json) out->push_back('"');
  };
  switch (t.id) {
    case TypeId::kBool: out->append(col.Get<uint8_t>(row) ? "true" : "false"); return;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32: StrAppend(out, col.Get<int32_t>(row)); return;
    case TypeId::kUInt8:
    case TypeId::kUInt16: StrAppend(out, static_cast<uint32_t>(col.Get<int32_t>(row))); return;
    case TypeId::kInt64: StrAppend(out, col.Get<int64_t>(row)); return;
    case TypeId::kUInt32: StrAppend(out, static_cast<uint32_t>(col.Get<int64_t>(row))); return;
    case TypeId::kUInt64: StrAppend(out, static_cast<uint64_t>(col.Get<int64_t>(row))); return;
    case TypeId::kFloat16:
    case TypeId::kFloat: AppendFloating(out, col.Get<float>(row), true, json); return;
    case TypeId::kDouble: AppendFloating(out, col.Get<double>(row), false, json); return;
    case TypeId::kString:
      if (json) AppendJsonString(out, col.GetBytes(row));
      else out->append(col.GetBytes(row));
      return;
    case TypeId::kBinary:
    case TypeId::kFixedBinary: quoted(Base64Encode(col.GetBytes(row))); return;
    case TypeId::kUuid: {
      std::string s;
      AppendUuid(&s, col.GetBytes(row));
      quoted(s);
      return;
    }
    case TypeId::kDate: {
      std::string s;
      AppendDate(&s, col.Get<int32_t>(row));
      quoted(s);
      return;
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz: {
      std::string s;
      AppendTimestamp(&s, col.Get<int64_t>(row), t.id == TypeId::kTimestamp);
      quoted(s);
      return;
    }
    case TypeId::kTime: {
      std::string s;
      AppendTimeOfDay(&s, col.Get<int64_t>(row));
      quoted(s);
      return;
    }
    case TypeId::kDecimal: {
      std::string s;
      AppendDecimal(&s, col.Get<int128>(row), t.scale);
      quoted(s);
      return;
    }
  }
}

}  // namespace

void AppendJsonValue(const Column& col, int64_t row, std::string* out) { AppendCellText(col, row, out, true); }
void AppendTextValue(const Column& col, int64_t row, std::string* out) { AppendCellText(col, row, out, false); }

std::string FormatDate(int32_t days) {
  std::string s;
  AppendDate(&s, days);
  return s;
}
std::string FormatTimestampMicros(int64_t micros, bool utc) {
  std::string s;
  AppendTimestamp(&s, micros, utc);
  return s;
}
std::string FormatTimeMicros(int64_t micros) {
  std::string s;
  AppendTimeOfDay(&s, micros);
  return s;
}
std::string FormatDecimal(int128 unscaled, int32_t scale) {
  std::string s;
  AppendDecimal(&s, unscaled, scale);
  return s;
}

}  // namespace plinth::columnar
