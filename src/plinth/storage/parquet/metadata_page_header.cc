// Decoder and encoder of PageHeader and the page-specific headers inside it.
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/metadata_internal.h"

namespace plinth::parquet {
namespace {

using namespace metadata_internal;  // NOLINT

absl::Status DecodeDataPageHeader(ThriftCompactReader& r, DataPageHeader* out) {
  return DecodeStruct(
      r, "DataPageHeader",
      {"", "num_values", "encoding", "definition_level_encoding", "repetition_level_encoding",
       "statistics"},
      {1, 2, 3, 4}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->num_values, ReadNonNegativeI32Field(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->encoding, ReadEncodingField(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->definition_level_encoding, ReadEncodingField(r, f)); break; }
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->repetition_level_encoding, ReadEncodingField(r, f)); break; }
          case 5:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeStatistics(r, &out->statistics.emplace());
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      });
}

absl::Status DecodeDictionaryPageHeader(ThriftCompactReader& r, DictionaryPageHeader* out) {
  return DecodeStruct(
      r, "DictionaryPageHeader", {"", "num_values", "encoding", "is_sorted"}, {1, 2},
      [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->num_values, ReadNonNegativeI32Field(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->encoding, ReadEncodingField(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->is_sorted, ReadBoolField(r, f)); break; }
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      });
}

absl::Status DecodeDataPageHeaderV2(ThriftCompactReader& r, DataPageHeaderV2* out) {
  return DecodeStruct(
      r, "DataPageHeaderV2",
      {"", "num_values", "num_nulls", "num_rows", "encoding", "definition_levels_byte_length",
       "repetition_levels_byte_length", "is_compressed", "statistics"},
      {1, 2, 3, 4, 5, 6}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->num_values, ReadNonNegativeI32Field(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->num_nulls, ReadNonNegativeI32Field(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->num_rows, ReadNonNegativeI32Field(r, f)); break; }
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->encoding, ReadEncodingField(r, f)); break; }
          case 5: { PLINTH_ASSIGN_OR_RETURN(out->definition_levels_byte_length, ReadNonNegativeI32Field(r, f)); break; }
          case 6: { PLINTH_ASSIGN_OR_RETURN(out->repetition_levels_byte_length, ReadNonNegativeI32Field(r, f)); break; }
          case 7: { PLINTH_ASSIGN_OR_RETURN(out->is_compressed, ReadBoolField(r, f)); break; }
          case 8:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeStatistics(r, &out->statistics.emplace());
          default: return r.Skip(f.type);
        }
        return absl::OkStatus();
      });
}

absl::Status DecodePageHeaderStruct(ThriftCompactReader& r, PageHeader* out) {
  return DecodeStruct(
      r, "PageHeader",
      {"", "type", "uncompressed_page_size", "compressed_page_size", "crc", "data_page_header",
       "index_page_header", "dictionary_page_header", "data_page_header_v2"},
      {1, 2, 3}, [&](const ThriftFieldHeader& f) -> absl::Status {
        switch (f.id) {
          case 1: { PLINTH_ASSIGN_OR_RETURN(out->type, ReadPageTypeField(r, f)); break; }
          case 2: { PLINTH_ASSIGN_OR_RETURN(out->uncompressed_page_size, ReadNonNegativeI32Field(r, f)); break; }
          case 3: { PLINTH_ASSIGN_OR_RETURN(out->compressed_page_size, ReadNonNegativeI32Field(r, f)); break; }
          case 4: { PLINTH_ASSIGN_OR_RETURN(out->crc, ReadI32Field(r, f)); break; }
          case 5:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeDataPageHeader(r, &out->data_page_header.emplace());
          case 7:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeDictionaryPageHeader(r, &out->dictionary_page_header.emplace());
          case 8:
            PLINTH_RETURN_IF_ERROR(ExpectType(r, f, CompactType::kStruct));
            return DecodeDataPageHeaderV2(r, &out->data_page_header_v2.emplace());
          default: return r.Skip(f.type);  // index_page_header, newer fields
        }
        return absl::OkStatus();
      });
}

