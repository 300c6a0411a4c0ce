// Writes the seed files of fuzz/corpus/parquet_reader: tiny Parquet files (< 4 KB each) from
// Plinth's own writer (flat columns of every type, several codecs, pages and row groups, with
// and without dictionaries and CRCs) plus hand-assembled files for what the writer does not
// produce (a nested list column, data page v2, DELTA_*, BYTE_STREAM_SPLIT and RLE boolean
// encodings). Usage, from the repository root after building the fuzz tree:
//   build-fuzz/fuzz/make_parquet_seeds fuzz/corpus/parquet_reader
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "plinth/storage/columnar/value.h"
#include "plinth/storage/parquet/byte_stream_split.h"
#include "plinth/storage/parquet/delta_binary_packed.h"
#include "plinth/storage/parquet/delta_byte_array.h"
#include "plinth/storage/parquet/file_writer.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/rle.h"

using namespace plinth;           // NOLINT
using namespace plinth::parquet;  // NOLINT
namespace col = plinth::columnar;

namespace {

std::string g_dir;

void Save(const std::string& name, const std::string& bytes) {
  std::string path = g_dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
}

// ---- Files from ParquetWriter ----

col::RecordBatch FlatBatch(const col::Schema& schema, int rows) {
  col::RecordBatch b(std::make_shared<const col::Schema>(schema));
  for (size_t i = 0; i < schema.size(); ++i) {
    const col::Field& f = schema.field(i);
    col::Column& c = b.columns[i];
    for (int r = 0; r < rows; ++r) {
      if (f.nullable && r % 5 == 3) {
        c.AppendNull();
        continue;
      }
      col::Value v(f.type);
      v.is_null = false;
      v.i = (r * 7919) % 23 - 11;
      v.d = r * 0.5 - 3;
      v.dec = v.i * 1001;
      v.s = std::string(1 + r % 3, static_cast<char>('a' + r % 4));
      if (f.type.id == col::TypeId::kBool) v.i = r % 3 == 0;
      if (f.type.id == col::TypeId::kUInt8 || f.type.id == col::TypeId::kUInt32) v.i = r * 13;
      if (f.type.id == col::TypeId::kFixedBinary) v.s.resize(static_cast<size_t>(f.type.byte_width), 'z');
      if (f.type.id == col::TypeId::kUuid) v.s.resize(16, 'u');
      col::AppendValue(v, &c);
    }
  }
  b.num_rows = rows;
  return b;
}

std::string WriteFlat(const std::string& schema_text, int rows, const WriterOptions& options) {
  auto schema = col::Schema::Parse(schema_text);
  if (!schema.ok()) {
    std::fprintf(stderr, "schema: %s\n", std::string(schema.status().message()).c_str());
    std::exit(1);
  }
  std::string bytes;
  auto w = ParquetWriter::Create(NewMemoryOutputFile(&bytes), *schema, options);
  absl::Status st = w.ok() ? (*w)->Write(FlatBatch(*schema, rows)) : w.status();
  if (st.ok()) st = (*w)->Close();
  if (!st.ok()) {
    std::fprintf(stderr, "write: %s\n", std::string(st.message()).c_str());
    std::exit(1);
  }
  return bytes;
}

// ---- Hand-assembled files ----

struct Page {
  PageHeader header;
  std::string body;
};

SchemaElement Leaf(const std::string& name, PhysicalType t, Repetition rep) {
  SchemaElement e;
  e.name = name;
  e.type = t;
  e.repetition_type = rep;
  return e;
}

SchemaElement Group(const std::string& name, int children, std::optional<Repetition> rep) {
  SchemaElement e;
  e.name = name;
  e.num_children = children;
  e.repetition_type = rep;
  return e;
}

Page DataPageV1(int32_t n, Encoding enc, const std::string& levels_and_values) {
  Page p;
  p.header.type = PageType::kDataPage;
  p.header.data_page_header = DataPageHeader{n, enc, Encoding::kRle, Encoding::kRle, std::nullopt};
  p.body = levels_and_values;
  return p;
}

Page DataPageV2(int32_t n, int32_t nulls, int32_t rows, Encoding enc, const std::string& rep,
                const std::string& def, const std::string& values) {
  Page p;
  p.header.type = PageType::kDataPageV2;
  DataPageHeaderV2 h;
  h.num_values = n;
  h.num_nulls = nulls;
  h.num_rows = rows;
  h.encoding = enc;
  h.definition_levels_byte_length = static_cast<int32_t>(def.size());
  h.repetition_levels_byte_length = static_cast<int32_t>(rep.size());
  h.is_compressed = false;
  p.header.data_page_header_v2 = h;
  p.body = rep + def + values;
  return p;
}

// RLE/bit-packed levels, with the 4-byte length prefix of v1 pages when `prefixed`.
std::string Levels(const std::vector<uint32_t>& levels, int bit_width, bool prefixed) {
  RleBitPackedEncoder enc(bit_width);
  enc.PutBatch(levels.data(), levels.size());
  std::string runs = enc.Finish();
  if (!prefixed) return runs;
  std::string out(4, '\0');
  uint32_t n = static_cast<uint32_t>(runs.size());
  std::memcpy(out.data(), &n, 4);
  return out + runs;
}

std::string PlainInt32(const std::vector<int32_t>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

// One row group; `chunks[i]` are the pages of leaf i. Pages get sizes and CRCs filled in.
std::string Assemble(const std::vector<SchemaElement>& schema, const std::vector<std::vector<Page>>& chunks,
                     const std::vector<std::vector<std::string>>& paths, const std::vector<PhysicalType>& types,
                     int64_t rows) {
  std::string file = "PAR1";
  FileMetaData meta;
  meta.schema = schema;
  meta.num_rows = rows;
  meta.created_by = "plinth make_parquet_seeds";
  RowGroup rg;
  rg.num_rows = rows;
  for (size_t i = 0; i < chunks.size(); ++i) {
    ColumnMetaData m;
    m.type = types[i];
    m.path_in_schema = paths[i];
    m.codec = Codec::kUncompressed;
    m.data_page_offset = static_cast<int64_t>(file.size());
    size_t start = file.size();
    for (Page p : chunks[i]) {
      p.header.compressed_page_size = p.header.uncompressed_page_size = static_cast<int32_t>(p.body.size());
      p.header.crc = static_cast<int32_t>(::crc32(0L, reinterpret_cast<const Bytef*>(p.body.data()),
                                                  static_cast<uInt>(p.body.size())));
      if (p.header.data_page_header) m.num_values += p.header.data_page_header->num_values;
      if (p.header.data_page_header_v2) m.num_values += p.header.data_page_header_v2->num_values;
      EncodePageHeader(p.header, &file);
      file += p.body;
      if (p.header.dictionary_page_header) {
        m.dictionary_page_offset = m.data_page_offset;
        m.encodings.push_back(Encoding::kPlain);
      } else {
        m.encodings.push_back(p.header.data_page_header ? p.header.data_page_header->encoding
                                                        : p.header.data_page_header_v2->encoding);
      }
    }
    m.total_compressed_size = m.total_uncompressed_size = static_cast<int64_t>(file.size() - start);
    ColumnChunk cc;
    cc.file_offset = m.data_page_offset;
    cc.meta_data = m;
    rg.columns.push_back(cc);
    rg.total_byte_size += m.total_uncompressed_size;
  }
  meta.row_groups.push_back(rg);
  std::string footer;
  EncodeFileMetaData(meta, &footer);
  file += footer;
  uint32_t len = static_cast<uint32_t>(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  file += "PAR1";
  return file;
}

// id INT32 required; tags: optional group (LIST) { repeated group list { optional int32 element } }.
// Rows: [1, 2], null, [], [null, 5, 6], [7].
void NestedList(bool v2) {
  SchemaElement tags = Group("tags", 1, Repetition::kOptional);
  tags.converted_type = ConvertedType::kList;
  std::vector<SchemaElement> schema = {Group("schema", 2, std::nullopt),
                                       Leaf("id", PhysicalType::kInt32, Repetition::kRequired), tags,
                                       Group("list", 1, Repetition::kRepeated),
                                       Leaf("element", PhysicalType::kInt32, Repetition::kOptional)};
  std::vector<int32_t> ids = {10, 11, 12, 13, 14};
  std::vector<uint32_t> rep = {0, 1, 0, 0, 0, 1, 1, 0};
  std::vector<uint32_t> def = {3, 3, 0, 1, 2, 3, 3, 3};
  std::vector<int32_t> values = {1, 2, 5, 6, 7};
  std::vector<Page> id_pages, list_pages;
  if (!v2) {
    id_pages.push_back(DataPageV1(5, Encoding::kPlain, PlainInt32(ids)));
    list_pages.push_back(DataPageV1(8, Encoding::kPlain, Levels(rep, 1, true) + Levels(def, 2, true) + PlainInt32(values)));
  } else {
    DeltaBinaryPackedEncoder<int32_t> ids_enc, values_enc;
    ids_enc.Put(ids.data(), ids.size());
    values_enc.Put(values.data(), values.size());
    id_pages.push_back(DataPageV2(5, 0, 5, Encoding::kDeltaBinaryPacked, "", "", ids_enc.Finish()));
    // Two pages, split at a row boundary (rows 0-2 and 3-4).
    std::vector<uint32_t> rep1(rep.begin(), rep.begin() + 4), rep2(rep.begin() + 4, rep.end());
    std::vector<uint32_t> def1(def.begin(), def.begin() + 4), def2(def.begin() + 4, def.end());
    std::string bss1, bss2;
    EncodeByteStreamSplit(reinterpret_cast<const uint8_t*>(values.data()), 2, 4, &bss1);
    EncodeByteStreamSplit(reinterpret_cast<const uint8_t*>(values.data() + 2), 3, 4, &bss2);
    list_pages.push_back(DataPageV2(4, 2, 3, Encoding::kByteStreamSplit, Levels(rep1, 1, false),
                                    Levels(def1, 2, false), bss1));
    list_pages.push_back(DataPageV2(4, 1, 2, Encoding::kByteStreamSplit, Levels(rep2, 1, false),
                                    Levels(def2, 2, false), bss2));
  }
  Save(v2 ? "nested_list_v2_delta_bss.parquet" : "nested_list_v1.parquet",
       Assemble(schema, {id_pages, list_pages}, {{"id"}, {"tags", "list", "element"}},
                {PhysicalType::kInt32, PhysicalType::kInt32}, 5));
}

// Flat columns in encodings the writer does not use: DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY
// (strings), RLE booleans and DELTA_BINARY_PACKED int64, on v1 pages with definition levels.
void FlatEncodings() {
  SchemaElement s1 = Leaf("s1", PhysicalType::kByteArray, Repetition::kOptional);
  s1.converted_type = ConvertedType::kUtf8;
  SchemaElement s2 = Leaf("s2", PhysicalType::kByteArray, Repetition::kRequired);
  std::vector<SchemaElement> schema = {Group("schema", 4, std::nullopt), s1, s2,
                                       Leaf("flag", PhysicalType::kBoolean, Repetition::kRequired),
                                       Leaf("n", PhysicalType::kInt64, Repetition::kOptional)};
  std::vector<std::string_view> strs = {"apple", "applesauce", "apply", "banana"};
  std::string dlba, dba;
  EncodeDeltaLengthByteArray({strs[0], strs[1], strs[3]}, &dlba);
  EncodeDeltaByteArray(strs, &dba);
  std::vector<uint32_t> def = {1, 1, 0, 1};
  std::string rle_bools = Levels({1, 0, 0, 1}, 1, true);
  DeltaBinaryPackedEncoder<int64_t> n_enc;
  for (int64_t v : {int64_t{-5}, int64_t{1} << 40, int64_t{3}}) n_enc.Put(v);
  std::vector<std::vector<Page>> chunks = {
      {DataPageV1(4, Encoding::kDeltaLengthByteArray, Levels(def, 1, true) + dlba)},
      {DataPageV1(4, Encoding::kDeltaByteArray, dba)},
      {DataPageV1(4, Encoding::kRle, rle_bools)},
      {DataPageV1(4, Encoding::kDeltaBinaryPacked, Levels(def, 1, true) + n_enc.Finish())},
  };
  Save("flat_delta_rle_encodings.parquet",
       Assemble(schema, chunks, {{"s1"}, {"s2"}, {"flag"}, {"n"}},
                {PhysicalType::kByteArray, PhysicalType::kByteArray, PhysicalType::kBoolean, PhysicalType::kInt64}, 4));
}

Page DictionaryPage(int32_t n, const std::string& plain_values) {
  Page p;
  p.header.type = PageType::kDictionaryPage;
  p.header.dictionary_page_header = DictionaryPageHeader{n, Encoding::kPlain, std::nullopt};
  p.body = plain_values;
  return p;
}

// Regression inputs for the decoded-size limits of ColumnChunkReader (see
// column_reader_limits_test.cc): tiny pages that claim or expand to gigabytes.
void HostilePages() {
  auto one_column = [](PhysicalType t, const std::vector<Page>& pages, const std::string& name) {
    std::vector<SchemaElement> schema = {Group("schema", 1, std::nullopt), Leaf("c", t, Repetition::kRequired)};
    Save(name, Assemble(schema, {pages}, {{"c"}}, {t}, 1));
  };
  RleBitPackedEncoder run(1);
  run.PutRepeated(0, 0x7fffffff);
  one_column(PhysicalType::kInt32,
             {DictionaryPage(1, std::string(4, '\0')),
              DataPageV1(0x7fffffff, Encoding::kRleDictionary, std::string(1, '\1') + run.Finish())},
             "regress_huge_value_count.parquet");
  one_column(PhysicalType::kBoolean, {DictionaryPage(0x7fffffff, std::string(1, '\1'))},
             "regress_plain_boolean_count.parquet");
  std::string entry(2048, 'x');
  uint32_t len = static_cast<uint32_t>(entry.size());
  run.PutRepeated(0, 1 << 20);  // 2^20 x 2 KiB = 2 GiB
  one_column(PhysicalType::kByteArray,
             {DictionaryPage(1, std::string(reinterpret_cast<const char*>(&len), 4) + entry),
              DataPageV1(1 << 20, Encoding::kRleDictionary, std::string(1, '\1') + run.Finish())},
             "regress_dictionary_expansion.parquet");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
    return 2;
  }
  g_dir = argv[1];
  const std::string all_types =
      "id int64 not null, name string, score double, flag boolean, day date, ts timestamp, "
      "amount decimal(9,2), big decimal(30,4), small int8, u uint32, f float, tm time, fb fixed_binary(3)";
  WriterOptions small;
  small.codec = Codec::kUncompressed;
  small.page_bytes = 48;
  small.row_group_rows = 6;
  Save("flat_all_types_dict.parquet", WriteFlat(all_types, 12, small));
  WriterOptions plain = small;
  plain.dictionary = false;
  plain.page_checksums = false;
  Save("flat_all_types_plain_nocrc.parquet", WriteFlat(all_types, 9, plain));
  WriterOptions one;
  one.page_bytes = 64;
  for (auto [codec, name] : {std::pair{Codec::kSnappy, "snappy"}, std::pair{Codec::kGzip, "gzip"},
                             std::pair{Codec::kZstd, "zstd"}, std::pair{Codec::kLz4Raw, "lz4_raw"}}) {
    one.codec = codec;
    Save(std::string("flat_") + name + ".parquet", WriteFlat("id int32 not null, name string, v double", 16, one));
  }
  NestedList(false);
  NestedList(true);
  FlatEncodings();
  HostilePages();
  return 0;
}
