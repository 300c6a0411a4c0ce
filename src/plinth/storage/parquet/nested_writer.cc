#include "plinth/storage/parquet/nested_writer.h"

#include "plinth/storage/parquet/file_writer.h"


#include <cstring>

#include "plinth/base/strings.h"
#include "plinth/storage/parquet/codec.h"
#include "plinth/storage/parquet/page_crc.h"
#include "plinth/storage/parquet/plain.h"
#include "plinth/storage/parquet/rle.h"

namespace plinth::parquet {

using columnar::Column;
using columnar::StorageClass;

namespace {

bool Supported(const LeafColumn& leaf) {
  if (leaf.physical == PhysicalType::kInt96) return false;
  if (leaf.conversion == Conversion::kNone) return true;
  return leaf.conversion == Conversion::kFixedToBytes;
}

void AppendLevels(const int16_t* levels, size_t n, int16_t max_level, std::string* body) {
  RleBitPackedEncoder enc(BitWidth(static_cast<uint64_t>(max_level)));
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && levels[j] == levels[i]) ++j;
    if (j - i >= 8) {
      enc.PutRepeated(static_cast<uint32_t>(levels[i]), j - i);
    } else {
      for (size_t k = i; k < j; ++k) enc.Put(static_cast<uint32_t>(levels[k]));
    }
    i = j;
  }
  std::string runs = enc.Finish();
  uint32_t len = static_cast<uint32_t>(runs.size());
  char b[4];
  std::memcpy(b, &len, 4);
  body->append(b, 4);
  body->append(runs);
}

}  // namespace

NestedParquetWriter::NestedParquetWriter(std::unique_ptr<OutputFile> out, ParquetSchema schema,
                                         SchemaTree tree, WriterOptions options)
    : out_(std::move(out)),
      schema_(std::move(schema)),
      tree_(std::move(tree)),
      options_(std::move(options)) {
  for (const LeafColumn& leaf : schema_.leaves()) {
    Pending p;
    p.values = Column(leaf.type);
    pending_.push_back(std::move(p));
  }
}

NestedParquetWriter::~NestedParquetWriter() = default;

absl::StatusOr<std::unique_ptr<NestedParquetWriter>> NestedParquetWriter::Create(
    std::unique_ptr<OutputFile> out, std::vector<SchemaElement> schema, WriterOptions options) {
  if (options.codec == Codec::kLz4 || options.codec == Codec::kLzo ||
      options.codec == Codec::kBrotli) {
    return absl::InvalidArgumentError(
        StrCat("codec ", CodecName(options.codec), " is not supported for writing"));
  }
  if (options.page_bytes <= 0) return absl::InvalidArgumentError("page_bytes must be positive");
  PLINTH_ASSIGN_OR_RETURN(ParquetSchema ps, ParquetSchema::Build(schema));
  if (ps.leaves().empty())
    return absl::InvalidArgumentError("cannot write a Parquet file without leaf columns");
  for (const LeafColumn& leaf : ps.leaves()) {
    if (!Supported(leaf)) {
      return absl::UnimplementedError(
          StrCat("column '", leaf.dotted_path, "': type ", columnar::TypeName(leaf.type), " on ",
                 PhysicalTypeName(leaf.physical), " is not supported by the nested writer"));
    }
  }
  PLINTH_ASSIGN_OR_RETURN(SchemaTree tree, SchemaTree::Build(schema));
  PLINTH_RETURN_IF_ERROR(out->Write(std::string_view(kMagic, 4)));
  std::unique_ptr<NestedParquetWriter> w(
      new NestedParquetWriter(std::move(out), std::move(ps), std::move(tree), std::move(options)));
  w->metadata_.version = 1;
  w->metadata_.schema = std::move(schema);
  w->metadata_.created_by = w->options_.created_by;
  for (const auto& [k, v] : w->options_.key_value_metadata)
    w->metadata_.key_value_metadata.push_back({k, v});
  return w;
}