// The header matching the page type must be there, and V2 levels must fit in the page.
absl::Status CheckPageHeader(const PageHeader& h) {
  auto missing = [&](std::string_view field) {
    return absl::InvalidArgumentError(StrCat("PageHeader: page type ", PageTypeName(h.type),
                                             " without ", field));
  };
  switch (h.type) {
    case PageType::kDataPage:
      if (!h.data_page_header) return missing("data_page_header");
      break;
    case PageType::kDictionaryPage:
      if (!h.dictionary_page_header) return missing("dictionary_page_header");
      break;
    case PageType::kDataPageV2: {
      if (!h.data_page_header_v2) return missing("data_page_header_v2");
      const DataPageHeaderV2& v2 = *h.data_page_header_v2;
      const int64_t levels = int64_t{v2.definition_levels_byte_length} +
                             v2.repetition_levels_byte_length;
      if (levels > h.compressed_page_size || levels > h.uncompressed_page_size) {
        return absl::InvalidArgumentError(StrCat(
            "DataPageHeaderV2: level bytes (", levels, ") exceed the page size (compressed ",
            h.compressed_page_size, ", uncompressed ", h.uncompressed_page_size, ")"));
      }
      if (v2.num_nulls > v2.num_values || v2.num_rows > v2.num_values) {
        return absl::InvalidArgumentError(StrCat("DataPageHeaderV2: num_nulls (", v2.num_nulls,
                                                 ") or num_rows (", v2.num_rows,
                                                 ") exceeds num_values (", v2.num_values, ")"));
      }
      break;
    }
    case PageType::kIndexPage:
      break;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PageHeader> DecodePageHeader(const uint8_t* data, size_t size,
                                            size_t* header_size) {
  ThriftCompactReader reader(data, size);
  PageHeader header;
  absl::Status st = DecodePageHeaderStruct(reader, &header);
  if (st.ok()) st = CheckPageHeader(header);
  if (!st.ok()) return Annotate(st, "invalid Parquet PageHeader");
  *header_size = reader.position();
  return header;
}

void EncodePageHeader(const PageHeader& header, std::string* out) {
  ThriftCompactWriter w(out);
  w.WriteStructBegin();
  w.WriteI32Field(1, static_cast<int32_t>(header.type));
  w.WriteI32Field(2, header.uncompressed_page_size);
  w.WriteI32Field(3, header.compressed_page_size);
  if (header.crc) w.WriteI32Field(4, *header.crc);
  if (const auto& h = header.data_page_header) {
    w.WriteFieldHeader(5, CompactType::kStruct);
    w.WriteStructBegin();
    w.WriteI32Field(1, h->num_values);
    w.WriteI32Field(2, static_cast<int32_t>(h->encoding));
    w.WriteI32Field(3, static_cast<int32_t>(h->definition_level_encoding));
    w.WriteI32Field(4, static_cast<int32_t>(h->repetition_level_encoding));
    if (h->statistics) {
      w.WriteFieldHeader(5, CompactType::kStruct);
      EncodeStatistics(w, *h->statistics);
    }
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  if (const auto& h = header.dictionary_page_header) {
    w.WriteFieldHeader(7, CompactType::kStruct);
    w.WriteStructBegin();
    w.WriteI32Field(1, h->num_values);
    w.WriteI32Field(2, static_cast<int32_t>(h->encoding));
    if (h->is_sorted) w.WriteBoolField(3, *h->is_sorted);
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  if (const auto& h = header.data_page_header_v2) {
    w.WriteFieldHeader(8, CompactType::kStruct);
    w.WriteStructBegin();
    w.WriteI32Field(1, h->num_values);
    w.WriteI32Field(2, h->num_nulls);
    w.WriteI32Field(3, h->num_rows);
    w.WriteI32Field(4, static_cast<int32_t>(h->encoding));
    w.WriteI32Field(5, h->definition_levels_byte_length);
    w.WriteI32Field(6, h->repetition_levels_byte_length);
    w.WriteBoolField(7, h->is_compressed);
    if (h->statistics) {
      w.WriteFieldHeader(8, CompactType::kStruct);
      EncodeStatistics(w, *h->statistics);
    }
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  w.WriteFieldStop();
  w.WriteStructEnd();
}

}  // namespace plinth::parquet
