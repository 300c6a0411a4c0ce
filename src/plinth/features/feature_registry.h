// FeatureRegistry: the live feature definitions, versioned in the MetaStore (migration 3).
//
// Apply takes a set of definitions (a YAML file), merges it over what is live (objects in the
// file replace live objects of the same kind and name; with `prune`, live objects missing from
// the file are removed), validates the merged whole (definitions_validate.h) and, unless it is
// a dry run (`plinth features diff`), writes it in one transaction: a changed object gets its
// next version, an unchanged one keeps its version, and the audit log records the apply. A
// failed validation applies nothing. Sources whose Delta table does not exist get one created
// (source_schema.h) when the apply commits.
//
// Source tables live under the lake root (<data-dir>/lake/); a source's `table` is a path
// relative to it and may not leave it.
// Thread-safety: safe for concurrent use; applies serialize on the MetaStore's write lock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/features/definitions.h"
#include "plinth/storage/columnar/data_type.h"
#include "plinth/storage/meta/audit_log.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::features {

struct StoredObject {
  ObjectKind kind = ObjectKind::kEntity;
  std::string name;
  int64_t version = 0;
  Json spec;
  int64_t created_at = 0;
  std::string created_by;
  // {"kind", "name", "version", "spec", "created_at", "created_by"}
  Json ToJson() const;
};

struct Change {
  enum class Op { kAdd, kUpdate, kRemove, kUnchanged };
  Op op = Op::kUnchanged;
  ObjectKind kind = ObjectKind::kEntity;
  std::string name;
  int64_t old_version = 0;  // 0 when added
  int64_t new_version = 0;  // 0 when removed
  std::vector<std::string> fields;  // top-level fields that differ (updates)
  Json before;                      // null when added
  Json after;                       // null when removed
  Json ToJson() const;
};

struct ApplyOptions {
  bool dry_run = false;
  bool prune = false;
};

struct ApplyResult {
  std::vector<Change> changes;  // every object of the merged set and every removal
  bool applied = false;
  std::vector<std::string> created_tables;  // table paths created (or that would be)
  Json ToJson() const;
};

class FeatureRegistry {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    Clock* clock = Clock::Real();
    std::string lake_root;  // <data-dir>/lake
  };
  static absl::StatusOr<std::unique_ptr<FeatureRegistry>> Create(Options options);

  absl::StatusOr<ApplyResult> Apply(const Definitions& defs, const ApplyOptions& options, const storage::AuditContext& ctx);

  // Every live object (optionally of one kind), by kind then name.
  absl::StatusOr<std::vector<StoredObject>> List(std::optional<ObjectKind> kind = std::nullopt);
  // A live object, or one of its versions (also a removed object's). NotFound names it.
  absl::StatusOr<StoredObject> Get(ObjectKind kind, const std::string& name, std::optional<int64_t> version = std::nullopt);
  // Every version of an object, newest first.
  absl::StatusOr<std::vector<StoredObject>> History(ObjectKind kind, const std::string& name);
  // The live definitions, parsed, with the version of each object.
  struct Live {
    Definitions defs;
    std::map<std::pair<ObjectKind, std::string>, int64_t> versions;
  };
  absl::StatusOr<Live> LoadLive();

  // Absolute directory of a source's table. InvalidArgument for absolute paths or "..".
  absl::StatusOr<std::string> TablePath(const SourceDef& source) const;

 private:
  explicit FeatureRegistry(Options options) : options_(std::move(options)), audit_(options_.clock) {}
  absl::StatusOr<std::optional<columnar::Schema>> TableSchema(const SourceDef& source) const;

  Options options_;
  storage::AuditLog audit_;
};

}  // namespace plinth::features
