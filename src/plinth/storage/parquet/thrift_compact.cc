// ThriftCompactReader and CompactTypeName (the writer is in thrift_compact_writer.cc).
#include "plinth/storage/parquet/thrift_compact.h"

#include <cstring>

#include "plinth/base/status.h"
#include "plinth/base/strings.h"

namespace plinth::parquet {
namespace {

bool IsValidType(uint8_t t) { return t >= 1 && t <= 12; }

// Smallest number of bytes one value of `type` occupies on the wire.
uint64_t MinEncodedSize(CompactType type) {
  return type == CompactType::kDouble ? 8 : 1;
}

int32_t ZigZagDecode32(uint32_t n) {
  return static_cast<int32_t>((n >> 1) ^ (~(n & 1) + 1));
}
int64_t ZigZagDecode64(uint64_t n) {
  return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
}

}  // namespace

std::string CompactTypeName(CompactType type) {
  switch (type) {
    case CompactType::kStop: return "stop";
    case CompactType::kBoolTrue: return "bool(true)";
    case CompactType::kBoolFalse: return "bool(false)";
    case CompactType::kByte: return "i8";
    case CompactType::kI16: return "i16";
    case CompactType::kI32: return "i32";
    case CompactType::kI64: return "i64";
    case CompactType::kDouble: return "double";
    case CompactType::kBinary: return "binary";
    case CompactType::kList: return "list";
    case CompactType::kSet: return "set";
    case CompactType::kMap: return "map";
    case CompactType::kStruct: return "struct";
  }
  return StrCat("type(", static_cast<int>(type), ")");
}

// ---------------------------------------------------------------------------------------------
// Reader

ThriftCompactReader::ThriftCompactReader(const uint8_t* data, size_t size)
    : data_(data), size_(data == nullptr ? 0 : size) {}

absl::Status ThriftCompactReader::Error(absl::StatusCode code, std::string_view what,
                                        std::string_view detail) const {
  return absl::Status(code, StrCat("thrift: ", detail, " reading ", what, " at byte offset ", pos_));
}

absl::Status ThriftCompactReader::Truncated(std::string_view what, size_t needed) const {
  return Error(absl::StatusCode::kDataLoss, what,
               StrCat("unexpected end of data (need ", needed, " bytes, ", remaining(), " left)"));
}

absl::StatusOr<uint64_t> ThriftCompactReader::ReadVarint64(std::string_view what) {
  uint64_t result = 0;
  const size_t start = pos_;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= size_) {
      pos_ = start;
      return Truncated(StrCat(what, " (varint)"), 1);
    }
    const uint8_t b = data_[pos_++];
    if (i == 9 && b > 0x01) {
      pos_ = start;
      return Error(absl::StatusCode::kInvalidArgument, what, "varint overflows 64 bits");
    }
    result |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) return result;
  }
  pos_ = start;
  return Error(absl::StatusCode::kInvalidArgument, what, "varint longer than 10 bytes");
}

absl::StatusOr<uint32_t> ThriftCompactReader::ReadVarint32(std::string_view what) {
  uint32_t result = 0;
  const size_t start = pos_;
  for (int i = 0; i < 5; ++i) {
    if (pos_ >= size_) {
      pos_ = start;
      return Truncated(StrCat(what, " (varint)"), 1);
    }
    const uint8_t b = data_[pos_++];
    if (i == 4 && b > 0x0F) {
      pos_ = start;
      return Error(absl::StatusCode::kInvalidArgument, what, "varint overflows 32 bits");
    }
    result |= static_cast<uint32_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) return result;
  }
  pos_ = start;
  return Error(absl::StatusCode::kInvalidArgument, what, "varint longer than 5 bytes");
}

absl::Status ThriftCompactReader::ReadStructBegin() {
  if (last_field_ids_.size() >= static_cast<size_t>(kMaxDepth)) {
    return Error(absl::StatusCode::kInvalidArgument, "struct",
                 StrCat("nesting deeper than ", kMaxDepth));
  }
  last_field_ids_.push_back(last_field_id_);
  last_field_id_ = 0;
  pending_bool_ = -1;
  return absl::OkStatus();
}

absl::Status ThriftCompactReader::ReadStructEnd() {
  if (last_field_ids_.empty()) {
    return Error(absl::StatusCode::kInternal, "struct end", "no struct is open");
  }
  last_field_id_ = last_field_ids_.back();
  last_field_ids_.pop_back();
  pending_bool_ = -1;
  return absl::OkStatus();
}

