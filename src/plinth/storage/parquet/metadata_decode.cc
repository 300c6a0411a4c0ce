// Decoder of FileMetaData and the structs inside it (see metadata.h for the rules).
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/metadata_internal.h"

namespace plinth::parquet {
namespace {

using namespace metadata_internal;  // NOLINT
using Kind = LogicalType::Kind;

absl::Status TooManyMembers(std::string_view union_name) {
  return absl::InvalidArgumentError(StrCat(union_name, ": union has more than one member set"));
}

// A union member that is an empty struct (its contents, if any, are skipped).
absl::Status SkipStructMember(ThriftCompactReader& r, const ThriftFieldHeader& f) {
  PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
  return r.Skip(f.type);
}

// TimeUnit union. *known is false for a member this code does not know (or an empty union).
absl::Status DecodeTimeUnit(ThriftCompactReader& r, TimeUnit* unit, bool* known) {
  *known = false;
  int members = 0;
  return DecodeStruct(r, "TimeUnit", {"", "MILLIS", "MICROS", "NANOS"}, {},
                      [&](const ThriftFieldHeader& f) -> absl::Status {
                        if (++members > 1) return TooManyMembers("TimeUnit");
                        if (f.id < 1 || f.id > 3) return r.Skip(f.type);
                        PLINTH_RETURN_IF_ERROR(SkipStructMember(r, f));
                        static constexpr TimeUnit kUnits[] = {TimeUnit::kMillis, TimeUnit::kMicros,
                                                              TimeUnit::kNanos};
                        *unit = kUnits[f.id - 1];
                        *known = true;
                        return absl::OkStatus();
                      });
}

// TimeType and TimestampType have the same fields.
absl::Status DecodeTimeOrTimestamp(ThriftCompactReader& r, std::string_view name,
                                   LogicalType* out) {
  bool unit_known = false;
  PLINTH_RETURN_IF_ERROR(DecodeStruct(
      r, name, {"", "isAdjustedToUTC", "unit"}, {1, 2},
      [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: {
            PLINTH_ASSIGN_OR_RETURN(out->is_adjusted_to_utc, ReadBoolField(r, f));
            return absl::OkStatus();
          }
          case 2:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeTimeUnit(r, &out->unit, &unit_known);
          default: return r.Skip(f.type);
        }
      }));
  if (!unit_known) {
    *out = LogicalType();
    out->kind = Kind::kUnsupported;
  }
  return absl::OkStatus();
}

absl::Status DecodeLogicalTypeMember(ThriftCompactReader& r, const ThriftFieldHeader& f,
                                     LogicalType* out) {
  auto empty = [&](Kind kind) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(SkipStructMember(r, f));
    out->kind = kind;
    return absl::OkStatus();
  };
  switch (f.id) {
    case 1: return empty(Kind::kString);
    case 2: return empty(Kind::kMap);
    case 3: return empty(Kind::kList);
    case 4: return empty(Kind::kEnum);
    case 6: return empty(Kind::kDate);
    case 11: return empty(Kind::kUnknown);
    case 12: return empty(Kind::kJson);
    case 13: return empty(Kind::kBson);
    case 14: return empty(Kind::kUuid);
    case 15: return empty(Kind::kFloat16);
    default: break;
  }
  switch (f.id) {
    case 5:
      PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
      out->kind = Kind::kDecimal;
      return DecodeStruct(r, "DecimalType", {"", "scale", "precision"}, {1, 2},
                          [&](const ThriftFieldHeader& g) -> absl::Status {
                            if (g.id == 1) {
                              PLINTH_ASSIGN_OR_RETURN(out->scale, ReadI32Field(r, g));
                            } else if (g.id == 2) {
                              PLINTH_ASSIGN_OR_RETURN(out->precision, ReadI32Field(r, g));
                            } else {
                              return r.Skip(g.type);
                            }
                            return absl::OkStatus();
                          });
    case 7:
    case 8:
      PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
      out->kind = f.id == 7 ? Kind::kTime : Kind::kTimestamp;
      return DecodeTimeOrTimestamp(r, f.id == 7 ? "TimeType" : "TimestampType", out);
    case 10:
      PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
      out->kind = Kind::kInteger;
      return DecodeStruct(r, "IntType", {"", "bitWidth", "isSigned"}, {1, 2},
                          [&](const ThriftFieldHeader& g) -> absl::Status {
                            if (g.id == 1) {
                              PLINTH_ASSIGN_OR_RETURN(out->bit_width, ReadI8Field(r, g));
                            } else if (g.id == 2) {
                              PLINTH_ASSIGN_OR_RETURN(out->is_signed, ReadBoolField(r, g));
                            } else {
                              return r.Skip(g.type);
                            }
                            return absl::OkStatus();
                          });
    case 16:
      PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
      out->kind = Kind::kVariant;
      return DecodeStruct(r, "VariantType", {"", "specification_version"}, {},
                          [&](const ThriftFieldHeader& g) -> absl::Status {
                            if (g.id != 1) return r.Skip(g.type);
                            PLINTH_ASSIGN_OR_RETURN(out->variant_specification_version,
                                                    ReadI8Field(r, g));
                            return absl::OkStatus();
                          });
    case 17:
    case 18:
      PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
      out->kind = f.id == 17 ? Kind::kGeometry : Kind::kGeography;
      return DecodeStruct(r, f.id == 17 ? "GeometryType" : "GeographyType",
                          {"", "crs", "algorithm"}, {},
                          [&](const ThriftFieldHeader& g) -> absl::Status {
                            if (g.id == 1) {
                              PLINTH_ASSIGN_OR_RETURN(out->crs, ReadStringField(r, g));
                            } else if (g.id == 2 && out->kind == Kind::kGeography) {
                              PLINTH_ASSIGN_OR_RETURN(out->edge_algorithm, ReadI32Field(r, g));
                            } else {
                              return r.Skip(g.type);
                            }
                            return absl::OkStatus();
                          });
    default:
      // A newer logical type: the column reads as its physical/converted type.
      out->kind = Kind::kUnsupported;
      return r.Skip(f.type);
  }
}