absl::Status NestedParquetWriter::WriteLeafLevels(int leaf, const std::vector<int16_t>& def,
                                                  const std::vector<int16_t>& rep,
                                                  const Column& values) {
  if (closed_) return absl::FailedPreconditionError("Parquet writer is closed");
  if (leaf < 0 || leaf >= static_cast<int>(pending_.size())) {
    return absl::InvalidArgumentError(
        StrCat("no leaf column ", leaf, " (the schema has ", pending_.size(), ")"));
  }
  const LeafColumn& lc = schema_.leaves()[leaf];
  const std::string where = StrCat("column '", lc.dotted_path, "'");
  if (!rep.empty() && rep.size() != def.size()) {
    return absl::InvalidArgumentError(StrCat(where, ": ", def.size(), " definition levels but ",
                                             rep.size(), " repetition levels"));
  }
  if (rep.empty() && lc.max_rep > 0 && !def.empty()) {
    return absl::InvalidArgumentError(
        StrCat(where, " is repeated: repetition levels are required"));
  }
  if (columnar::StorageOf(values.type()) != columnar::StorageOf(lc.type)) {
    return absl::InvalidArgumentError(StrCat(where, ": values of type ",
                                             columnar::TypeName(values.type()),
                                             ", the column holds ", columnar::TypeName(lc.type)));
  }
  if (values.null_count() > 0)
    return absl::InvalidArgumentError(StrCat(where, ": dense values must not contain nulls"));
  if (!rep.empty() && rep[0] != 0)
    return absl::InvalidArgumentError(StrCat(where, ": the first repetition level must be 0"));
  int64_t present = 0, records = 0;
  for (size_t i = 0; i < def.size(); ++i) {
    if (def[i] < 0 || def[i] > lc.max_def) {
      return absl::InvalidArgumentError(
          StrCat(where, ": definition level ", def[i], " outside 0..", lc.max_def));
    }
    int16_t r = rep.empty() ? 0 : rep[i];
    if (r < 0 || r > lc.max_rep) {
      return absl::InvalidArgumentError(
          StrCat(where, ": repetition level ", r, " outside 0..", lc.max_rep));
    }
    present += def[i] == lc.max_def;
    records += r == 0;
  }
  if (present != values.length()) {
    return absl::InvalidArgumentError(StrCat(where, ": ", values.length(), " values for ", present,
                                             " entries at the maximum definition level"));
  }
  if (lc.physical == PhysicalType::kFixedLenByteArray) {
    const auto& off = values.offsets();
    for (int64_t i = 0; i < values.length(); ++i) {
      if (off[i + 1] - off[i] != lc.type_length) {
        return absl::InvalidArgumentError(StrCat(where, ": value of ", off[i + 1] - off[i],
                                                 " bytes, the type holds exactly ",
                                                 lc.type_length));
      }
    }
  }
  Pending& p = pending_[leaf];
  p.def.insert(p.def.end(), def.begin(), def.end());
  if (rep.empty()) {
    p.rep.insert(p.rep.end(), def.size(), 0);
  } else {
    p.rep.insert(p.rep.end(), rep.begin(), rep.end());
  }
  p.values.AppendFrom(values, 0, values.length());
  p.records += records;
  return absl::OkStatus();
}

absl::Status NestedParquetWriter::EncodeValues(const LeafColumn& leaf, const Column& v,
                                               int64_t begin, int64_t n, std::string* out) const {
  if (n == 0) return absl::OkStatus();
  const size_t width = columnar::StorageWidth(v.storage());
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      EncodePlainBooleans(v.data<uint8_t>() + begin, static_cast<size_t>(n), out);
      return absl::OkStatus();
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      EncodePlainFixed(v.values().data() + begin * width, static_cast<size_t>(n), width, out);
      return absl::OkStatus();
    case PhysicalType::kByteArray:
      EncodePlainByteArrays(v.offsets().data() + begin, v.bytes().data(), static_cast<size_t>(n),
                            out);
      return absl::OkStatus();
    case PhysicalType::kFixedLenByteArray: {
      const auto& off = v.offsets();
      out->append(v.bytes().data() + off[begin], static_cast<size_t>(off[begin + n] - off[begin]));
      return absl::OkStatus();
    }
    default:
      return absl::UnimplementedError(StrCat("column '", leaf.dotted_path, "': cannot encode ",
                                             PhysicalTypeName(leaf.physical)));
  }
}

