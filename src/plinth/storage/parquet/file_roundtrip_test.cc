// Writer -> reader round trips in memory: every type, nulls, codecs, dictionary fallback,
// several row groups and pages, statistics and row-group skipping.
#include <cmath>
#include <random>

#include "plinth/storage/columnar/predicate.h"
#include "plinth/storage/columnar/value_format.h"
#include "plinth/storage/parquet/file_reader.h"
#include "plinth/storage/parquet/file_writer.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using columnar::Column;
using columnar::DataType;
using columnar::RecordBatch;
using columnar::Schema;
using columnar::TypeId;

std::shared_ptr<const Schema> AllTypes() {
  return std::make_shared<const Schema>(*Schema::Parse(
      "b boolean, i8 int8, i16 int16, i32 int32 not null, i64 int64, u8 uint8, u16 uint16, u32 uint32, u64 uint64, "
      "f float, d double, h float16, s string, bin binary, fb fixed_binary(3), u uuid, dt date, ts timestamp, "
      "tn timestamp_ntz, t time, d9 decimal(9,2), d18 decimal(18,4), d38 decimal(38,10)"));
}

RecordBatch RandomBatch(const std::shared_ptr<const Schema>& schema, int64_t rows, uint32_t seed, int distinct_strings) {
  std::mt19937_64 rng(seed);
  RecordBatch b(schema);
  for (size_t c = 0; c < schema->size(); ++c) {
    const auto& f = schema->field(c);
    Column& col = b.columns[c];
    for (int64_t r = 0; r < rows; ++r) {
      if (f.nullable && rng() % 7 == 0) {
        col.AppendNull();
        continue;
      }
      uint64_t x = rng();
      switch (f.type.id) {
        case TypeId::kBool: col.Append<uint8_t>(x & 1); break;
        case TypeId::kInt8: col.Append<int32_t>(static_cast<int8_t>(x)); break;
        case TypeId::kInt16: col.Append<int32_t>(static_cast<int16_t>(x)); break;
        case TypeId::kInt32: col.Append<int32_t>(static_cast<int32_t>(x % 1000)); break;
        case TypeId::kUInt8: col.Append<int32_t>(static_cast<uint8_t>(x)); break;
        case TypeId::kUInt16: col.Append<int32_t>(static_cast<uint16_t>(x)); break;
        case TypeId::kUInt32: col.Append<int64_t>(static_cast<uint32_t>(x)); break;
        case TypeId::kInt64:
        case TypeId::kUInt64: col.Append<int64_t>(static_cast<int64_t>(x)); break;
        case TypeId::kFloat: col.Append<float>(static_cast<float>(static_cast<int32_t>(x)) / 7.0f); break;
        case TypeId::kFloat16: col.Append<float>(static_cast<float>(static_cast<int>(x % 2048)) / 4.0f); break;
        case TypeId::kDouble: col.Append<double>(std::ldexp(static_cast<double>(static_cast<int64_t>(x)), -40)); break;
        case TypeId::kString: col.AppendBytes(StrCat("value-", x % distinct_strings)); break;
        case TypeId::kBinary: col.AppendBytes(std::string(x % 5, static_cast<char>(x >> 8))); break;
        case TypeId::kFixedBinary: col.AppendBytes(std::string(3, static_cast<char>(x))); break;
        case TypeId::kUuid: col.AppendBytes(std::string(16, static_cast<char>(x >> 3))); break;
        case TypeId::kDate: col.Append<int32_t>(static_cast<int32_t>(x % 40000) - 20000); break;
        case TypeId::kTimestamp:
        case TypeId::kTimestampNtz: col.Append<int64_t>(static_cast<int64_t>(x % (int64_t{1} << 52)) - (int64_t{1} << 51)); break;
        case TypeId::kTime: col.Append<int64_t>(static_cast<int64_t>(x % 86400000000ULL)); break;
        case TypeId::kDecimal: {
          columnar::int128 v = static_cast<int64_t>(x % 100000000) - 50000000;
          if (f.type.precision > 18) v = v * 1000000000000LL * 1000000LL + 7;
          col.Append<columnar::int128>(v);
          break;
        }
      }
    }
  }
  b.num_rows = rows;
  return b;
}

std::string RowText(const RecordBatch& b, int64_t r) {
  std::string s;
  for (const auto& c : b.columns) {
    columnar::AppendJsonValue(c, r, &s);
    s += "|";
  }
  return s;
}