absl::Status DecodeLogicalType(ThriftCompactReader& r, LogicalType* out) {
  *out = LogicalType();
  out->kind = Kind::kUnsupported;  // stays so for an empty union
  int members = 0;
  return DecodeStruct(
      r, "LogicalType",
      {"", "STRING", "MAP", "LIST", "ENUM", "DECIMAL", "DATE", "TIME", "TIMESTAMP", "",
       "INTEGER", "UNKNOWN", "JSON", "BSON", "UUID", "FLOAT16", "VARIANT", "GEOMETRY",
       "GEOGRAPHY"},
      {}, [&](const ThriftFieldHeader& f) -> absl::Status {
        if (++members > 1) return TooManyMembers("LogicalType");
        return DecodeLogicalTypeMember(r, f, out);
      });
}

absl::Status DecodeSchemaElement(ThriftCompactReader& r, SchemaElement* out) {
  return DecodeStruct(
      r, "SchemaElement",
      {"", "type", "type_length", "repetition_type", "name", "num_children", "converted_type",
       "scale", "precision", "field_id", "logicalType"},
      {4}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->type, ReadPhysicalTypeField(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->type_length, ReadNonNegativeI32Field(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->repetition_type, ReadRepetitionField(r, f)); break; }
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->name, ReadStringField(r, f)); break; }
          case 5: { PLINTH_ASSIGN_OR_RETURN(out->num_children, ReadNonNegativeI32Field(r, f)); break; }
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->converted_type, ReadConvertedTypeField(r, f)); break; }
          case 7: { PLINTH_ASSIGN_OR_RETURN(out->scale, ReadI32Field(r, f)); break; }
          case 8: { PLINTH_ASSIGN_OR_RETURN(out->precision, ReadI32Field(r, f)); break; }
          case 9: { PLINTH_ASSIGN_OR_RETURN(out->field_id, ReadI32Field(r, f)); break; }
          case 10:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeLogicalType(r, &out->logical_type.emplace());
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      });
}

absl::Status DecodeKeyValue(ThriftCompactReader& r, KeyValue* out) {
  return DecodeStruct(r, "KeyValue", {"", "key", "value"}, {1},
                      [&](const ThriftFieldHeader& f) -> absl::Status {
                        switch (f.id) {
                          case 1: { PLINTH_ASSIGN_OR_RETURN(out->key, ReadStringField(r, f)); break; }
                          case 2: { PLINTH_ASSIGN_OR_RETURN(out->value, ReadStringField(r, f)); break; }
                          default: return r.Skip(f.type);
                        }
                        return absl::OkStatus();
                      });
}

absl::Status DecodeKeyValueList(ThriftCompactReader& r, const ThriftFieldHeader& f,
                                std::vector<KeyValue>* out) {
  return DecodeList(r, f, CompactType::kStruct, out,
                    [&](KeyValue* kv) { return DecodeKeyValue(r, kv); });
}

