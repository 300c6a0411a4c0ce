// Thrift Compact Protocol codec (the wire format of every Parquet metadata structure), written
// from the Thrift compact protocol specification.
//
// ThriftCompactReader decodes untrusted bytes: every read is bounds-checked and returns a
// Status; nothing is allocated on the strength of a length or count before that length has been
// checked against the bytes that remain. Errors are DataLoss when the input ends early and
// InvalidArgument when it is malformed; the message names what was being read and the byte
// offset. ThriftCompactWriter appends the encoding to a caller-owned std::string.
//
// Thread-safety: a reader or writer is used by one thread at a time; distinct instances are
// independent.
// Ownership: the reader borrows `data` (it must outlive the reader); the writer borrows `out`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace plinth::parquet {

// Compact protocol type ids (the low nibble of a field header, or an element type).
enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  // in a field header: a bool field whose value is true
  kBoolFalse = 2,
  kByte = 3,  // i8
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,  // binary and string
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// "i32", "struct", ... ("type(13)" for an invalid id).
std::string CompactTypeName(CompactType type);

// True for kBoolTrue and kBoolFalse (either can be a list's bool element type).
inline bool IsBoolType(CompactType type) {
  return type == CompactType::kBoolTrue || type == CompactType::kBoolFalse;
}

struct ThriftFieldHeader {
  int16_t id = 0;
  CompactType type = CompactType::kStop;  // kStop: the end of the struct (id is then 0)
  bool is_stop() const { return type == CompactType::kStop; }
};

struct ThriftListHeader {
  CompactType element_type = CompactType::kStop;
  uint32_t size = 0;
};

struct ThriftMapHeader {
  CompactType key_type = CompactType::kStop;    // kStop when size == 0
  CompactType value_type = CompactType::kStop;  // kStop when size == 0
  uint32_t size = 0;
};

class ThriftCompactReader {
 public:
  // Structs nested deeper than this (including inside skipped values) are rejected.
  static constexpr int kMaxDepth = 64;

  ThriftCompactReader(const uint8_t* data, size_t size);

  // Bytes consumed so far.
  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  // Enters a struct: field ids restart from 0. Fails past kMaxDepth.
  absl::Status ReadStructBegin();
  // Leaves the struct (call after ReadFieldHeader returned the stop field).
  absl::Status ReadStructEnd();
  // Reads the next field header (short delta form or long form with a zigzag i16 id).
  // Returns a header with type kStop at the end of the struct. A bool field carries its value
  // in the header: call ReadBool() (or Skip) next to take it.
  absl::StatusOr<ThriftFieldHeader> ReadFieldHeader();

  // A bool field's value just after its header; otherwise a list/set element byte
  // (1 = true, 0 or 2 = false).
  absl::StatusOr<bool> ReadBool();
  absl::StatusOr<int8_t> ReadI8();
  absl::StatusOr<int16_t> ReadI16();
  absl::StatusOr<int32_t> ReadI32();
  absl::StatusOr<int64_t> ReadI64();
  absl::StatusOr<double> ReadDouble();
  // Binary and string values; the length is checked against the remaining bytes.
  absl::StatusOr<std::string_view> ReadBinary();  // points into the input buffer
  absl::StatusOr<std::string> ReadString();

  // List and set headers: size * (minimum encoded size of an element) must fit in the
  // remaining bytes, so a caller may reserve `size` elements.
  absl::StatusOr<ThriftListHeader> ReadListHeader();
  absl::StatusOr<ThriftListHeader> ReadSetHeader();
  absl::StatusOr<ThriftMapHeader> ReadMapHeader();

  // Skips one value of `type` (a field's value, a list element...), nested values included.
  absl::Status Skip(CompactType type);

  // Raw unsigned varints (no zigzag). Overlong encodings (more than 5 / 10 bytes, or bits
  // beyond 32 / 64) are rejected.
  absl::StatusOr<uint32_t> ReadVarint32(std::string_view what);
  absl::StatusOr<uint64_t> ReadVarint64(std::string_view what);

  // A status of `code` whose message names `what` and the current byte offset.
  absl::Status Error(absl::StatusCode code, std::string_view what, std::string_view detail) const;

 private:
  absl::Status Truncated(std::string_view what, size_t needed) const;
  absl::StatusOr<ThriftListHeader> ReadCollectionHeader(std::string_view what);
  absl::Status SkipValue(CompactType type, int depth);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::vector<int16_t> last_field_ids_;  // one per open struct
  int16_t last_field_id_ = 0;
  int pending_bool_ = -1;  // value of the last bool field header, -1 when none
};

class ThriftCompactWriter {
 public:
  // REQUIRES: out != nullptr and outlives the writer. Bytes are appended.
  explicit ThriftCompactWriter(std::string* out);

  // Enters a struct: field ids restart from 0 (the enclosing struct's last id is kept).
  void WriteStructBegin();
  // Leaves the struct. Call WriteFieldStop() first.
  void WriteStructEnd();
  // Field header for `id`; short delta form when 0 < id - last <= 15, else the long form.
  // For bool fields use WriteBoolField.
  void WriteFieldHeader(int16_t id, CompactType type);
  void WriteFieldStop();
  void WriteBoolField(int16_t id, bool value);  // the value lives in the header

  void WriteBool(bool value);  // list/set element
  void WriteI8(int8_t value);
  void WriteI16(int16_t value);
  void WriteI32(int32_t value);
  void WriteI64(int64_t value);
  void WriteDouble(double value);
  void WriteBinary(std::string_view value);
  // For bool elements pass kBoolTrue.
  void WriteListHeader(CompactType element_type, uint32_t size);
  void WriteSetHeader(CompactType element_type, uint32_t size);
  void WriteMapHeader(CompactType key_type, CompactType value_type, uint32_t size);

  void WriteVarint(uint64_t value);

  // Field header + value in one call.
  void WriteI8Field(int16_t id, int8_t value);
  void WriteI16Field(int16_t id, int16_t value);
  void WriteI32Field(int16_t id, int32_t value);
  void WriteI64Field(int16_t id, int64_t value);
  void WriteBinaryField(int16_t id, std::string_view value);

 private:
  std::string* out_;
  std::vector<int16_t> last_field_ids_;
  int16_t last_field_id_ = 0;
};

}  // namespace plinth::parquet
