// libFuzzer target over the Delta log parsers (untrusted bytes from _delta_log/ and from users):
// commit files (ParseCommit), schemaString (DeltaSchema::Parse), add.stats (FileStats::Parse),
// _last_checkpoint (ParseLastCheckpoint) and the --where filter language (columnar::Predicate).
// Every input goes through all of them; seeds of each kind live in fuzz/corpus/delta_log.
//
// Invariants checked besides "no crash": a parsed commit serializes and parses back to the same
// bytes; a parsed schema survives ToJsonString -> Parse unchanged; a bound filter evaluates on a
// fixed batch of every column type, and MayMatch given exact statistics of a row never rules out
// a row that Evaluate selects (data skipping must not lose rows).
// Any crash, hang, sanitizer report or broken invariant is a bug; a crash found becomes a
// regression input in fuzz/corpus/delta_log.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "plinth/storage/columnar/predicate.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/log_store.h"
#include "plinth/storage/delta/schema.h"
#include "plinth/storage/delta/stats.h"

using namespace plinth;  // NOLINT
namespace col = plinth::columnar;

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "delta_log_fuzz: invariant broken: %s\n", what);
  std::abort();
}

void CheckCommit(std::string_view input) {
  auto actions = delta::ParseCommit(input, "_delta_log/00000000000000000001.json");
  if (!actions.ok()) {
    if (actions.status().message().empty()) Fail("commit error without a message");
    return;
  }
  for (const delta::Action& a : *actions) {
    if (const auto* add = std::get_if<delta::AddFile>(&a)) {
      (void)add->DecodedPath();
      (void)add->ReplayKey();
      if (add->stats) (void)delta::FileStats::Parse(*add->stats);
    } else if (const auto* rm = std::get_if<delta::RemoveFile>(&a)) {
      (void)rm->DecodedPath();
      (void)rm->ReplayKey();
    } else if (const auto* md = std::get_if<delta::Metadata>(&a)) {
      (void)delta::DeltaSchema::Parse(md->schema_string);
    } else if (const auto* ci = std::get_if<delta::CommitInfo>(&a)) {
      (void)ci->timestamp();
      (void)ci->in_commit_timestamp();
      (void)ci->operation();
      (void)ci->operation_parameters();
    }
  }
  std::string bytes = delta::SerializeCommit(*actions);
  auto again = delta::ParseCommit(bytes, "<serialized>");
  if (!again.ok()) Fail("serialized commit does not parse");
  if (again->size() != actions->size()) Fail("serialized commit has a different action count");
  if (delta::SerializeCommit(*again) != bytes) Fail("commit serialization is not stable");
}

void CheckSchema(std::string_view input) {
  auto schema = delta::DeltaSchema::Parse(input);
  if (!schema.ok()) return;
  std::string text = schema->ToJsonString();
  auto again = delta::DeltaSchema::Parse(text);
  if (!again.ok()) Fail("ToJsonString output does not parse");
  if (!(*again == *schema)) Fail("schema round trip changed the schema");
  for (const auto& f : schema->fields) {
    (void)f.type.ToString();
    (void)schema->Find(f.name);
  }
}

void CheckStats(std::string_view input) {
  auto stats = delta::FileStats::Parse(input);
  if (!stats.ok()) return;
  for (const char* c : {"id", "a", "value"}) {
    (void)stats->Min(c);
    (void)stats->Max(c);
    (void)stats->NullCount(c);
  }
}

void CheckLastCheckpoint(std::string_view input) {
  auto c = delta::ParseLastCheckpoint(input);
  if (!c) return;
  if (c->version < 0) Fail("negative checkpoint version");
  auto again = delta::ParseLastCheckpoint(delta::SerializeLastCheckpoint(*c));
  if (!again || again->version != c->version || again->parts != c->parts) Fail("_last_checkpoint round trip");
}

// ---- Filters over a fixed batch ----

const col::Schema& FilterSchema() {
  static const col::Schema* schema = [] {
    using col::DataType;
    using col::TypeId;
    return new col::Schema({
        {"b", {TypeId::kBool}, true},          {"i8", {TypeId::kInt8}, true},
        {"i16", {TypeId::kInt16}, true},       {"i32", {TypeId::kInt32}, true},
        {"i64", {TypeId::kInt64}, false},      {"u8", {TypeId::kUInt8}, true},
        {"u32", {TypeId::kUInt32}, true},      {"u64", {TypeId::kUInt64}, true},
        {"h", {TypeId::kFloat16}, true},       {"f", {TypeId::kFloat}, true},
        {"d", {TypeId::kDouble}, true},        {"s", {TypeId::kString}, true},
        {"bin", {TypeId::kBinary}, true},      {"fb", DataType::FixedBinary(3), true},
        {"uuid", {TypeId::kUuid}, true},       {"dt", {TypeId::kDate}, true},
        {"ts", {TypeId::kTimestamp}, true},    {"tn", {TypeId::kTimestampNtz}, true},
        {"tm", {TypeId::kTime}, true},         {"dec", DataType::Decimal(9, 2), true},
        {"dec38", DataType::Decimal(38, 10), true},
    });
  }();
  return *schema;
}

constexpr int kRows = 6;

