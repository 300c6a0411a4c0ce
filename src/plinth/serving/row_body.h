// RowBody: the row API's predict body in its common shape, read straight from the text without
// building a JSON document (the document, its maps and strings were a fifth of the server's
// CPU per single-row request).
//
//   {"instances": [{"f0": 1.5, "f1": null, ...}, ...], "tenant": "acme", "version": 7}
//
// Handled: one object whose keys are "instances" (a non-empty array of objects whose values are
// JSON numbers or null) and optionally "tenant" (a string) and "version" (an integer), each
// once; keys and strings of printable ASCII without escapes; JSON whitespace anywhere. Numbers
// become doubles exactly as the JSON document would give them (integers through int64/uint64,
// others correctly rounded). Anything else (other keys, arrays of values, category names,
// booleans, escapes, invalid JSON, ...) is not handled, and neither is a row that names a
// feature the model lacks, omits one or repeats one: the caller then parses the document as
// before, so every answer and every error message is the same either way.
// Thread-safety: value type; the parsed names point into the text, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/runtime/row_encoder.h"
#include "plinth/serving/feature_matrix.h"

namespace plinth::serving {

struct RowBody {
  struct Cell {
    std::string_view name;
    double value;  // NaN for null (a missing value)
  };
  std::optional<std::string> tenant;
  std::optional<int64_t> version;
  std::vector<Cell> cells;     // every row's cells, row after row
  std::vector<size_t> ends;    // row r's cells end at ends[r]
  size_t rows() const { return ends.size(); }
};

// True when `text` has the handled shape (then *out holds it).
bool ParseRowBody(std::string_view text, RowBody* out);

// The rows as model inputs. False when a row names an unknown feature, repeats one or lacks
// one (the document path then reports which).
bool EncodeRowBody(const RowBody& body, const runtime::RowEncoder& encoder, FeatureMatrix* matrix);

}  // namespace plinth::serving