absl::Status NestedParquetWriter::WriteChunk(const LeafColumn& leaf, Pending& p,
                                             ColumnChunk* chunk) {
  const int64_t entries = static_cast<int64_t>(p.def.size());
  const size_t width = columnar::StorageWidth(p.values.storage());
  const int64_t start = static_cast<int64_t>(out_->position());
  int64_t uncompressed_total = 0, compressed_total = 0, pages = 0;
  int64_t b = 0, vb = 0;
  while (b < entries || (entries == 0 && pages == 0)) {
    // Extend the page while it is under the target size; cut only where a record starts.
    int64_t e = b, ve = vb, estimate = 0;
    while (e < entries) {
      if (e > b && p.rep[e] == 0 && estimate >= options_.page_bytes) break;
      estimate += 1;
      if (p.def[e] == leaf.max_def) {
        estimate += width ? static_cast<int64_t>(width)
                          : 4 + (p.values.offsets()[ve + 1] - p.values.offsets()[ve]);
        ++ve;
      }
      ++e;
    }
    std::string body;
    if (leaf.max_rep > 0)
      AppendLevels(p.rep.data() + b, static_cast<size_t>(e - b), leaf.max_rep, &body);
    if (leaf.max_def > 0)
      AppendLevels(p.def.data() + b, static_cast<size_t>(e - b), leaf.max_def, &body);
    PLINTH_RETURN_IF_ERROR(EncodeValues(leaf, p.values, vb, ve - vb, &body));
    if (body.size() > static_cast<size_t>(INT32_MAX)) {
      return absl::InvalidArgumentError(
          StrCat("column '", leaf.dotted_path, "': a single record exceeds the page size limit"));
    }
    std::string compressed;
    const std::string* payload = &body;
    if (options_.codec != Codec::kUncompressed) {
      PLINTH_RETURN_IF_ERROR(Compress(options_.codec, reinterpret_cast<const uint8_t*>(body.data()),
                                      body.size(), &compressed, options_.compression_level));
      payload = &compressed;
    }
    PageHeader h;
    h.type = PageType::kDataPage;
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(payload->size());
    if (options_.page_checksums) {
      h.crc = static_cast<int32_t>(PageCrc(payload->data(), payload->size()));
    }
    DataPageHeader dh;
    dh.num_values = static_cast<int32_t>(e - b);
    dh.encoding = Encoding::kPlain;
    dh.definition_level_encoding = Encoding::kRle;
    dh.repetition_level_encoding = Encoding::kRle;
    h.data_page_header = dh;
    std::string page;
    EncodePageHeader(h, &page);
    uncompressed_total += static_cast<int64_t>(page.size() + body.size());
    page.append(*payload);
    compressed_total += static_cast<int64_t>(page.size());
    PLINTH_RETURN_IF_ERROR(out_->Write(page));
    ++pages;
    b = e;
    vb = ve;
  }
  ColumnMetaData m;
  m.type = leaf.physical;
  m.encodings = {Encoding::kPlain, Encoding::kRle};
  m.path_in_schema = leaf.path;
  m.codec = options_.codec;
  m.num_values = entries;
  m.total_uncompressed_size = uncompressed_total;
  m.total_compressed_size = compressed_total;
  m.data_page_offset = start;
  m.encoding_stats.push_back({PageType::kDataPage, Encoding::kPlain, static_cast<int32_t>(pages)});
  chunk->file_offset = start;
  chunk->meta_data = std::move(m);
  return absl::OkStatus();
}

absl::Status NestedParquetWriter::FlushRowGroup(int64_t num_rows) {
  if (closed_) return absl::FailedPreconditionError("Parquet writer is closed");
  if (num_rows < 0) return absl::InvalidArgumentError("negative row count");
  bool buffered = false;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Pending& p = pending_[i];
    buffered |= !p.def.empty();
    if (p.records != num_rows) {
      return absl::InvalidArgumentError(StrCat("column '", schema_.leaves()[i].dotted_path,
                                               "' holds ", p.records,
                                               " records, the row group has ", num_rows, " rows"));
    }
  }
  if (num_rows == 0 && !buffered) return absl::OkStatus();
  RowGroup g;
  g.num_rows = num_rows;
  const int64_t start = static_cast<int64_t>(out_->position());
  g.file_offset = start;
  for (size_t i = 0; i < pending_.size(); ++i) {
    ColumnChunk chunk;
    PLINTH_RETURN_IF_ERROR(WriteChunk(schema_.leaves()[i], pending_[i], &chunk));
    g.total_byte_size += chunk.meta_data->total_uncompressed_size;
    g.columns.push_back(std::move(chunk));
    Pending fresh;
    fresh.values = Column(schema_.leaves()[i].type);
    pending_[i] = std::move(fresh);
  }
  g.total_compressed_size = static_cast<int64_t>(out_->position()) - start;
  g.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
  metadata_.row_groups.push_back(std::move(g));
  metadata_.num_rows += num_rows;
  return absl::OkStatus();
}

absl::Status NestedParquetWriter::Close() {
  if (closed_) return absl::OkStatus();
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!pending_[i].def.empty()) {
      return absl::FailedPreconditionError(
          StrCat("column '", schema_.leaves()[i].dotted_path,
                 "' has level entries not flushed to a row group"));
    }
  }
  PLINTH_RETURN_IF_ERROR(WriteFooter(metadata_, out_.get()));
  final_size_ = out_->position();
  PLINTH_RETURN_IF_ERROR(out_->Close());
  closed_ = true;
  out_.reset();
  return absl::OkStatus();
}

}  // namespace plinth::parquet
