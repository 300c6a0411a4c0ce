// Whole-set checks of feature definitions, run before anything is applied.
//
// ValidateDefinitions checks a complete set (what would be live after an apply): every
// reference resolves (view -> entities and source, service -> views and features), each
// source table's columns exist with compatible types (source_schema.h), transforms parse and
// type-check over the view's features and request values ("request.<name>") with no unknown
// reference and no cycle, and the views reading one source agree on shared columns.
// Errors are InvalidArgument naming the object and the problem.
// Thread-safety: stateless; `lookup` is called from the calling thread only.
#pragma once

#include <functional>
#include <optional>

#include "plinth/features/definitions.h"
#include "plinth/storage/columnar/data_type.h"

namespace plinth::features {

// The schema of a source's Delta table, or nullopt when the table does not exist yet.
using TableSchemaLookup = std::function<absl::StatusOr<std::optional<columnar::Schema>>(const SourceDef&)>;

absl::Status ValidateDefinitions(const Definitions& defs, const TableSchemaLookup& lookup);

// The inputs transforms of `view` see: its features by name, then request values as
// "request.<name>", in that order.
std::vector<std::pair<std::string, ValueType>> TransformInputs(const FeatureViewDef& view);

}  // namespace plinth::features