absl::Status DecodePageEncodingStats(ThriftCompactReader& r, PageEncodingStats* out) {
  return DecodeStruct(r, "PageEncodingStats", {"", "page_type", "encoding", "count"}, {1, 2, 3},
                      [&](const ThriftFieldHeader& f) -> absl::Status {
                        switch (f.id) {
                          case 1: { PLINTH_ASSIGN_OR_RETURN(out->page_type, ReadPageTypeField(r, f)); break; }
                          case 2: { PLINTH_ASSIGN_OR_RETURN(out->encoding, ReadEncodingField(r, f)); break; }
                          case 3: { PLINTH_ASSIGN_OR_RETURN(out->count, ReadI32Field(r, f)); break; }
                          default: return r.Skip(f.type);
                        }
                        return absl::OkStatus();
                      });
}

absl::Status DecodeSortingColumn(ThriftCompactReader& r, SortingColumn* out) {
  return DecodeStruct(r, "SortingColumn", {"", "column_idx", "descending", "nulls_first"},
                      {1, 2, 3}, [&](const ThriftFieldHeader& f) -> absl::Status {
                        switch (f.id) {
                          case 1: { PLINTH_ASSIGN_OR_RETURN(out->column_idx, ReadI32Field(r, f)); break; }
                          case 2: { PLINTH_ASSIGN_OR_RETURN(out->descending, ReadBoolField(r, f)); break; }
                          case 3: { PLINTH_ASSIGN_OR_RETURN(out->nulls_first, ReadBoolField(r, f)); break; }
                          default: return r.Skip(f.type);
                        }
                        return absl::OkStatus();
                      });
}

absl::Status DecodeColumnMetaData(ThriftCompactReader& r, ColumnMetaData* out) {
  return DecodeStruct(
      r, "ColumnMetaData",
      {"", "type", "encodings", "path_in_schema", "codec", "num_values",
       "total_uncompressed_size", "total_compressed_size", "key_value_metadata",
       "data_page_offset", "index_page_offset", "dictionary_page_offset", "statistics",
       "encoding_stats", "bloom_filter_offset", "bloom_filter_length"},
      {1, 2, 3, 4, 5, 6, 7, 9}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->type, ReadPhysicalTypeField(r, f)); break; }
          case 2:
            return DecodeList(r, f, CompactType::kI32, &out->encodings, [&](Encoding* e) {
              PLINTH_ASSIGN_OR_RETURN(int32_t v, r.ReadI32());
              *e = static_cast<Encoding>(v);
              return absl::OkStatus();
            });
          case 3:
            return DecodeList(r, f, CompactType::kBinary, &out->path_in_schema,
                              [&](std::string* s) {
                                PLINTH_ASSIGN_OR_RETURN(*s, r.ReadString());
                                return absl::OkStatus();
                              });
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->codec, ReadCodecField(r, f)); break; }
          case 5: { PLINTH_ASSIGN_OR_RETURN(out->num_values, ReadNonNegativeI64Field(r, f)); break; }
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->total_uncompressed_size, ReadNonNegativeI64Field(r, f)); break; }
          case 7: { PLINTH_ASSIGN_OR_RETURN(out->total_compressed_size, ReadNonNegativeI64Field(r, f)); break; }
          case 8: return DecodeKeyValueList(r, f, &out->key_value_metadata);
          case 9: { PLINTH_ASSIGN_OR_RETURN(out->data_page_offset, ReadNonNegativeI64Field(r, f)); break; }
          case 10: { PLINTH_ASSIGN_OR_RETURN(out->index_page_offset, ReadI64Field(r, f)); break; }
          case 11: { PLINTH_ASSIGN_OR_RETURN(out->dictionary_page_offset, ReadNonNegativeI64Field(r, f)); break; }
          case 12:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeStatistics(r, &out->statistics.emplace());
          case 13:
            return DecodeList(r, f, CompactType::kStruct, &out->encoding_stats,
                              [&](PageEncodingStats* s) { return DecodePageEncodingStats(r, s); });
          case 14: { PLINTH_ASSIGN_OR_RETURN(out->bloom_filter_offset, ReadI64Field(r, f)); break; }
          case 15: { PLINTH_ASSIGN_OR_RETURN(out->bloom_filter_length, ReadI32Field(r, f)); break; }
          default: return r.Skip(f.type);  // size_statistics, geospatial_statistics, newer
        }
        return absl::OkStatus();
      });
}

