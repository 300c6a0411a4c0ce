// Internal to the registry: SQL helpers shared by registry_*.cc. Not part of the API.
// Every function runs inside the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "plinth/registry/model_ref.h"
#include "plinth/registry/types.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::registry::internal {

struct VersionKey {
  int64_t model_id = 0;
  int64_t version_id = 0;
  int64_t version = 0;
};

// NotFound naming the model when absent.
absl::StatusOr<int64_t> FindModelId(storage::SqlTransaction& txn, const std::string& name);
// Resolves NAME/VERSION, NAME@ALIAS and NAME@latest. NotFound names what is missing.
absl::StatusOr<VersionKey> ResolveVersion(storage::SqlTransaction& txn, const ModelRef& ref);
// Loads full models / versions (tags, params, metrics, aliases) keeping the order of `ids`.
absl::StatusOr<std::vector<Model>> LoadModels(storage::SqlTransaction& txn, const std::vector<int64_t>& ids);
absl::StatusOr<std::vector<ModelVersion>> LoadVersions(storage::SqlTransaction& txn, const std::vector<int64_t>& ids);

// Replaces/merges key-value rows of `table` owned by `owner_col` = `owner_id`.
absl::Status UpsertKeyValues(storage::SqlTransaction& txn, std::string_view table, std::string_view owner_col,
                             int64_t owner_id, const std::map<std::string, std::string>& values);
absl::Status DeleteKeys(storage::SqlTransaction& txn, std::string_view table, std::string_view owner_col,
                        int64_t owner_id, const std::vector<std::string>& keys);

// Opaque page tokens: the sort-key values of the last row returned (a keyset cursor), bound to
// the query they came from. An empty token decodes to an empty cursor (the first page).
std::string EncodePageToken(const std::vector<storage::SqlValue>& cursor, const std::string& query_fingerprint);
absl::StatusOr<std::vector<storage::SqlValue>> DecodePageToken(const std::string& token,
                                                               const std::string& query_fingerprint);

absl::Status ValidateTags(const std::map<std::string, std::string>& tags, std::string_view what);

}  // namespace plinth::registry::internal
