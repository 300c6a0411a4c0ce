// Registry: models, their versions, metrics, aliases and search.
//
// Every mutation runs in one MetaStore write transaction together with its audit entry, so
// a change and its record commit or vanish together. Version numbers come from a per-model
// counter bumped inside that transaction: 1, 2, 3... with no gap or duplicate however many
// registrations race. Artifacts are uploaded to the ObjectStore first and referenced by
// digest; a version is never visible before its artifact is durable.
// Thread-safety: safe for concurrent use; all state lives in the stores.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/registry/model_ref.h"
#include "plinth/registry/types.h"
#include "plinth/storage/meta/audit_log.h"
#include "plinth/storage/meta/meta_store.h"
#include "plinth/storage/object_store.h"

namespace plinth::registry {

struct CreateModelRequest {
  std::string name;
  std::string description;
  std::map<std::string, std::string> tags;
};

struct UpdateRequest {
  std::optional<std::string> description;
  std::map<std::string, std::string> set_tags;
  std::vector<std::string> remove_tags;
};

struct RegisterVersionRequest {
  std::string format;
  std::string artifact_sha256;  // must already be in the ObjectStore
  Json signature = Json::object();
  std::string description;
  Lineage lineage;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> tags;
  std::map<std::string, double> metrics;  // logged at step 0
  bool create_model = false;              // create the model if it does not exist
};

struct SearchRequest {
  std::string filter;
  std::string order_by;
  int page_size = 100;  // 1..1000
  std::string page_token;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty when there are no more
};

struct BulkAliasResult {
  std::vector<AliasInfo> moved;  // aliases whose target changed
  int64_t unchanged = 0;         // models whose alias already pointed at the chosen version
};

struct GarbageReport {
  int64_t objects = 0;          // objects examined
  int64_t unreferenced = 0;     // not used by any version
  int64_t deleted = 0;          // unreferenced and older than the grace period (0 on a dry run)
  int64_t deleted_bytes = 0;    // bytes of those (would-be deleted on a dry run)
  int64_t kept_recent = 0;      // unreferenced but younger than the grace period
  std::vector<std::string> deleted_sha256;  // what was (or, on a dry run, would be) deleted
};

struct Artifact {
  std::string model_name;
  int64_t version = 0;
  std::string format;
  std::string sha256;
  int64_t size = 0;
};

// Inspects an artifact before its version is registered. An error refuses the registration (a
// file the runtime cannot serve); null means "not a format it reads"; otherwise the signature
// the model declares, in the registry's schema ({"inputs": [{name, type}], "outputs": [...]}).
using ArtifactInspector = std::function<absl::StatusOr<Json>(const std::string& format, const std::string& sha256)>;

class Registry {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    storage::ObjectStore* objects = nullptr;
    Clock* clock = Clock::Real();
    ArtifactInspector inspect_artifact;  // optional (the server wires the model runtime in)
  };
  static absl::StatusOr<std::unique_ptr<Registry>> Create(Options options);

  // Models.
  absl::StatusOr<Model> CreateModel(const CreateModelRequest& req, const storage::AuditContext& ctx);
  absl::StatusOr<Model> GetModel(const std::string& name);
  absl::StatusOr<Page<Model>> SearchModels(const SearchRequest& req);
  absl::StatusOr<Model> UpdateModel(const std::string& name, const UpdateRequest& req, const storage::AuditContext& ctx);
  // FailedPrecondition while an alias points into the model, unless `force`.
  absl::Status DeleteModel(const std::string& name, bool force, const storage::AuditContext& ctx);

  // Versions.
  absl::StatusOr<ModelVersion> RegisterVersion(const std::string& model, const RegisterVersionRequest& req,
                                               const storage::AuditContext& ctx);
  // `ref` must name a version (NAME/VERSION or NAME@ALIAS).
  absl::StatusOr<ModelVersion> GetVersion(const ModelRef& ref);
  absl::StatusOr<Page<ModelVersion>> ListVersions(const std::string& model, int page_size, const std::string& page_token);
  absl::StatusOr<Page<ModelVersion>> SearchVersions(const SearchRequest& req);
  // Deletes one version (its number is never reused). FailedPrecondition while an alias
  // points at it. The artifact stays in the ObjectStore (other versions may share it).
  absl::Status DeleteVersion(const ModelRef& ref, const storage::AuditContext& ctx);
  absl::StatusOr<ModelVersion> UpdateVersion(const ModelRef& ref, const UpdateRequest& req, const storage::AuditContext& ctx);

  // Metric series.
  absl::Status LogMetrics(const ModelRef& ref, const std::vector<MetricPoint>& points, const storage::AuditContext& ctx);
  absl::StatusOr<std::vector<MetricPoint>> MetricHistory(const ModelRef& ref, const std::string& key);

  // Aliases.
  absl::StatusOr<AliasInfo> SetAlias(const std::string& model, const std::string& alias, int64_t version,
                                     const storage::AuditContext& ctx);
  absl::Status DeleteAlias(const std::string& model, const std::string& alias, const storage::AuditContext& ctx);
  absl::StatusOr<std::vector<AliasInfo>> ListAliases(const std::string& model);
  absl::StatusOr<std::vector<AliasEvent>> AliasHistory(const std::string& model, const std::optional<std::string>& alias);
  // Points `alias` at the newest version matching `filter` in every model that has one, in
  // one transaction. `dry_run` computes the moves without applying them.
  absl::StatusOr<BulkAliasResult> BulkSetAlias(const std::string& alias, const std::string& filter, bool dry_run,
                                               const storage::AuditContext& ctx);

  // Records in the audit log that an artifact was stored (uploads are mutations too).
  absl::Status RecordArtifactUpload(const storage::ObjectInfo& info, const storage::AuditContext& ctx);

  // Deletes artifacts no version references and stored more than `grace_micros` ago (uploads
  // awaiting registration are younger than any sensible grace). Audited as artifact.gc.
  absl::StatusOr<GarbageReport> CollectGarbage(int64_t grace_micros, bool dry_run, const storage::AuditContext& ctx);

  // Resolves `ref` to its artifact and records the download in the audit log.
  absl::StatusOr<Artifact> ArtifactForDownload(const ModelRef& ref, const storage::AuditContext& ctx);

 private:
  explicit Registry(Options options) : options_(options), audit_(options.clock) {}

  Options options_;
  storage::AuditLog audit_;
};

}  // namespace plinth::registry
