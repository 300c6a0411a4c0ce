// Helpers shared by the metadata decoder and encoder files (metadata_decode.cc,
// metadata_encode.cc, metadata_page_header.cc). Not part of the public API.
// Thread-safety: stateless functions over a caller-owned reader/writer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plinth/base/status.h"
#include "plinth/base/strings.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/thrift_compact.h"

namespace plinth::parquet::metadata_internal {

// Field names of a struct indexed by Thrift field id ("" for ids that do not exist).
using FieldNames = std::initializer_list<std::string_view>;

// Same code, message prefixed with `prefix` (joined by ": ", or directly before "[i]").
absl::Status Annotate(const absl::Status& status, std::string_view prefix);

absl::Status MissingField(std::string_view struct_name, std::string_view field);

// "<struct_name>.<name of field id>" ("<struct_name>.<field N>" for ids without a name).
std::string FieldLabel(std::string_view struct_name, FieldNames names, int16_t id);

// Checks the wire type of a field before its value is read. On a mismatch the value is skipped
// and the returned status is a "skipped field" marker (IsSkippedField): DecodeStruct then
// treats the field as absent, as Thrift does (old writers reused some field ids with other
// types, e.g. ColumnMetaData field 15 in parquet-mr 1.12 snapshots).
absl::Status ExpectType(ThriftCompactReader& r, const ThriftFieldHeader& field,
                        CompactType want);
bool IsSkippedField(const absl::Status& status);

// Field ids of a struct's required fields.
using RequiredFields = std::initializer_list<int16_t>;

// Reads a struct: ReadStructBegin, then `on_field(header)` for each field until the stop field,
// then ReadStructEnd, then checks that every id of `required` was seen. `on_field` must consume
// the value (r.Skip for fields it does not know) and check wire types with ExpectType, so a field id
// seen with an OK status was decoded; a field of the wrong wire type is skipped as absent. Errors are prefixed with "<struct_name>.<field name>".
template <typename OnField>
absl::Status DecodeStruct(ThriftCompactReader& r, std::string_view struct_name, FieldNames names,
                          RequiredFields required, OnField&& on_field) {
  if (absl::Status st = r.ReadStructBegin(); !st.ok()) return Annotate(st, struct_name);
  uint64_t seen = 0;
  while (true) {
    absl::StatusOr<ThriftFieldHeader> field = r.ReadFieldHeader();
    if (!field.ok()) return Annotate(field.status(), struct_name);
    if (field->is_stop()) break;
    absl::Status st = on_field(*field);
    if (IsSkippedField(st)) continue;
    if (!st.ok()) return Annotate(st, FieldLabel(struct_name, names, field->id));
    if (field->id >= 0 && field->id < 64) seen |= uint64_t{1} << field->id;
  }
  PLINTH_RETURN_IF_ERROR(r.ReadStructEnd());
  for (int16_t id : required) {
    if ((seen & (uint64_t{1} << id)) == 0) {
      return MissingField(struct_name, FieldLabel("", names, id).substr(1));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ReadBoolField(ThriftCompactReader& r, const ThriftFieldHeader& field);
absl::StatusOr<int8_t> ReadI8Field(ThriftCompactReader& r, const ThriftFieldHeader& field);
absl::StatusOr<int16_t> ReadI16Field(ThriftCompactReader& r, const ThriftFieldHeader& field);
absl::StatusOr<int32_t> ReadI32Field(ThriftCompactReader& r, const ThriftFieldHeader& field);
absl::StatusOr<int64_t> ReadI64Field(ThriftCompactReader& r, const ThriftFieldHeader& field);
absl::StatusOr<std::string> ReadStringField(ThriftCompactReader& r,
                                            const ThriftFieldHeader& field);
// i32/i64 fields that must not be negative (sizes, counts, offsets).
absl::StatusOr<int32_t> ReadNonNegativeI32Field(ThriftCompactReader& r,
                                                const ThriftFieldHeader& field);
absl::StatusOr<int64_t> ReadNonNegativeI64Field(ThriftCompactReader& r,
                                                const ThriftFieldHeader& field);

// Enum fields, range-checked where the set of values is closed.
absl::StatusOr<PhysicalType> ReadPhysicalTypeField(ThriftCompactReader& r,
                                                   const ThriftFieldHeader& field);
absl::StatusOr<Repetition> ReadRepetitionField(ThriftCompactReader& r,
                                               const ThriftFieldHeader& field);
absl::StatusOr<ConvertedType> ReadConvertedTypeField(ThriftCompactReader& r,
                                                     const ThriftFieldHeader& field);
absl::StatusOr<Codec> ReadCodecField(ThriftCompactReader& r, const ThriftFieldHeader& field);
absl::StatusOr<PageType> ReadPageTypeField(ThriftCompactReader& r, const ThriftFieldHeader& field);
// Any value is kept: an unknown encoding is the page decoder's to report.
absl::StatusOr<Encoding> ReadEncodingField(ThriftCompactReader& r, const ThriftFieldHeader& field);

// Reads a list field whose elements have wire type `element_type`: `read_one(T*)` decodes one
// element. Reserves no more than the remaining input can hold (and at most 1024 up front).
template <typename T, typename ReadOne>
absl::Status DecodeList(ThriftCompactReader& r, const ThriftFieldHeader& field,
                        CompactType element_type, std::vector<T>* out, ReadOne&& read_one) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kList));
  PLINTH_ASSIGN_OR_RETURN(ThriftListHeader list, r.ReadListHeader());
  const bool type_ok = list.element_type == element_type ||
                       (IsBoolType(element_type) && IsBoolType(list.element_type));
  if (list.size > 0 && !type_ok) {
    return r.Error(absl::StatusCode::kInvalidArgument, "list",
                   StrCat("expected ", CompactTypeName(element_type), " elements, found ",
                          CompactTypeName(list.element_type)));
  }
  out->clear();
  out->reserve(std::min<size_t>(list.size, 1024));
  for (uint32_t i = 0; i < list.size; ++i) {
    T value{};
    absl::Status st = read_one(&value);
    if (!st.ok()) return Annotate(st, StrCat("[", i, "]"));
    out->push_back(std::move(value));
  }
  return absl::OkStatus();
}

// A Statistics struct value (the field header has been read / must be written by the caller).
absl::Status DecodeStatistics(ThriftCompactReader& r, Statistics* out);
void EncodeStatistics(ThriftCompactWriter& w, const Statistics& stats);

}  // namespace plinth::parquet::metadata_internal
