// Compiles a parsed filter and order-by into SQL over the registry schema.
//
// Versions are searched as `model_versions v JOIN models m`, models as `models m`.
// Fields (versions): name, version, format, description, source_run, training_dataset,
//   git_commit, parent, created_by, sha256, size, created_at, updated_at, alias,
//   tags.K, model_tags.K, params.K, metrics.K.
// Fields (models): name, description, created_by, latest_version, created_at, updated_at,
//   alias, tags.K.
// Timestamps compare with ISO-8601 strings. A comparison on a tag, param or metric the
// row does not have is false; `is null` matches rows without it. All values are bound
// parameters: no text of the filter is pasted into SQL.
// Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "plinth/registry/filter.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::registry {

enum class SearchTarget { kModels, kVersions };

// One ORDER BY term. Nullable keys sort last in either direction (NULLS LAST).
struct SortKey {
  std::string expr;
  bool descending = false;
  bool nullable = false;
};

struct CompiledSearch {
  std::string joins;  // LEFT JOINs needed by order terms
  std::vector<storage::SqlValue> join_params;
  std::string where;  // "1=1" when there is no filter
  std::vector<storage::SqlValue> where_params;
  std::string order_by;  // without the ORDER BY keyword; always ends in a unique tiebreak
  std::vector<SortKey> keys;  // the terms of order_by; the last is the row id
};

// A condition selecting the rows strictly after `cursor` (one value per key, as read from the
// last row of the previous page) in the search's order: keyset paging, so rows inserted or
// deleted between pages never shift what the next page returns. Appends its bound values.
absl::StatusOr<std::string> KeysetAfter(const CompiledSearch& search, const std::vector<storage::SqlValue>& cursor,
                                        std::vector<storage::SqlValue>* params);

absl::StatusOr<CompiledSearch> CompileSearch(SearchTarget target, const FilterNode* filter,
                                             const std::vector<OrderTerm>& order);

}  // namespace plinth::registry