absl::Status DecodeColumnChunk(ThriftCompactReader& r, ColumnChunk* out) {
  bool encrypted = false;
  PLINTH_RETURN_IF_ERROR(DecodeStruct(
      r, "ColumnChunk",
      {"", "file_path", "file_offset", "meta_data", "offset_index_offset", "offset_index_length",
       "column_index_offset", "column_index_length"},
      {2}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->file_path, ReadStringField(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->file_offset, ReadI64Field(r, f)); break; }
          case 3:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeColumnMetaData(r, &out->meta_data.emplace());
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->offset_index_offset, ReadI64Field(r, f)); break; }
          case 5: { PLINTH_ASSIGN_OR_RETURN(out->offset_index_length, ReadI32Field(r, f)); break; }
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->column_index_offset, ReadI64Field(r, f)); break; }
          case 7: { PLINTH_ASSIGN_OR_RETURN(out->column_index_length, ReadI32Field(r, f)); break; }
          case 8:  // crypto_metadata
          case 9:  // encrypted_column_metadata
            encrypted = true;
            return r.Skip(f.type);
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      }));
  // Optional in parquet.thrift, but writers MUST set it and readers need it. Requiring it also
  // bounds memory: a ColumnChunk without it is 3 bytes on the wire for ~500 bytes in memory.
  if (!out->meta_data) {
    if (encrypted) {
      return absl::UnimplementedError(
          "ColumnChunk: encrypted column metadata is not supported");
    }
    return MissingField("ColumnChunk", "meta_data");
  }
  return absl::OkStatus();
}

absl::Status DecodeRowGroup(ThriftCompactReader& r, RowGroup* out) {
  return DecodeStruct(
      r, "RowGroup",
      {"", "columns", "total_byte_size", "num_rows", "sorting_columns", "file_offset",
       "total_compressed_size", "ordinal"},
      {1, 2, 3}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1:
            return DecodeList(r, f, CompactType::kStruct, &out->columns,
                              [&](ColumnChunk* c) { return DecodeColumnChunk(r, c); });
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->total_byte_size, ReadI64Field(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->num_rows, ReadNonNegativeI64Field(r, f)); break; }
          case 4:
            return DecodeList(r, f, CompactType::kStruct, &out->sorting_columns,
                              [&](SortingColumn* c) { return DecodeSortingColumn(r, c); });
          case 5: { PLINTH_ASSIGN_OR_RETURN(out->file_offset, ReadI64Field(r, f)); break; }
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->total_compressed_size, ReadI64Field(r, f)); break; }
          case 7: { PLINTH_ASSIGN_OR_RETURN(out->ordinal, ReadI16Field(r, f)); break; }
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      });
}

absl::Status DecodeColumnOrder(ThriftCompactReader& r, ColumnOrder* out) {
  *out = ColumnOrder::kUnset;
  int members = 0;
  return DecodeStruct(r, "ColumnOrder",
                      {"", "TYPE_ORDER", "IEEE_754_TOTAL_ORDER", "INT96_TIMESTAMP_ORDER"}, {},
                      [&](const ThriftFieldHeader& f) -> absl::Status {
                        if (++members > 1) return TooManyMembers("ColumnOrder");
                        if (f.id <= 0) return r.Skip(f.type);
                        PLINTH_RETURN_IF_ERROR(SkipStructMember(r, f));
                        // Unknown members are kept by id: readers then ignore min/max.
                        *out = static_cast<ColumnOrder>(f.id);
                        return absl::OkStatus();
                      });
}

absl::Status DecodeFileMetaDataStruct(ThriftCompactReader& r, FileMetaData* out) {
  return DecodeStruct(
      r, "FileMetaData",
      {"", "version", "schema", "num_rows", "row_groups", "key_value_metadata", "created_by",
       "column_orders"},
      {1, 2, 3, 4}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->version, ReadI32Field(r, f)); break; }
          case 2:
            return DecodeList(r, f, CompactType::kStruct, &out->schema,
                              [&](SchemaElement* e) { return DecodeSchemaElement(r, e); });
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->num_rows, ReadNonNegativeI64Field(r, f)); break; }
          case 4:
            return DecodeList(r, f, CompactType::kStruct, &out->row_groups,
                              [&](RowGroup* g) { return DecodeRowGroup(r, g); });
          case 5: return DecodeKeyValueList(r, f, &out->key_value_metadata);
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->created_by, ReadStringField(r, f)); break; }
          case 7:
            return DecodeList(r, f, CompactType::kStruct, &out->column_orders,
                              [&](ColumnOrder* o) { return DecodeColumnOrder(r, o); });
          default: return r.Skip(f.type);  // encryption_algorithm, footer_signing_key_metadata
        }
        return absl::OkStatus();
      });
}

}  // namespace

absl::StatusOr<FileMetaData> DecodeFileMetaData(const uint8_t* data, size_t size) {
  ThriftCompactReader reader(data, size);
  FileMetaData metadata;
  absl::Status st = DecodeFileMetaDataStruct(reader, &metadata);
  if (!st.ok()) return Annotate(st, "invalid Parquet FileMetaData");
  return metadata;
}

}  // namespace plinth::parquet
