// Predicate: a boolean row filter written in a small SQL-like language, used by
// `--where` (table scan, table delete, parquet cat), by data skipping over file and row
// group statistics, and by partition pruning.
//
//   expr    := or ;  or := and ('OR' and)* ;  and := not ('AND' not)* ;  not := 'NOT' not | test
//   test    := operand (cmpop operand | 'IS' ['NOT'] 'NULL' | ['NOT'] 'IN' '(' lit (',' lit)* ')'
//              | 'BETWEEN' operand 'AND' operand) | '(' expr ')'
//   cmpop   := = | == | != | <> | < | <= | > | >=
//   operand := column | "quoted column" | number | 'string' | true | false | null
// Keywords are case-insensitive. Comparisons with null are unknown (the row is not
// selected), as in SQL. Literals are converted to the column's type when bound
// ('2024-01-01' against a timestamp column is a timestamp).
// Thread-safety: a bound Predicate is immutable and may be shared.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/columnar/value.h"

namespace plinth::columnar {

struct PredicateNode;

// Statistics of one column over a set of rows (a file, a row group, a partition).
struct ColumnRangeStats {
  std::optional<Value> min, max;       // absent = unknown
  std::optional<int64_t> null_count;   // absent = unknown
  std::optional<int64_t> num_rows;     // absent = unknown
};

class Predicate {
 public:
  // Parses and binds `text` against `schema`. Errors name the position or the unknown
  // column (with the columns that exist).
  static absl::StatusOr<Predicate> Parse(std::string_view text, const Schema& schema);

  Predicate(const Predicate&) = default;
  Predicate& operator=(const Predicate&) = default;
  ~Predicate();

  // One byte per row: 1 = the row matches.
  absl::StatusOr<std::vector<uint8_t>> Evaluate(const RecordBatch& batch) const;
  // False only when no row with these statistics can match. `stats(name)` returns the
  // statistics of a column, or nullopt when unknown.
  bool MayMatch(const std::function<std::optional<ColumnRangeStats>(const std::string&)>& stats) const;
  // Names of the columns the predicate reads.
  std::vector<std::string> Columns() const;
  const std::string& text() const { return text_; }

 private:
  Predicate() = default;
  std::shared_ptr<const PredicateNode> root_;
  std::shared_ptr<const Schema> schema_;
  std::string text_;
};

}  // namespace plinth::columnar
