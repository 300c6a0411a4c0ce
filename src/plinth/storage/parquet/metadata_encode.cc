// Encoder of FileMetaData and the structs inside it.
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/metadata_internal.h"

namespace plinth::parquet {
namespace {

using namespace metadata_internal;  // NOLINT
using Kind = LogicalType::Kind;

void BeginStructField(ThriftCompactWriter& w, int16_t id) {
  w.WriteFieldHeader(id, CompactType::kStruct);
  w.WriteStructBegin();
}

void EndStruct(ThriftCompactWriter& w) {
  w.WriteFieldStop();
  w.WriteStructEnd();
}

void WriteEmptyStructField(ThriftCompactWriter& w, int16_t id) {
  BeginStructField(w, id);
  EndStruct(w);
}

// A list field of structs: `write_one` writes each element's fields (between begin and stop).
template <typename T, typename WriteOne>
void WriteStructList(ThriftCompactWriter& w, int16_t id, const std::vector<T>& items,
                     WriteOne&& write_one) {
  w.WriteFieldHeader(id, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, static_cast<uint32_t>(items.size()));
  for (const T& item : items) {
    w.WriteStructBegin();
    write_one(item);
    EndStruct(w);
  }
}

void WriteKeyValueList(ThriftCompactWriter& w, int16_t id, const std::vector<KeyValue>& items) {
  WriteStructList(w, id, items, [&](const KeyValue& kv) {
    w.WriteBinaryField(1, kv.key);
    if (kv.value) w.WriteBinaryField(2, *kv.value);
  });
}

void WriteTimeUnit(ThriftCompactWriter& w, int16_t id, TimeUnit unit) {
  BeginStructField(w, id);
  switch (unit) {
    case TimeUnit::kMillis: WriteEmptyStructField(w, 1); break;
    case TimeUnit::kMicros: WriteEmptyStructField(w, 2); break;
    case TimeUnit::kNanos: WriteEmptyStructField(w, 3); break;
  }
  EndStruct(w);
}

// Returns false (writing nothing) for kinds that have no wire form.
bool IsWritable(const LogicalType& t) {
  return t.kind != Kind::kNone && t.kind != Kind::kUnsupported;
}

void WriteLogicalType(ThriftCompactWriter& w, int16_t id, const LogicalType& t) {
  BeginStructField(w, id);
  switch (t.kind) {
    case Kind::kString: WriteEmptyStructField(w, 1); break;
    case Kind::kMap: WriteEmptyStructField(w, 2); break;
    case Kind::kList: WriteEmptyStructField(w, 3); break;
    case Kind::kEnum: WriteEmptyStructField(w, 4); break;
    case Kind::kDecimal:
      BeginStructField(w, 5);
      w.WriteI32Field(1, t.scale);
      w.WriteI32Field(2, t.precision);
      EndStruct(w);
      break;
    case Kind::kDate: WriteEmptyStructField(w, 6); break;
    case Kind::kTime:
    case Kind::kTimestamp:
      BeginStructField(w, t.kind == Kind::kTime ? 7 : 8);
      w.WriteBoolField(1, t.is_adjusted_to_utc);
      WriteTimeUnit(w, 2, t.unit);
      EndStruct(w);
      break;
    case Kind::kInteger:
      BeginStructField(w, 10);
      w.WriteI8Field(1, static_cast<int8_t>(t.bit_width));
      w.WriteBoolField(2, t.is_signed);
      EndStruct(w);
      break;
    case Kind::kUnknown: WriteEmptyStructField(w, 11); break;
    case Kind::kJson: WriteEmptyStructField(w, 12); break;
    case Kind::kBson: WriteEmptyStructField(w, 13); break;
    case Kind::kUuid: WriteEmptyStructField(w, 14); break;
    case Kind::kFloat16: WriteEmptyStructField(w, 15); break;
    case Kind::kVariant:
      BeginStructField(w, 16);
      if (t.variant_specification_version) w.WriteI8Field(1, *t.variant_specification_version);
      EndStruct(w);
      break;
    case Kind::kGeometry:
    case Kind::kGeography:
      BeginStructField(w, t.kind == Kind::kGeometry ? 17 : 18);
      if (t.crs) w.WriteBinaryField(1, *t.crs);
      if (t.kind == Kind::kGeography && t.edge_algorithm) w.WriteI32Field(2, *t.edge_algorithm);
      EndStruct(w);
      break;
    case Kind::kNone:
    case Kind::kUnsupported:
      break;
  }
  EndStruct(w);
}

void WriteSchemaElement(ThriftCompactWriter& w, const SchemaElement& e) {
  if (e.type) w.WriteI32Field(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.WriteI32Field(2, *e.type_length);
  if (e.repetition_type) w.WriteI32Field(3, static_cast<int32_t>(*e.repetition_type));
  w.WriteBinaryField(4, e.name);
  if (e.num_children) w.WriteI32Field(5, *e.num_children);
  if (e.converted_type) w.WriteI32Field(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.WriteI32Field(7, *e.scale);
  if (e.precision) w.WriteI32Field(8, *e.precision);
  if (e.field_id) w.WriteI32Field(9, *e.field_id);
  if (e.logical_type && IsWritable(*e.logical_type)) WriteLogicalType(w, 10, *e.logical_type);
}

void WriteColumnMetaData(ThriftCompactWriter& w, const ColumnMetaData& m) {
  w.WriteI32Field(1, static_cast<int32_t>(m.type));
  w.WriteFieldHeader(2, CompactType::kList);
  w.WriteListHeader(CompactType::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w.WriteI32(static_cast<int32_t>(e));
  w.WriteFieldHeader(3, CompactType::kList);
  w.WriteListHeader(CompactType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w.WriteBinary(p);
  w.WriteI32Field(4, static_cast<int32_t>(m.codec));
  w.WriteI64Field(5, m.num_values);
  w.WriteI64Field(6, m.total_uncompressed_size);
  w.WriteI64Field(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) WriteKeyValueList(w, 8, m.key_value_metadata);
  w.WriteI64Field(9, m.data_page_offset);
  if (m.index_page_offset) w.WriteI64Field(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.WriteI64Field(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.WriteFieldHeader(12, CompactType::kStruct);
    EncodeStatistics(w, *m.statistics);
  }
  if (!m.encoding_stats.empty()) {
    WriteStructList(w, 13, m.encoding_stats, [&](const PageEncodingStats& s) {
      w.WriteI32Field(1, static_cast<int32_t>(s.page_type));
      w.WriteI32Field(2, static_cast<int32_t>(s.encoding));
      w.WriteI32Field(3, s.count);
    });
  }
  if (m.bloom_filter_offset) w.WriteI64Field(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w.WriteI32Field(15, *m.bloom_filter_length);
}

void WriteColumnChunk(ThriftCompactWriter& w, const ColumnChunk& c) {
  if (c.file_path) w.WriteBinaryField(1, *c.file_path);
  w.WriteI64Field(2, c.file_offset);
  if (c.meta_data) {
    BeginStructField(w, 3);
    WriteColumnMetaData(w, *c.meta_data);
    EndStruct(w);
  }
  if (c.offset_index_offset) w.WriteI64Field(4, *c.offset_index_offset);
  if (c.offset_index_length) w.WriteI32Field(5, *c.offset_index_length);
  if (c.column_index_offset) w.WriteI64Field(6, *c.column_index_offset);
  if (c.column_index_length) w.WriteI32Field(7, *c.column_index_length);
}

void WriteRowGroup(ThriftCompactWriter& w, const RowGroup& g) {
  WriteStructList(w, 1, g.columns, [&](const ColumnChunk& c) { WriteColumnChunk(w, c); });
  w.WriteI64Field(2, g.total_byte_size);
  w.WriteI64Field(3, g.num_rows);
  if (!g.sorting_columns.empty()) {
    WriteStructList(w, 4, g.sorting_columns, [&](const SortingColumn& s) {
      w.WriteI32Field(1, s.column_idx);
      w.WriteBoolField(2, s.descending);
      w.WriteBoolField(3, s.nulls_first);
    });
  }
  if (g.file_offset) w.WriteI64Field(5, *g.file_offset);
  if (g.total_compressed_size) w.WriteI64Field(6, *g.total_compressed_size);
  if (g.ordinal) w.WriteI16Field(7, *g.ordinal);
}

}  // namespace

void EncodeFileMetaData(const FileMetaData& metadata, std::string* out) {
  ThriftCompactWriter w(out);
  w.WriteStructBegin();
  w.WriteI32Field(1, metadata.version);
  WriteStructList(w, 2, metadata.schema, [&](const SchemaElement& e) { WriteSchemaElement(w, e); });
  w.WriteI64Field(3, metadata.num_rows);
  WriteStructList(w, 4, metadata.row_groups, [&](const RowGroup& g) { WriteRowGroup(w, g); });
  if (!metadata.key_value_metadata.empty()) WriteKeyValueList(w, 5, metadata.key_value_metadata);
  if (metadata.created_by) w.WriteBinaryField(6, *metadata.created_by);
  if (!metadata.column_orders.empty()) {
    WriteStructList(w, 7, metadata.column_orders, [&](ColumnOrder order) {
      const auto id = static_cast<int32_t>(order);
      // An empty union (kUnset) has no member to write.
      if (id > 0 && id <= INT16_MAX) WriteEmptyStructField(w, static_cast<int16_t>(id));
    });
  }
  EndStruct(w);
}

}  // namespace plinth::parquet