absl::StatusOr<ThriftFieldHeader> ThriftCompactReader::ReadFieldHeader() {
  pending_bool_ = -1;
  if (pos_ >= size_) return Truncated("field header", 1);
  const uint8_t b = data_[pos_];
  ThriftFieldHeader header;
  if (b == 0) {
    ++pos_;
    return header;  // stop
  }
  const uint8_t type = b & 0x0F;
  if (!IsValidType(type)) {
    return Error(absl::StatusCode::kInvalidArgument, "field header",
                 StrCat("invalid field type ", static_cast<int>(type)));
  }
  ++pos_;
  const int delta = b >> 4;
  if (delta != 0) {
    const int id = last_field_id_ + delta;
    if (id > INT16_MAX) {
      --pos_;
      return Error(absl::StatusCode::kInvalidArgument, "field header", "field id overflows i16");
    }
    header.id = static_cast<int16_t>(id);
  } else {
    auto id = ReadI16();
    if (!id.ok()) {
      --pos_;
      return id.status();
    }
    header.id = *id;
  }
  header.type = static_cast<CompactType>(type);
  last_field_id_ = header.id;
  if (IsBoolType(header.type)) pending_bool_ = header.type == CompactType::kBoolTrue ? 1 : 0;
  return header;
}

absl::StatusOr<bool> ThriftCompactReader::ReadBool() {
  if (pending_bool_ >= 0) {
    const bool value = pending_bool_ == 1;
    pending_bool_ = -1;
    return value;
  }
  if (pos_ >= size_) return Truncated("bool", 1);
  const uint8_t b = data_[pos_];
  if (b > 2) {
    return Error(absl::StatusCode::kInvalidArgument, "bool",
                 StrCat("invalid bool byte ", static_cast<int>(b)));
  }
  ++pos_;
  return b == 1;
}

absl::StatusOr<int8_t> ThriftCompactReader::ReadI8() {
  if (pos_ >= size_) return Truncated("i8", 1);
  return static_cast<int8_t>(data_[pos_++]);
}

absl::StatusOr<int16_t> ThriftCompactReader::ReadI16() {
  const size_t start = pos_;
  PLINTH_ASSIGN_OR_RETURN(uint32_t raw, ReadVarint32("i16"));
  if (raw > 0xFFFF) {
    pos_ = start;
    return Error(absl::StatusCode::kInvalidArgument, "i16", "value out of i16 range");
  }
  return static_cast<int16_t>(ZigZagDecode32(raw));
}

absl::StatusOr<int32_t> ThriftCompactReader::ReadI32() {
  PLINTH_ASSIGN_OR_RETURN(uint32_t raw, ReadVarint32("i32"));
  return ZigZagDecode32(raw);
}

absl::StatusOr<int64_t> ThriftCompactReader::ReadI64() {
  PLINTH_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint64("i64"));
  return ZigZagDecode64(raw);
}

