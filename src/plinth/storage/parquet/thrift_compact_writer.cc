// ThriftCompactWriter (see thrift_compact.h).
#include "plinth/storage/parquet/thrift_compact.h"

#include <cstring>

namespace plinth::parquet {
namespace {

uint32_t ZigZagEncode32(int32_t n) {
  return (static_cast<uint32_t>(n) << 1) ^ static_cast<uint32_t>(n >> 31);
}
uint64_t ZigZagEncode64(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}

}  // namespace

ThriftCompactWriter::ThriftCompactWriter(std::string* out) : out_(out) {}

void ThriftCompactWriter::WriteStructBegin() {
  last_field_ids_.push_back(last_field_id_);
  last_field_id_ = 0;
}

void ThriftCompactWriter::WriteStructEnd() {
  if (last_field_ids_.empty()) return;
  last_field_id_ = last_field_ids_.back();
  last_field_ids_.pop_back();
}

void ThriftCompactWriter::WriteFieldHeader(int16_t id, CompactType type) {
  const int delta = static_cast<int>(id) - last_field_id_;
  const auto t = static_cast<uint8_t>(type);
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | t));
  } else {
    out_->push_back(static_cast<char>(t));
    WriteI16(id);
  }
  last_field_id_ = id;
}

void ThriftCompactWriter::WriteFieldStop() { out_->push_back('\0'); }

void ThriftCompactWriter::WriteBoolField(int16_t id, bool value) {
  WriteFieldHeader(id, value ? CompactType::kBoolTrue : CompactType::kBoolFalse);
}

void ThriftCompactWriter::WriteBool(bool value) { out_->push_back(value ? 1 : 2); }

void ThriftCompactWriter::WriteI8(int8_t value) { out_->push_back(static_cast<char>(value)); }

void ThriftCompactWriter::WriteI16(int16_t value) { WriteVarint(ZigZagEncode32(value)); }

void ThriftCompactWriter::WriteI32(int32_t value) { WriteVarint(ZigZagEncode32(value)); }

void ThriftCompactWriter::WriteI64(int64_t value) { WriteVarint(ZigZagEncode64(value)); }

void ThriftCompactWriter::WriteDouble(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void ThriftCompactWriter::WriteBinary(std::string_view value) {
  WriteVarint(value.size());
  out_->append(value.data(), value.size());
}

void ThriftCompactWriter::WriteListHeader(CompactType element_type, uint32_t size) {
  const auto t = static_cast<uint8_t>(element_type);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | t));
  } else {
    out_->push_back(static_cast<char>(0xF0 | t));
    WriteVarint(size);
  }
}

void ThriftCompactWriter::WriteSetHeader(CompactType element_type, uint32_t size) {
  WriteListHeader(element_type, size);
}

void ThriftCompactWriter::WriteMapHeader(CompactType key_type, CompactType value_type,
                                         uint32_t size) {
  WriteVarint(size);
  if (size == 0) return;
  out_->push_back(
      static_cast<char>((static_cast<uint8_t>(key_type) << 4) | static_cast<uint8_t>(value_type)));
}

void ThriftCompactWriter::WriteVarint(uint64_t value) {
  while (value >= 0x80) {
    out_->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out_->push_back(static_cast<char>(value));
}

void ThriftCompactWriter::WriteI8Field(int16_t id, int8_t value) {
  WriteFieldHeader(id, CompactType::kByte);
  WriteI8(value);
}

void ThriftCompactWriter::WriteI16Field(int16_t id, int16_t value) {
  WriteFieldHeader(id, CompactType::kI16);
  WriteI16(value);
}

void ThriftCompactWriter::WriteI32Field(int16_t id, int32_t value) {
  WriteFieldHeader(id, CompactType::kI32);
  WriteI32(value);
}

void ThriftCompactWriter::WriteI64Field(int16_t id, int64_t value) {
  WriteFieldHeader(id, CompactType::kI64);
  WriteI64(value);
}

void ThriftCompactWriter::WriteBinaryField(int16_t id, std::string_view value) {
  WriteFieldHeader(id, CompactType::kBinary);
  WriteBinary(value);
}

}  // namespace plinth::parquet
