#include "plinth/storage/columnar/value.h"

#include <cmath>
#include <cstring>

#include "plinth/base/strings.h"
#include "plinth/base/time.h"
#include "plinth/storage/columnar/value_format.h"

namespace plinth::columnar {

namespace {

bool IsIntegral(TypeId id) {
  switch (id) {
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64:
    case TypeId::kUInt8: case TypeId::kUInt16: case TypeId::kUInt32: case TypeId::kUInt64:
      return true;
    default: return false;
  }
}
bool IsFloating(TypeId id) { return id == TypeId::kFloat || id == TypeId::kDouble || id == TypeId::kFloat16; }
bool IsBytes(TypeId id) { return StorageOf(id) == StorageClass::kBytes; }

int128 Pow10(int n) {
  int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Numeric value as long double (for mixed comparisons).
long double AsReal(const Value& v) {
  if (IsFloating(v.type.id)) return v.d;
  if (v.type.id == TypeId::kDecimal) return static_cast<long double>(v.dec) / static_cast<long double>(Pow10(v.type.scale));
  if (v.type.id == TypeId::kUInt64) return static_cast<long double>(static_cast<uint64_t>(v.i));
  return static_cast<long double>(v.i);
}

// Floating point follows SQL engines (DuckDB, PostgreSQL, Spark): NaN equals NaN and is
// greater than every other number, so sorting and filtering are total.
std::partial_ordering CmpReal(long double a, long double b) {
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) {
    if (na && nb) return std::partial_ordering::equivalent;
    return na ? std::partial_ordering::greater : std::partial_ordering::less;
  }
  if (a < b) return std::partial_ordering::less;
  if (b < a) return std::partial_ordering::greater;
  return std::partial_ordering::equivalent;
}

template <typename T>
std::partial_ordering Cmp(const T& a, const T& b) {
  if (a < b) return std::partial_ordering::less;
  if (b < a) return std::partial_ordering::greater;
  if (a == b) return std::partial_ordering::equivalent;
  return std::partial_ordering::unordered;
}

}  // namespace

Value ValueAt(const Column& col, int64_t row) {
  Value v(col.type());
  if (col.IsNull(row)) return v;
  v.is_null = false;
  switch (col.storage()) {
    case StorageClass::kBool: v.i = col.Get<uint8_t>(row); break;
    case StorageClass::kInt32:
      v.i = col.Get<int32_t>(row);
      if (col.type().id == TypeId::kUInt8 || col.type().id == TypeId::kUInt16) v.i = static_cast<uint32_t>(v.i);
      break;
    case StorageClass::kInt64: v.i = col.Get<int64_t>(row); break;
    case StorageClass::kFloat: v.d = col.Get<float>(row); break;
    case StorageClass::kDouble: v.d = col.Get<double>(row); break;
    case StorageClass::kInt128: v.dec = col.Get<int128>(row); break;
    case StorageClass::kBytes: v.s = std::string(col.GetBytes(row)); break;
  }
  return v;
}

void AppendValue(const Value& v, Column* col) {
  if (v.is_null) {
    col->AppendNull();
    return;
  }
  switch (col->storage()) {
    case StorageClass::kBool: col->Append<uint8_t>(v.i != 0); break;
    case StorageClass::kInt32: col->Append<int32_t>(static_cast<int32_t>(v.i)); break;
    case StorageClass::kInt64: col->Append<int64_t>(v.i); break;
    case StorageClass::kFloat: col->Append<float>(static_cast<float>(v.d)); break;
    case StorageClass::kDouble: col->Append<double>(v.d); break;
    case StorageClass::kInt128: col->Append<int128>(v.dec); break;
    case StorageClass::kBytes: col->AppendBytes(v.s); break;
  }
}

std::optional<std::partial_ordering> Compare(const Value& a, const Value& b) {
  if (a.is_null || b.is_null) return std::nullopt;
  TypeId x = a.type.id, y = b.type.id;
  bool num_a = IsIntegral(x) || IsFloating(x) || x == TypeId::kDecimal;
  bool num_b = IsIntegral(y) || IsFloating(y) || y == TypeId::kDecimal;
  if (num_a && num_b) {
    if (IsIntegral(x) && IsIntegral(y) && x != TypeId::kUInt64 && y != TypeId::kUInt64) return Cmp(a.i, b.i);
    if (x == TypeId::kDecimal && y == TypeId::kDecimal && a.type.scale == b.type.scale) return Cmp(a.dec, b.dec);
    return CmpReal(AsReal(a), AsReal(b));
  }
  if (IsBytes(x) && IsBytes(y)) {
    int c = a.s.compare(b.s);  // bytewise (std::string compares as unsigned char)
    return c < 0 ? std::partial_ordering::less : c > 0 ? std::partial_ordering::greater : std::partial_ordering::equivalent;
  }
  if (x == TypeId::kBool && y == TypeId::kBool) return Cmp(a.i, b.i);
  auto temporal = [](TypeId t) {
    return t == TypeId::kTimestamp || t == TypeId::kTimestampNtz;
  };
  if ((x == y && (x == TypeId::kDate || x == TypeId::kTime)) || (temporal(x) && temporal(y))) return Cmp(a.i, b.i);
  // date vs timestamp: compare in microseconds.
  if (x == TypeId::kDate && temporal(y)) return Cmp(static_cast<int128>(a.i) * 86400000000LL, static_cast<int128>(b.i));
  if (temporal(x) && y == TypeId::kDate) return Cmp(static_cast<int128>(a.i), static_cast<int128>(b.i) * 86400000000LL);
  return std::nullopt;
}

absl::StatusOr<Value> ParseValue(const DataType& type, std::string_view text) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("cannot read '", text, "' as ", TypeName(type), why.empty() ? "" : ": ", why));
  };
  Value v(type);
  v.is_null = false;
  switch (type.id) {
    case TypeId::kBool:
      if (text == "true" || text == "TRUE" || text == "True" || text == "1") v.i = 1;
      else if (text == "false" || text == "FALSE" || text == "False" || text == "0") v.i = 0;
      else return bad("");
      return v;
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64:
    case TypeId::kUInt8: case TypeId::kUInt16: case TypeId::kUInt32: {
      auto x = ParseInt64(text);
      if (!x) return bad("");
      int64_t lo = INT64_MIN, hi = INT64_MAX;
      switch (type.id) {
        case TypeId::kInt8: lo = -128; hi = 127; break;
        case TypeId::kInt16: lo = -32768; hi = 32767; break;
        case TypeId::kInt32: lo = INT32_MIN; hi = INT32_MAX; break;
        case TypeId::kUInt8: lo = 0; hi = 255; break;
        case TypeId::kUInt16: lo = 0; hi = 65535; break;
        case TypeId::kUInt32: lo = 0; hi = UINT32_MAX; break;
        default: break;
      }
      if (*x < lo || *x > hi) return bad("out of range");
      v.i = *x;
      return v;
    }
    case TypeId::kUInt64: {
      uint64_t u = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), u);
      if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return bad("");
      v.i = static_cast<int64_t>(u);
      return v;
    }
    case TypeId::kFloat16: case TypeId::kFloat: case TypeId::kDouble: {
      if (text == "NaN" || text == "nan") { v.d = std::nan(""); return v; }
      if (text == "Infinity" || text == "inf") { v.d = INFINITY; return v; }
      if (text == "-Infinity" || text == "-inf") { v.d = -INFINITY; return v; }
      auto x = ParseDouble(text);
      if (!x) return bad("");
      v.d = *x;
      return v;
    }
    case TypeId::kString: v.s = std::string(text); return v;
    case TypeId::kBinary: case TypeId::kFixedBinary: case TypeId::kUuid:
      v.s = std::string(text);  // raw bytes; callers decode base64 where their format says so
      return v;
    case TypeId::kDate: {
      auto ts = ParseTimestamp(text);
      if (!ts.ok() || text.size() != 10) return bad("want YYYY-MM-DD");
      v.i = *ts / 86400000000LL - (*ts % 86400000000LL < 0 ? 1 : 0);
      return v;
    }
    case TypeId::kTimestamp: case TypeId::kTimestampNtz: {
      auto ts = ParseTimestamp(text);
      if (!ts.ok()) return bad("want an ISO-8601 timestamp");
      v.i = *ts;
      return v;
    }
    case TypeId::kTime: {
      auto ts = ParseTimestamp(StrCat("1970-01-01T", text, "Z"));
      if (!ts.ok()) return bad("want HH:MM:SS[.ffffff]");
      v.i = *ts;
      return v;
    }
    case TypeId::kDecimal: {
      std::string_view t = text;
      bool neg = false;
      if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
        neg = t[0] == '-';
        t.remove_prefix(1);
      }
      int128 unscaled = 0;
      int frac = -1, digits = 0, significant = 0;
      for (char c : t) {
        if (c == '.' && frac < 0) { frac = 0; continue; }
        if (c < '0' || c > '9') return bad("");
        ++digits;
        if (frac >= 0) {
          if (frac == type.scale) {
            if (c != '0') return bad(StrCat("more than ", type.scale, " decimal places"));
            continue;
          }
          ++frac;
        }
        // Leading zeros ("0.000123" for decimal(38,38)) are not digits of the value. Counted
        // before the digit is taken in, so that the value never has more than 38 digits
        // (10^38 < 2^127: no overflow).
        if ((unscaled != 0 || c != '0') && ++significant > 38) return bad("too many digits");
        unscaled = unscaled * 10 + (c - '0');
      }
      if (digits == 0) return bad("");
      // `unscaled` has `significant` digits; scaling adds `shift` more. Checked before scaling,
      // which would otherwise overflow for wide inputs and come back as a wrong value.
      const int shift = type.scale - std::max(frac, 0);
      if (unscaled != 0 && significant + shift > type.precision) {
        return bad(StrCat("exceeds precision ", type.precision));
      }
      unscaled *= Pow10(shift);
      v.dec = neg ? -unscaled : unscaled;
      return v;
    }
  }
  return bad("");
}

std::string ValueToString(const Value& v) {
  if (v.is_null) return "null";
  Column c(v.type);
  AppendValue(v, &c);
  std::string out;
  AppendTextValue(c, 0, &out);
  return out;
}

}  // namespace plinth::columnar