absl::StatusOr<double> ThriftCompactReader::ReadDouble() {
  if (remaining() < 8) return Truncated("double", 8);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  pos_ += 8;
  double value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

absl::StatusOr<std::string_view> ThriftCompactReader::ReadBinary() {
  const size_t start = pos_;
  PLINTH_ASSIGN_OR_RETURN(uint32_t length, ReadVarint32("binary length"));
  if (length > remaining()) {
    absl::Status st = Truncated("binary", length);
    pos_ = start;
    return st;
  }
  std::string_view value(reinterpret_cast<const char*>(data_ + pos_), length);
  pos_ += length;
  return value;
}

absl::StatusOr<std::string> ThriftCompactReader::ReadString() {
  PLINTH_ASSIGN_OR_RETURN(std::string_view value, ReadBinary());
  return std::string(value);
}

absl::StatusOr<ThriftListHeader> ThriftCompactReader::ReadCollectionHeader(std::string_view what) {
  const size_t start = pos_;
  if (pos_ >= size_) return Truncated(what, 1);
  const uint8_t b = data_[pos_++];
  ThriftListHeader header;
  const uint8_t type = b & 0x0F;
  header.size = b >> 4;
  if (header.size == 15) {
    auto size = ReadVarint32(StrCat(what, " size"));
    if (!size.ok()) {
      pos_ = start;
      return size.status();
    }
    header.size = *size;
  }
  if (!IsValidType(type)) {
    if (header.size != 0) {
      pos_ = start;
      return Error(absl::StatusCode::kInvalidArgument, what,
                   StrCat("invalid element type ", static_cast<int>(type)));
    }
    header.element_type = CompactType::kStop;
    return header;
  }
  header.element_type = static_cast<CompactType>(type);
  const uint64_t needed = static_cast<uint64_t>(header.size) * MinEncodedSize(header.element_type);
  if (needed > remaining()) {
    pos_ = start;
    return Error(absl::StatusCode::kDataLoss, what,
                 StrCat(header.size, " elements of ", CompactTypeName(header.element_type),
                        " cannot fit in the ", size_ - start, " bytes left"));
  }
  return header;
}

absl::StatusOr<ThriftListHeader> ThriftCompactReader::ReadListHeader() {
  return ReadCollectionHeader("list header");
}

absl::StatusOr<ThriftListHeader> ThriftCompactReader::ReadSetHeader() {
  return ReadCollectionHeader("set header");
}

absl::StatusOr<ThriftMapHeader> ThriftCompactReader::ReadMapHeader() {
  const size_t start = pos_;
  PLINTH_ASSIGN_OR_RETURN(uint32_t size, ReadVarint32("map size"));
  ThriftMapHeader header;
  header.size = size;
  if (size == 0) return header;
  if (pos_ >= size_) {
    absl::Status st = Truncated("map key/value types", 1);
    pos_ = start;
    return st;
  }
  const uint8_t b = data_[pos_];
  const uint8_t key = b >> 4;
  const uint8_t value = b & 0x0F;
  if (!IsValidType(key) || !IsValidType(value)) {
    absl::Status st = Error(absl::StatusCode::kInvalidArgument, "map header",
                            StrCat("invalid key/value types byte ", static_cast<int>(b)));
    pos_ = start;
    return st;
  }
  ++pos_;
  header.key_type = static_cast<CompactType>(key);
  header.value_type = static_cast<CompactType>(value);
  const uint64_t needed = static_cast<uint64_t>(size) *
                          (MinEncodedSize(header.key_type) + MinEncodedSize(header.value_type));
  if (needed > remaining()) {
    pos_ = start;
    return Error(absl::StatusCode::kDataLoss, "map header",
                 StrCat(size, " entries cannot fit in the ", size_ - start, " bytes left"));
  }
  return header;
}

absl::Status ThriftCompactReader::Skip(CompactType type) {
  return SkipValue(type, static_cast<int>(last_field_ids_.size()));
}

absl::Status ThriftCompactReader::SkipValue(CompactType type, int depth) {
  if (depth >= kMaxDepth) {
    return Error(absl::StatusCode::kInvalidArgument, CompactTypeName(type),
                 StrCat("nesting deeper than ", kMaxDepth));
  }
  switch (type) {
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      return ReadBool().status();
    case CompactType::kByte:
      return ReadI8().status();
    case CompactType::kI16:
      return ReadI16().status();
    case CompactType::kI32:
      return ReadI32().status();
    case CompactType::kI64:
      return ReadI64().status();
    case CompactType::kDouble:
      return ReadDouble().status();
    case CompactType::kBinary:
      return ReadBinary().status();
    case CompactType::kList:
    case CompactType::kSet: {
      PLINTH_ASSIGN_OR_RETURN(ThriftListHeader list, ReadCollectionHeader("list header"));
      for (uint32_t i = 0; i < list.size; ++i) {
        PLINTH_RETURN_IF_ERROR(SkipValue(list.element_type, depth + 1));
      }
      return absl::OkStatus();
    }
    case CompactType::kMap: {
      PLINTH_ASSIGN_OR_RETURN(ThriftMapHeader map, ReadMapHeader());
      for (uint32_t i = 0; i < map.size; ++i) {
        PLINTH_RETURN_IF_ERROR(SkipValue(map.key_type, depth + 1));
        PLINTH_RETURN_IF_ERROR(SkipValue(map.value_type, depth + 1));
      }
      return absl::OkStatus();
    }
    case CompactType::kStruct: {
      PLINTH_RETURN_IF_ERROR(ReadStructBegin());
      while (true) {
        PLINTH_ASSIGN_OR_RETURN(ThriftFieldHeader field, ReadFieldHeader());
        if (field.is_stop()) break;
        PLINTH_RETURN_IF_ERROR(SkipValue(field.type, depth + 1));
      }
      return ReadStructEnd();
    }
    case CompactType::kStop:
      break;
  }
  return Error(absl::StatusCode::kInvalidArgument, "value",
               StrCat("cannot skip a value of ", CompactTypeName(type)));
}

}  // namespace plinth::parquet