// Row r of each column; nullopt = null. Extremes, zeros, NaN and infinities on purpose.
col::Column MakeColumn(const col::Field& f) {
  col::Column c(f.type);
  const int64_t ints[kRows] = {0, -1, 1, 42, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  const double reals[kRows] = {0.0, -0.0, 0.1, std::nan(""), -INFINITY, 1e300};
  const char* texts[kRows] = {"", "a", "abc", "\xff\x00z", "2024-01-01", "zzzz"};
  for (int r = 0; r < kRows; ++r) {
    if (f.nullable && r == 3 && f.type.id != col::TypeId::kFloat && f.type.id != col::TypeId::kDouble) {
      c.AppendNull();
      continue;
    }
    col::Value v(f.type);
    v.is_null = false;
    switch (c.storage()) {
      case col::StorageClass::kBool: v.i = r % 2; break;
      case col::StorageClass::kInt32: {
        int64_t lo = f.type.id == col::TypeId::kInt8 ? -128 : f.type.id == col::TypeId::kInt16 ? -32768 : INT32_MIN;
        int64_t hi = f.type.id == col::TypeId::kInt8 ? 127 : f.type.id == col::TypeId::kInt16 ? 32767 : INT32_MAX;
        if (f.type.id == col::TypeId::kUInt8) lo = 0, hi = 255;
        v.i = ints[r] < lo ? lo : ints[r] > hi ? hi : ints[r];
        break;
      }
      case col::StorageClass::kInt64:
        v.i = f.type.id == col::TypeId::kUInt32 ? (ints[r] & 0xffffffff) : ints[r];
        break;
      case col::StorageClass::kFloat:
      case col::StorageClass::kDouble: v.d = reals[r]; break;
      case col::StorageClass::kInt128: v.dec = static_cast<col::int128>(ints[r]) * (r % 2 ? 1000 : -7); break;
      case col::StorageClass::kBytes: {
        v.s = std::string(texts[r], r == 3 ? 3 : std::char_traits<char>::length(texts[r]));
        if (f.type.id == col::TypeId::kFixedBinary) v.s.resize(3, 'x');
        if (f.type.id == col::TypeId::kUuid) v.s.resize(16, '\x7f');
        break;
      }
    }
    col::AppendValue(v, &c);
  }
  return c;
}

const col::RecordBatch& FilterBatch() {
  static const col::RecordBatch* batch = [] {
    auto* b = new col::RecordBatch(std::make_shared<const col::Schema>(FilterSchema()));
    for (size_t i = 0; i < b->columns.size(); ++i) b->columns[i] = MakeColumn(FilterSchema().field(i));
    b->num_rows = kRows;
    return b;
  }();
  return *batch;
}

bool IsNaN(const col::Value& v) {
  auto id = v.type.id;
  return (id == col::TypeId::kFloat || id == col::TypeId::kDouble || id == col::TypeId::kFloat16) && std::isnan(v.d);
}

// Exact statistics of rows [begin, end) of column c, as a Parquet writer would record them
// (NaN left out of min/max; then min/max are unknown, as ChunkStats reports them).
col::ColumnRangeStats ExactStats(const col::Column& c, int64_t begin, int64_t end) {
  col::ColumnRangeStats s;
  s.num_rows = end - begin;
  s.null_count = 0;
  bool nan = false;
  for (int64_t r = begin; r < end; ++r) {
    col::Value v = col::ValueAt(c, r);
    if (v.is_null) {
      ++*s.null_count;
      continue;
    }
    if (IsNaN(v)) {
      nan = true;
      continue;
    }
    auto lo = s.min ? col::Compare(v, *s.min) : std::nullopt;
    auto hi = s.max ? col::Compare(v, *s.max) : std::nullopt;
    if (!s.min || (lo && *lo == std::partial_ordering::less)) s.min = v;
    if (!s.max || (hi && *hi == std::partial_ordering::greater)) s.max = v;
  }
  if (nan) s.min.reset(), s.max.reset();
  return s;
}

void CheckFilter(std::string_view input) {
  auto pred = col::Predicate::Parse(input, FilterSchema());
  if (!pred.ok()) return;
  (void)pred->Columns();
  const col::RecordBatch& batch = FilterBatch();
  auto selected = pred->Evaluate(batch);
  if (!selected.ok()) Fail("a bound filter fails to evaluate");
  if (selected->size() != static_cast<size_t>(batch.num_rows)) Fail("selection size differs from the row count");
  const col::Schema& schema = FilterSchema();
  // Whole batch and each single row: statistics that rule the rows out must be right.
  for (int64_t begin = -1; begin < batch.num_rows; ++begin) {
    int64_t lo = begin < 0 ? 0 : begin, hi = begin < 0 ? batch.num_rows : begin + 1;
    bool any = false;
    for (int64_t r = lo; r < hi; ++r) any |= (*selected)[r] != 0;
    std::vector<col::ColumnRangeStats> stats;
    for (const auto& c : batch.columns) stats.push_back(ExactStats(c, lo, hi));
    for (int known : {0, 1}) {  // all columns known, or only the even ones
      bool may = pred->MayMatch([&](const std::string& name) -> std::optional<col::ColumnRangeStats> {
        auto idx = schema.IndexOf(name);
        if (!idx || (known == 1 && *idx % 2 == 1)) return std::nullopt;
        return stats[*idx];
      });
      if (any && !may) Fail("MayMatch ruled out rows that Evaluate selects");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckCommit(input);
  CheckSchema(input);
  CheckStats(input);
  CheckLastCheckpoint(input);
  CheckFilter(input);
  return 0;
}