std::vector<std::string> ReadAllRows(const std::string& bytes, ScanOptions so = {}, int* skipped = nullptr) {
  auto reader = ParquetReader::Open(NewMemoryInputFile(bytes));
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return {};
  auto scan = (*reader)->Scan(so);
  EXPECT_TRUE(scan.ok()) << scan.status();
  std::vector<std::string> rows;
  RecordBatch batch;
  while (true) {
    auto more = (*scan)->Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    for (int64_t r = 0; r < batch.num_rows; ++r) rows.push_back(RowText(batch, r));
  }
  if (skipped) *skipped = (*scan)->row_groups_skipped();
  return rows;
}

std::string WriteToMemory(const Schema& schema, const std::vector<RecordBatch>& batches, const WriterOptions& wo) {
  std::string bytes;
  auto w = ParquetWriter::Create(NewMemoryOutputFile(&bytes), schema, wo);
  EXPECT_TRUE(w.ok()) << w.status();
  for (const auto& b : batches) EXPECT_TRUE((*w)->Write(b).ok());
  EXPECT_TRUE((*w)->Close().ok());
  return bytes;
}

class RoundTripTest : public ::testing::TestWithParam<Codec> {};

TEST_P(RoundTripTest, EveryTypeWithNulls) {
  auto schema = AllTypes();
  std::vector<RecordBatch> batches = {RandomBatch(schema, 3000, 1, 50), RandomBatch(schema, 2500, 2, 5000)};
  WriterOptions wo;
  wo.codec = GetParam();
  wo.row_group_rows = 2000;  // 3 row groups
  wo.page_bytes = 4096;      // many pages
  std::string bytes = WriteToMemory(*schema, batches, wo);
  std::vector<std::string> expected;
  for (const auto& b : batches) for (int64_t r = 0; r < b.num_rows; ++r) expected.push_back(RowText(b, r));
  EXPECT_EQ(ReadAllRows(bytes), expected);
  ScanOptions parallel;
  parallel.threads = 3;
  parallel.batch_rows = 777;
  EXPECT_EQ(ReadAllRows(bytes, parallel), expected);
  auto reader = ParquetReader::Open(NewMemoryInputFile(bytes));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->num_row_groups(), 3);
  EXPECT_EQ(*(*reader)->columnar_schema(), *schema);
  // Columns encoded on several threads give the same file, byte for byte.
  WriterOptions threaded = wo;
  threaded.threads = 3;
  EXPECT_EQ(WriteToMemory(*schema, batches, threaded), bytes);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTripTest,
                         ::testing::Values(Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw));

TEST(ParquetWriterTest, DictionaryFallsBackToPlainAndStatsAreRight) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("s string, n int64"));
  RecordBatch b(schema);
  for (int i = 0; i < 50000; ++i) {
    b.columns[0].AppendBytes(StrCat("unique-string-", i * 7919 % 50000, std::string(20, 'x')));
    b.columns[1].Append<int64_t>(i % 3 == 0 ? -i : i);
  }
  b.num_rows = 50000;
  WriterOptions wo;
  wo.dictionary_page_bytes = 64 * 1024;
  wo.page_bytes = 16 * 1024;
  std::string bytes = WriteToMemory(*schema, {b}, wo);
  auto reader = ParquetReader::Open(NewMemoryInputFile(bytes));
  ASSERT_TRUE(reader.ok());
  const auto& md = (*reader)->metadata().row_groups[0].columns[0].meta_data;
  ASSERT_TRUE(md.has_value());
  EXPECT_NE(std::find(md->encodings.begin(), md->encodings.end(), Encoding::kPlain), md->encodings.end());
  auto st = (*reader)->ChunkStats(0, 1);
  ASSERT_TRUE(st.min && st.max);
  EXPECT_EQ(st.min->i, -49998);
  EXPECT_EQ(st.max->i, 49999);
  EXPECT_EQ(st.null_count, 0);
  auto sst = (*reader)->ChunkStats(0, 0);
  ASSERT_TRUE(sst.min && sst.max);
  EXPECT_EQ(sst.min->s, "unique-string-0" + std::string(20, 'x'));
  std::vector<std::string> expected;
  for (int64_t r = 0; r < b.num_rows; ++r) expected.push_back(RowText(b, r));
  EXPECT_EQ(ReadAllRows(bytes), expected);
}

