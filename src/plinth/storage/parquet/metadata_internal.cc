#include "plinth/storage/parquet/metadata_internal.h"

#include "absl/strings/cord.h"

namespace plinth::parquet::metadata_internal {
namespace {

constexpr char kSkippedFieldPayload[] = "plinth.parquet/skipped-field";

template <typename Enum>
absl::StatusOr<Enum> ReadRangedEnum(ThriftCompactReader& r, const ThriftFieldHeader& field,
                                    std::string_view enum_name, int32_t max_value) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kI32));
  const size_t start = r.position();
  PLINTH_ASSIGN_OR_RETURN(int32_t value, r.ReadI32());
  if (value < 0 || value > max_value) {
    return absl::InvalidArgumentError(StrCat("invalid ", enum_name, " value ", value,
                                             " (valid: 0..", max_value, ") at byte offset ",
                                             start));
  }
  return static_cast<Enum>(value);
}

}  // namespace

absl::Status Annotate(const absl::Status& status, std::string_view prefix) {
  const absl::string_view raw = status.message();
  const std::string_view message(raw.data(), raw.size());
  const bool indexed = !message.empty() && message.front() == '[';
  return absl::Status(status.code(), StrCat(prefix, indexed ? "" : ": ", message));
}

absl::Status MissingField(std::string_view struct_name, std::string_view field) {
  return absl::InvalidArgumentError(
      StrCat(struct_name, ": missing required field '", field, "'"));
}

std::string FieldLabel(std::string_view struct_name, FieldNames names, int16_t id) {
  const auto index = static_cast<size_t>(id);
  if (id >= 0 && index < names.size() && !(names.begin() + index)->empty()) {
    return StrCat(struct_name, ".", *(names.begin() + index));
  }
  return StrCat(struct_name, ".<field ", id, ">");
}

absl::Status ExpectType(ThriftCompactReader& r, const ThriftFieldHeader& field,
                        CompactType want) {
  if (field.type == want || (IsBoolType(want) && IsBoolType(field.type))) return absl::OkStatus();
  PLINTH_RETURN_IF_ERROR(r.Skip(field.type));
  absl::Status skipped(absl::StatusCode::kAborted, "field skipped: wrong wire type");
  skipped.SetPayload(kSkippedFieldPayload, absl::Cord("1"));
  return skipped;
}

bool IsSkippedField(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted &&
         status.GetPayload(kSkippedFieldPayload).has_value();
}

absl::StatusOr<bool> ReadBoolField(ThriftCompactReader& r, const ThriftFieldHeader& field) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kBoolTrue));
  return r.ReadBool();
}

absl::StatusOr<int8_t> ReadI8Field(ThriftCompactReader& r, const ThriftFieldHeader& field) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kByte));
  return r.ReadI8();
}

absl::StatusOr<int16_t> ReadI16Field(ThriftCompactReader& r, const ThriftFieldHeader& field) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kI16));
  return r.ReadI16();
}

absl::StatusOr<int32_t> ReadI32Field(ThriftCompactReader& r, const ThriftFieldHeader& field) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kI32));
  return r.ReadI32();
}

absl::StatusOr<int64_t> ReadI64Field(ThriftCompactReader& r, const ThriftFieldHeader& field) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kI64));
  return r.ReadI64();
}

absl::StatusOr<std::string> ReadStringField(ThriftCompactReader& r,
                                            const ThriftFieldHeader& field) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, field, CompactType::kBinary));
  return r.ReadString();
}

absl::StatusOr<int32_t> ReadNonNegativeI32Field(ThriftCompactReader& r,
                                                const ThriftFieldHeader& field) {
  const size_t start = r.position();
  PLINTH_ASSIGN_OR_RETURN(int32_t value, ReadI32Field(r, field));
  if (value < 0) {
    return absl::InvalidArgumentError(
        StrCat("negative value ", value, " at byte offset ", start));
  }
  return value;
}

absl::StatusOr<int64_t> ReadNonNegativeI64Field(ThriftCompactReader& r,
                                                const ThriftFieldHeader& field) {
  const size_t start = r.position();
  PLINTH_ASSIGN_OR_RETURN(int64_t value, ReadI64Field(r, field));
  if (value < 0) {
    return absl::InvalidArgumentError(
        StrCat("negative value ", value, " at byte offset ", start));
  }
  return value;
}

