#include "plinth/features/online_record.h"

#include <cstring>

namespace plinth::features {

namespace {

enum Tag : uint8_t { kNullTag = 0, kFalse = 1, kTrue = 2, kInt = 3, kDouble = 4, kString = 5, kTime = 6 };
constexpr uint8_t kFormat = 1;
constexpr size_t kHeaderBytes = 1 + 8 + 8 + 8;

void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

absl::Status Malformed() { return absl::DataLossError("malformed online feature record"); }

}  // namespace

std::string ViewKeyPrefix(std::string_view view) {
  std::string out = "f/";
  out.append(view);
  out.push_back('\0');
  return out;
}

absl::Status EncodeEntityKey(std::string_view view, std::span<const JoinKey> join_keys, std::span<const Value> keys,
                             std::string* out) {
  out->clear();
  out->append("f/").append(view).push_back('\0');
  return AppendEntityKey(view, join_keys, keys, out);
}

absl::Status AppendEntityKey(std::string_view view, std::span<const JoinKey> join_keys, std::span<const Value> keys,
                             std::string* out) {
  if (keys.size() != join_keys.size()) {
    return absl::InvalidArgumentError(StrCat("view '", view, "' needs ", join_keys.size(), " join keys, got ", keys.size()));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    const Value& v = keys[i];
    if (join_keys[i].type == ValueType::kInt64 && v.type() == ValueType::kInt64) {
      AppendInt64EntityKey(v.int64_value(), out);
    } else if (join_keys[i].type == ValueType::kString && v.type() == ValueType::kString) {
      PutVarint(out, v.string_value().size());
      out->append(v.string_value());
    } else {
      return absl::InvalidArgumentError(StrCat("join key '", join_keys[i].name, "' must be ", ValueTypeName(join_keys[i].type),
                                               v.is_null() ? ", got null" : StrCat(", got ", ValueTypeName(v.type()))));
    }
  }
  return absl::OkStatus();
}

uint64_t LayoutId(const FeatureViewDef& view) {
  // FNV-1a over "name:type;" of each feature: stable across processes and versions.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<uint8_t>(c);
      h *= 1099511628211ull;
    }
  };
  for (const FeatureDef& f : view.features) {
    mix(f.name);
    mix(":");
    mix(ValueTypeName(f.type));
    mix(";");
  }
  return h;
}

void EncodeRecordHeader(const RecordHeader& header, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(kFormat));
  PutFixed64(out, header.layout);
  PutFixed64(out, static_cast<uint64_t>(header.event_micros));
  PutFixed64(out, static_cast<uint64_t>(header.created_micros));
}

void AppendRecordNull(std::string* out) { out->push_back(kNullTag); }

void AppendRecordInt64(int64_t v, std::string* out) {
  out->push_back(kInt);
  PutFixed64(out, static_cast<uint64_t>(v));
}

void AppendRecordDouble(double d, std::string* out) {
  out->push_back(kDouble);
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  PutFixed64(out, bits);
}

void AppendRecordValue(const Value& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kNull: AppendRecordNull(out); break;
    case ValueType::kBool: out->push_back(v.bool_value() ? kTrue : kFalse); break;
    case ValueType::kInt64: AppendRecordInt64(v.int64_value(), out); break;
    case ValueType::kDouble: AppendRecordDouble(v.double_value(), out); break;
    case ValueType::kString:
      out->push_back(kString);
      PutVarint(out, v.string_value().size());
      out->append(v.string_value());
      break;
    case ValueType::kTimestamp:
      out->push_back(kTime);
      PutFixed64(out, static_cast<uint64_t>(v.timestamp_micros()));
      break;
  }
}

void EncodeRecord(const RecordHeader& header, std::span<const Value> values, std::string* out) {
  EncodeRecordHeader(header, out);
  for (const Value& v : values) AppendRecordValue(v, out);
}

void AppendInt64EntityKey(int64_t key, std::string* out) { PutFixed64(out, static_cast<uint64_t>(key) ^ (uint64_t{1} << 63)); }

absl::StatusOr<RecordHeader> DecodeRecordHeader(std::string_view record) {
  if (record.size() < kHeaderBytes || static_cast<uint8_t>(record[0]) != kFormat) return Malformed();
  RecordHeader h;
  h.layout = GetFixed64(record.data() + 1);
  h.event_micros = static_cast<int64_t>(GetFixed64(record.data() + 9));
  h.created_micros = static_cast<int64_t>(GetFixed64(record.data() + 17));
  return h;
}

absl::StatusOr<RecordHeader> DecodeRecord(std::string_view record, std::vector<Value>* values) {
  PLINTH_ASSIGN_OR_RETURN(RecordHeader h, DecodeRecordHeader(record));
  values->clear();
  std::string_view in = record.substr(kHeaderBytes);
  while (!in.empty()) {
    uint8_t tag = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    switch (tag) {
      case kNullTag: values->emplace_back(); break;
      case kFalse: values->push_back(Value::Bool(false)); break;
      case kTrue: values->push_back(Value::Bool(true)); break;
      case kInt:
      case kDouble:
      case kTime: {
        if (in.size() < 8) return Malformed();
        uint64_t bits = GetFixed64(in.data());
        in.remove_prefix(8);
        if (tag == kInt) {
          values->push_back(Value::Int64(static_cast<int64_t>(bits)));
        } else if (tag == kTime) {
          values->push_back(Value::Time(static_cast<int64_t>(bits)));
        } else {
          double d;
          std::memcpy(&d, &bits, 8);
          values->push_back(Value::Double(d));
        }
        break;
      }
      case kString: {
        uint64_t n = 0;
        if (!GetVarint(&in, &n) || n > in.size()) return Malformed();
        values->push_back(Value::String(std::string(in.substr(0, n))));
        in.remove_prefix(n);
        break;
      }
      default: return Malformed();
    }
  }
  return h;
}

}  // namespace plinth::features