TEST(ParquetWriterTest, DictionaryKeptForAThirdDistinctDroppedEarlyForNearlyUnique) {
  // Random order: a third of the rows distinct keeps the dictionary; nearly all distinct gives
  // up on the first eighth of the first page; a handful of strings stays a dictionary.
  auto schema = std::make_shared<const Schema>(*Schema::Parse("third int64, unique int64, tag string"));
  RecordBatch b(schema);
  std::mt19937_64 rng(11);
  const int n = 131072;  // one 1 MiB page of int64
  for (int i = 0; i < n; ++i) {
    b.columns[0].Append<int64_t>(static_cast<int64_t>(rng() % (n / 3)) * 1000003);
    b.columns[1].Append<int64_t>(static_cast<int64_t>(rng()));
    b.columns[2].AppendBytes(StrCat("tag-", rng() % 5));
  }
  b.num_rows = n;
  std::string bytes = WriteToMemory(*schema, {b}, {});
  auto reader = ParquetReader::Open(NewMemoryInputFile(bytes));
  ASSERT_TRUE(reader.ok());
  auto dictionary = [&](int c) {
    const auto& e = (*reader)->metadata().row_groups[0].columns[c].meta_data->encodings;
    return std::find(e.begin(), e.end(), Encoding::kRleDictionary) != e.end();
  };
  EXPECT_TRUE(dictionary(0));
  EXPECT_FALSE(dictionary(1));
  EXPECT_TRUE(dictionary(2));
  std::vector<std::string> expected;
  for (int64_t r = 0; r < b.num_rows; ++r) expected.push_back(RowText(b, r));
  EXPECT_EQ(ReadAllRows(bytes), expected);
}

TEST(ParquetWriterTest, PicksDeltaForSmoothIntegersAndSplitForFloats) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("id int64, ts timestamp, small int32, price double, noise int64"));
  RecordBatch b(schema);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000; ++i) {
    b.columns[0].Append<int64_t>(1000000 + i);
    if (i % 97 == 0) b.columns[1].AppendNull();
    else b.columns[1].Append<int64_t>(1700000000000000 + int64_t{i} * 1000000);
    b.columns[2].Append<int32_t>(i / 3);
    b.columns[3].Append<double>(static_cast<double>((int64_t{i} * 31337) % 100000) * 0.01);
    b.columns[4].Append<int64_t>(static_cast<int64_t>(rng()));
  }
  b.num_rows = 200000;
  auto encodings = [](const std::string& bytes, int column) {
    auto r = ParquetReader::Open(NewMemoryInputFile(bytes));
    return (*r)->metadata().row_groups[0].columns[column].meta_data->encodings;
  };
  auto has = [](const std::vector<Encoding>& e, Encoding x) { return std::find(e.begin(), e.end(), x) != e.end(); };
  std::string bytes = WriteToMemory(*schema, {b}, {});
  EXPECT_TRUE(has(encodings(bytes, 0), Encoding::kDeltaBinaryPacked));
  EXPECT_TRUE(has(encodings(bytes, 1), Encoding::kDeltaBinaryPacked));
  EXPECT_TRUE(has(encodings(bytes, 3), Encoding::kByteStreamSplit));
  EXPECT_FALSE(has(encodings(bytes, 4), Encoding::kDeltaBinaryPacked));  // random: PLAIN is as small
  std::vector<std::string> expected;
  for (int64_t r = 0; r < b.num_rows; ++r) expected.push_back(RowText(b, r));
  EXPECT_EQ(ReadAllRows(bytes), expected);
  // Older readers: both can be turned off.
  WriterOptions compat;
  compat.delta_integers = false;
  compat.byte_stream_split_floats = false;
  std::string plain = WriteToMemory(*schema, {b}, compat);
  EXPECT_FALSE(has(encodings(plain, 0), Encoding::kDeltaBinaryPacked));
  EXPECT_FALSE(has(encodings(plain, 3), Encoding::kByteStreamSplit));
  EXPECT_EQ(ReadAllRows(plain), expected);
  auto chunk_size = [](const std::string& file, int column) {
    auto r = ParquetReader::Open(NewMemoryInputFile(file));
    return (*r)->metadata().row_groups[0].columns[column].meta_data->total_compressed_size;
  };
  EXPECT_LT(chunk_size(bytes, 0) * 10, chunk_size(plain, 0));  // sequential ids: a few bits each
  EXPECT_LT(chunk_size(bytes, 3), chunk_size(plain, 3));
}