absl::StatusOr<PhysicalType> ReadPhysicalTypeField(ThriftCompactReader& r,
                                                   const ThriftFieldHeader& field) {
  return ReadRangedEnum<PhysicalType>(r, field, "Type",
                                      static_cast<int32_t>(PhysicalType::kFixedLenByteArray));
}

absl::StatusOr<Repetition> ReadRepetitionField(ThriftCompactReader& r,
                                               const ThriftFieldHeader& field) {
  return ReadRangedEnum<Repetition>(r, field, "FieldRepetitionType",
                                    static_cast<int32_t>(Repetition::kRepeated));
}

absl::StatusOr<ConvertedType> ReadConvertedTypeField(ThriftCompactReader& r,
                                                     const ThriftFieldHeader& field) {
  // parquet.thrift: "ConvertedType is superseded by LogicalType. This enum should not be
  // extended." Values past INTERVAL are therefore invalid, not new.
  return ReadRangedEnum<ConvertedType>(r, field, "ConvertedType",
                                       static_cast<int32_t>(ConvertedType::kInterval));
}

absl::StatusOr<Codec> ReadCodecField(ThriftCompactReader& r, const ThriftFieldHeader& field) {
  return ReadRangedEnum<Codec>(r, field, "CompressionCodec",
                               static_cast<int32_t>(Codec::kLz4Raw));
}

absl::StatusOr<PageType> ReadPageTypeField(ThriftCompactReader& r,
                                           const ThriftFieldHeader& field) {
  return ReadRangedEnum<PageType>(r, field, "PageType",
                                  static_cast<int32_t>(PageType::kDataPageV2));
}

absl::StatusOr<Encoding> ReadEncodingField(ThriftCompactReader& r,
                                           const ThriftFieldHeader& field) {
  PLINTH_ASSIGN_OR_RETURN(int32_t value, ReadI32Field(r, field));
  return static_cast<Encoding>(value);
}

absl::Status DecodeStatistics(ThriftCompactReader& r, Statistics* out) {
  *out = Statistics{};
  return DecodeStruct(
      r, "Statistics",
      {"", "max", "min", "null_count", "distinct_count", "max_value", "min_value",
       "is_max_value_exact", "is_min_value_exact", "nan_count"},
      {},
      [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->max, ReadStringField(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->min, ReadStringField(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->null_count, ReadI64Field(r, f)); break; }
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->distinct_count, ReadI64Field(r, f)); break; }
          case 5: { PLINTH_ASSIGN_OR_RETURN(out->max_value, ReadStringField(r, f)); break; }
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->min_value, ReadStringField(r, f)); break; }
          case 7: { PLINTH_ASSIGN_OR_RETURN(out->is_max_value_exact, ReadBoolField(r, f)); break; }
          case 8: { PLINTH_ASSIGN_OR_RETURN(out->is_min_value_exact, ReadBoolField(r, f)); break; }
          case 9: { PLINTH_ASSIGN_OR_RETURN(out->nan_count, ReadI64Field(r, f)); break; }
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      });
}

void EncodeStatistics(ThriftCompactWriter& w, const Statistics& stats) {
  w.WriteStructBegin();
  if (stats.max) w.WriteBinaryField(1, *stats.max);
  if (stats.min) w.WriteBinaryField(2, *stats.min);
  if (stats.null_count) w.WriteI64Field(3, *stats.null_count);
  if (stats.distinct_count) w.WriteI64Field(4, *stats.distinct_count);
  if (stats.max_value) w.WriteBinaryField(5, *stats.max_value);
  if (stats.min_value) w.WriteBinaryField(6, *stats.min_value);
  if (stats.is_max_value_exact) w.WriteBoolField(7, *stats.is_max_value_exact);
  if (stats.is_min_value_exact) w.WriteBoolField(8, *stats.is_min_value_exact);
  if (stats.nan_count) w.WriteI64Field(9, *stats.nan_count);
  w.WriteFieldStop();
  w.WriteStructEnd();
}

}  // namespace plinth::parquet::metadata_internal
