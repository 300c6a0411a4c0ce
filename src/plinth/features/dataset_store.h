// DatasetStore: registered datasets (training sets) in the MetaStore's `datasets` table
// (migration 3): a name, versions 1, 2, ... each naming a Delta table at a version, its row
// count and lineage (training_set.h: service, feature view versions, source table versions),
// so model versions can reference "dataset NAME version V". Rows are never updated.
// Registering writes an audit entry ("dataset.create", "datasets/NAME/versions/V") in the same
// transaction.
// Thread-safety: safe for concurrent use; registrations serialize on the MetaStore's write
// lock, so concurrent registrations of one name get distinct versions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/json.h"
#include "plinth/storage/meta/audit_log.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::features {

struct Dataset {
  std::string name;
  int64_t version = 0;
  std::string table_path;
  int64_t table_version = -1;
  int64_t row_count = 0;
  Json lineage = Json::object();
  int64_t created_at = 0;
  std::string created_by;
  // {"name", "version", "table_path", "table_version", "row_count", "lineage", "created_at" (ISO), "created_by"}
  Json ToJson() const;
};

struct NewDataset {
  std::string name;  // ValidateName rules (base/names.h)
  std::string table_path;
  int64_t table_version = -1;
  int64_t row_count = 0;
  Json lineage = Json::object();
};

class DatasetStore {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    Clock* clock = Clock::Real();
  };
  static absl::StatusOr<std::unique_ptr<DatasetStore>> Create(Options options);

  // Adds the next version of `d.name` (1 for a new name).
  absl::StatusOr<Dataset> Register(const NewDataset& d, const storage::AuditContext& ctx);
  // The latest version of every dataset, by name; or every version of `name`, newest first.
  absl::StatusOr<std::vector<Dataset>> List(std::optional<std::string> name = std::nullopt);
  // A version (latest when absent). NotFound names the dataset.
  absl::StatusOr<Dataset> Get(const std::string& name, std::optional<int64_t> version = std::nullopt);

 private:
  explicit DatasetStore(Options options) : options_(options), audit_(options.clock) {}
  Options options_;
  storage::AuditLog audit_;
};

}  // namespace plinth::features