TEST(ParquetWriterTest, RejectsNullsInRequiredColumnsAndWrongWidths) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("id int64 not null, f fixed_binary(4)"));
  RecordBatch b(schema);
  b.columns[0].AppendNull();
  b.columns[1].AppendBytes("abcd");
  b.num_rows = 1;
  std::string bytes;
  auto w = ParquetWriter::Create(NewMemoryOutputFile(&bytes), *schema, {});
  ASSERT_TRUE(w.ok());
  EXPECT_THAT(std::string((*w)->Write(b).message()), ::testing::HasSubstr("not nullable"));
  RecordBatch c(schema);
  c.columns[0].Append<int64_t>(1);
  c.columns[1].AppendBytes("abc");
  c.num_rows = 1;
  auto w2 = ParquetWriter::Create(NewMemoryOutputFile(&bytes), *schema, {});
  EXPECT_THAT(std::string((*w2)->Write(c).message()), ::testing::HasSubstr("holds exactly 4"));
}

TEST(ParquetReaderTest, SkipsRowGroupsByStatistics) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("id int64 not null, name string"));
  std::vector<RecordBatch> batches;
  RecordBatch b(schema);
  for (int i = 0; i < 10000; ++i) {
    b.columns[0].Append<int64_t>(i);
    b.columns[1].AppendBytes(StrCat("n", i / 1000));
  }
  b.num_rows = 10000;
  WriterOptions wo;
  wo.row_group_rows = 1000;
  std::string bytes = WriteToMemory(*schema, {b}, wo);
  auto reader = ParquetReader::Open(NewMemoryInputFile(bytes));
  ASSERT_TRUE(reader.ok());
  auto pred = columnar::Predicate::Parse("id >= 2500 AND id < 3100", *schema);
  ASSERT_TRUE(pred.ok());
  const ParquetReader* r = reader->get();
  ScanOptions so;
  so.row_group_filter = [&](int rg) {
    return pred->MayMatch([&](const std::string& name) -> std::optional<columnar::ColumnRangeStats> {
      auto st = r->ChunkStats(rg, r->schema().LeafIndex(name));
      columnar::ColumnRangeStats s;
      s.min = st.min;
      s.max = st.max;
      return s;
    });
  };
  int skipped = 0;
  auto rows = ReadAllRows(bytes, so, &skipped);
  EXPECT_EQ(skipped, 8);
  EXPECT_EQ(rows.size(), 2000u);
}

TEST(ParquetReaderTest, ProjectsColumnsAndFailsCleanlyOnDamage) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("a int64, b string, c double"));
  RecordBatch b = RandomBatch(schema, 5000, 9, 100);
  std::string bytes = WriteToMemory(*schema, {b}, {});
  ScanOptions so;
  so.columns = {"c", "a"};
  auto rows = ReadAllRows(bytes, so);
  ASSERT_EQ(rows.size(), 5000u);
  std::string first;
  columnar::AppendJsonValue(b.columns[2], 0, &first);
  first += "|";
  columnar::AppendJsonValue(b.columns[0], 0, &first);
  first += "|";
  EXPECT_EQ(rows[0], first);
  so.columns = {"nope"};
  auto reader = ParquetReader::Open(NewMemoryInputFile(bytes));
  EXPECT_FALSE((*reader)->Scan(so).ok());

  // Every truncation and a sweep of bit flips must fail or read, never crash.
  std::mt19937 rng(3);
  for (size_t cut = 0; cut < bytes.size(); cut += 97) {
    auto r2 = ParquetReader::Open(NewMemoryInputFile(bytes.substr(0, cut)));
    EXPECT_FALSE(r2.ok());
  }
  for (int trial = 0; trial < 300; ++trial) {
    std::string damaged = bytes;
    size_t pos = rng() % damaged.size();
    damaged[pos] = static_cast<char>(damaged[pos] ^ (1 << (rng() % 8)));
    auto r3 = ParquetReader::Open(NewMemoryInputFile(damaged));
    if (!r3.ok()) continue;
    auto scan = (*r3)->Scan({});
    if (!scan.ok()) continue;
    RecordBatch batch;
    while (true) {
      auto more = (*scan)->Next(&batch);
      if (!more.ok() || !*more) break;
    }
  }
}

}  // namespace
}  // namespace plinth::parquet
