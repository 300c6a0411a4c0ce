// Models and versions. Aliases: registry_aliases.cc. Search: registry_search.cc.
#include "plinth/registry/registry.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "plinth/base/names.h"
#include "plinth/base/sha256.h"
#include "plinth/registry/registry_sql.h"

namespace plinth::registry {

using storage::AuditContext;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;
using namespace internal;  // NOLINT: registry-internal helpers

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(Options options) {
  if (options.meta == nullptr || options.objects == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("Registry needs a meta store, an object store and a clock");
  }
  return std::unique_ptr<Registry>(new Registry(options));
}

namespace {
absl::Status ValidateText(std::string_view what, const std::string& text, size_t max) {
  if (text.size() > max) return absl::InvalidArgumentError(StrCat(what, " is longer than ", max, " bytes"));
  return absl::OkStatus();
}

std::string Resource(const std::string& model) { return StrCat("models/", model); }
std::string Resource(const std::string& model, int64_t version) {
  return StrCat("models/", model, "/versions/", version);
}
}  // namespace

absl::StatusOr<Model> Registry::CreateModel(const CreateModelRequest& req, const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", req.name));
  PLINTH_RETURN_IF_ERROR(ValidateText("description", req.description, 65536));
  PLINTH_RETURN_IF_ERROR(ValidateTags(req.tags, "tag"));
  int64_t now = options_.clock->NowMicros();
  Model out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    auto rows = txn.Query(
        "INSERT INTO models (name, description, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
        {req.name, req.description, now, now, ctx.actor});
    if (absl::IsAlreadyExists(rows.status())) return absl::AlreadyExistsError(StrCat("model '", req.name, "' already exists"));
    PLINTH_RETURN_IF_ERROR(rows.status());
    int64_t id = (*rows)[0].Int(0);
    PLINTH_RETURN_IF_ERROR(UpsertKeyValues(txn, "model_tags", "model_id", id, req.tags));
    PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "model.create", Resource(req.name),
                                         DumpJson({{"description", req.description}, {"tags", req.tags}})));
    PLINTH_ASSIGN_OR_RETURN(auto models, LoadModels(txn, {id}));
    out = std::move(models.at(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Model> Registry::GetModel(const std::string& name) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", name));
  Model out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t id, FindModelId(txn, name));
    PLINTH_ASSIGN_OR_RETURN(auto models, LoadModels(txn, {id}));
    out = std::move(models.at(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Model> Registry::UpdateModel(const std::string& name, const UpdateRequest& req, const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", name));
  if (req.description) PLINTH_RETURN_IF_ERROR(ValidateText("description", *req.description, 65536));
  PLINTH_RETURN_IF_ERROR(ValidateTags(req.set_tags, "tag"));
  for (const auto& k : req.remove_tags) PLINTH_RETURN_IF_ERROR(ValidateKey("tag key", k));
  int64_t now = options_.clock->NowMicros();
  Model out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t id, FindModelId(txn, name));
    if (req.description) {
      PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE models SET description = ? WHERE id = ?", {*req.description, id}).status());
    }
    PLINTH_RETURN_IF_ERROR(UpsertKeyValues(txn, "model_tags", "model_id", id, req.set_tags));
    PLINTH_RETURN_IF_ERROR(DeleteKeys(txn, "model_tags", "model_id", id, req.remove_tags));
    PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE models SET updated_at = ? WHERE id = ?", {now, id}).status());
    Json details = {{"set_tags", req.set_tags}, {"remove_tags", req.remove_tags}};
    if (req.description) details["description"] = *req.description;
    PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "model.update", Resource(name), DumpJson(details)));
    PLINTH_ASSIGN_OR_RETURN(auto models, LoadModels(txn, {id}));
    out = std::move(models.at(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status Registry::DeleteModel(const std::string& name, bool force, const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", name));
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t id, FindModelId(txn, name));
    PLINTH_ASSIGN_OR_RETURN(SqlRows aliases,
                            txn.Query("SELECT a.alias, v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id "
                                      "WHERE a.model_id = ? ORDER BY a.alias",
                                      {id}));
    if (!aliases.empty() && !force) {
      std::string list;
      for (const auto& r : aliases) StrAppend(&list, list.empty() ? "" : ", ", r.Text(0), "->", r.Int(1));
      return absl::FailedPreconditionError(StrCat("model '", name, "' has aliases (", list,
                                                        "); delete them first or pass force"));
    }
    PLINTH_ASSIGN_OR_RETURN(SqlRows count, txn.Query("SELECT COUNT(*) FROM model_versions WHERE model_id = ?", {id}));
    // Aliases reference versions without cascade, so they go first; the schema's ON DELETE
    // CASCADE removes versions, tags, params, metrics and histories with the model.
    PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM aliases WHERE model_id = ?", {id}).status());
    PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM models WHERE id = ?", {id}).status());
    Json details = {{"force", force}, {"versions", count[0].Int(0)}, {"aliases_removed", aliases.size()}};
    return audit_.Append(txn, ctx, "model.delete", Resource(name), DumpJson(details));
  });
}

absl::StatusOr<ModelVersion> Registry::RegisterVersion(const std::string& model, const RegisterVersionRequest& req,
                                                       const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", model));
  if (std::find(std::begin(kFormats), std::end(kFormats), req.format) == std::end(kFormats)) {
    return absl::InvalidArgumentError(StrCat("unknown format '", req.format,
                                                   "': use xgboost-json, xgboost-ubj, lightgbm-text, linear-json or other"));
  }
  if (!IsSha256Hex(req.artifact_sha256)) {
    return absl::InvalidArgumentError("artifact sha256 must be 64 lowercase hex characters (upload the artifact first)");
  }
  PLINTH_RETURN_IF_ERROR(ValidateSignature(req.signature));
  PLINTH_RETURN_IF_ERROR(ValidateText("description", req.description, 65536));
  PLINTH_RETURN_IF_ERROR(ValidateTags(req.tags, "tag"));
  PLINTH_RETURN_IF_ERROR(ValidateTags(req.params, "param"));
  for (const auto& [k, v] : req.metrics) {
    PLINTH_RETURN_IF_ERROR(ValidateKey("metric key", k));
    if (!std::isfinite(v)) return absl::InvalidArgumentError(StrCat("metric '", k, "' must be a finite number"));
  }
  for (const auto* s : {&req.lineage.source_run, &req.lineage.git_commit, &req.lineage.parent, &req.lineage.training_dataset}) {
    PLINTH_RETURN_IF_ERROR(ValidateText("lineage field", *s, 1024));
  }
  if (!req.lineage.training_dataset.empty()) {
    size_t at = req.lineage.training_dataset.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == req.lineage.training_dataset.size()) {
      return absl::InvalidArgumentError(StrCat("lineage.training_dataset '", req.lineage.training_dataset,
                                                     "' must be TABLE@VERSION"));
    }
  }
  auto info = options_.objects->Stat(req.artifact_sha256);
  if (absl::IsNotFound(info.status())) {
    return absl::FailedPreconditionError(StrCat("artifact ", req.artifact_sha256, " has not been uploaded"));
  }
  PLINTH_RETURN_IF_ERROR(info.status());
  Json signature = req.signature;
  if (options_.inspect_artifact) {
    PLINTH_ASSIGN_OR_RETURN(Json declared, options_.inspect_artifact(req.format, req.artifact_sha256));
    if (!declared.is_null()) PLINTH_RETURN_IF_ERROR(MergeModelSignature(declared, signature));
  }

  int64_t now = options_.clock->NowMicros();
  ModelVersion out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    auto model_id = FindModelId(txn, model);
    if (absl::IsNotFound(model_id.status()) && req.create_model) {
      PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("INSERT INTO models (name, description, created_at, updated_at, created_by) "
                                                      "VALUES (?, '', ?, ?, ?) RETURNING id",
                                                      {model, now, now, ctx.actor}));
      model_id = rows[0].Int(0);
      PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "model.create", Resource(model), "{}"));
    }
    PLINTH_RETURN_IF_ERROR(model_id.status());
    // The counter bump serializes registrations of one model: no gaps, no duplicates.
    PLINTH_ASSIGN_OR_RETURN(SqlRows bumped, txn.Query("UPDATE models SET last_version = last_version + 1, updated_at = ? "
                                                      "WHERE id = ? RETURNING last_version",
                                                      {now, *model_id}));
    int64_t version = bumped[0].Int(0);
    PLINTH_ASSIGN_OR_RETURN(
        SqlRows inserted,
        txn.Query("INSERT INTO model_versions (model_id, version, format, artifact_sha256, artifact_size, signature, "
                  "description, source_run, training_dataset, git_commit, parent, created_at, updated_at, created_by) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {*model_id, version, req.format, req.artifact_sha256, info->size, DumpJson(signature),
                   req.description, req.lineage.source_run, req.lineage.training_dataset, req.lineage.git_commit,
                   req.lineage.parent, now, now, ctx.actor}));
    int64_t version_id = inserted[0].Int(0);
    PLINTH_RETURN_IF_ERROR(UpsertKeyValues(txn, "version_tags", "version_id", version_id, req.tags));
    PLINTH_RETURN_IF_ERROR(UpsertKeyValues(txn, "version_params", "version_id", version_id, req.params));
    for (const auto& [k, v] : req.metrics) {
      PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO version_metrics (version_id, key, value, step, ts) VALUES (?, ?, ?, 0, ?)",
                                      {version_id, k, v, now})
                                 .status());
      PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO metric_history (version_id, key, value, step, ts) VALUES (?, ?, ?, 0, ?)",
                                      {version_id, k, v, now})
                                 .status());
    }
    Json details = {{"format", req.format}, {"sha256", req.artifact_sha256}, {"size", info->size}};
    PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "version.register", Resource(model, version), DumpJson(details)));
    PLINTH_ASSIGN_OR_RETURN(auto versions, LoadVersions(txn, {version_id}));
    out = std::move(versions.at(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<ModelVersion> Registry::GetVersion(const ModelRef& ref) {
  ModelVersion out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ref));
    PLINTH_ASSIGN_OR_RETURN(auto versions, LoadVersions(txn, {key.version_id}));
    out = std::move(versions.at(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Page<ModelVersion>> Registry::ListVersions(const std::string& model, int page_size, const std::string& page_token) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", model));
  page_size = std::clamp(page_size, 1, 1000);
  std::string fingerprint = StrCat("versions:", model);
  PLINTH_ASSIGN_OR_RETURN(std::vector<storage::SqlValue> cursor, DecodePageToken(page_token, fingerprint));
  if (!cursor.empty() && (cursor.size() != 1 || !std::holds_alternative<int64_t>(cursor[0]))) {
    return absl::InvalidArgumentError("invalid page_token: pass back the next_page_token of the same query");
  }
  const int64_t before = cursor.empty() ? std::numeric_limits<int64_t>::max() : std::get<int64_t>(cursor[0]);
  Page<ModelVersion> page;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t model_id, FindModelId(txn, model));
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT id, version FROM model_versions WHERE model_id = ? AND version < ? "
                                                    "ORDER BY version DESC LIMIT ?",
                                                    {model_id, before, int64_t{page_size + 1}}));
    std::vector<int64_t> ids;
    for (const auto& r : rows) ids.push_back(r.Int(0));
    if (static_cast<int>(ids.size()) > page_size) {
      ids.pop_back();
      page.next_page_token = EncodePageToken({rows[page_size - 1].Value(1)}, fingerprint);
    }
    PLINTH_ASSIGN_OR_RETURN(page.items, LoadVersions(txn, ids));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<ModelVersion> Registry::UpdateVersion(const ModelRef& ref, const UpdateRequest& req, const AuditContext& ctx) {
  if (req.description) PLINTH_RETURN_IF_ERROR(ValidateText("description", *req.description, 65536));
  PLINTH_RETURN_IF_ERROR(ValidateTags(req.set_tags, "tag"));
  for (const auto& k : req.remove_tags) PLINTH_RETURN_IF_ERROR(ValidateKey("tag key", k));
  int64_t now = options_.clock->NowMicros();
  ModelVersion out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ref));
    if (req.description) {
      PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE model_versions SET description = ? WHERE id = ?", {*req.description, key.version_id}).status());
    }
    PLINTH_RETURN_IF_ERROR(UpsertKeyValues(txn, "version_tags", "version_id", key.version_id, req.set_tags));
    PLINTH_RETURN_IF_ERROR(DeleteKeys(txn, "version_tags", "version_id", key.version_id, req.remove_tags));
    PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE model_versions SET updated_at = ? WHERE id = ?", {now, key.version_id}).status());
    Json details = {{"set_tags", req.set_tags}, {"remove_tags", req.remove_tags}};
    if (req.description) details["description"] = *req.description;
    PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "version.update", Resource(ref.name, key.version), DumpJson(details)));
    PLINTH_ASSIGN_OR_RETURN(auto versions, LoadVersions(txn, {key.version_id}));
    out = std::move(versions.at(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status Registry::DeleteVersion(const ModelRef& ref, const AuditContext& ctx) {
  int64_t now = options_.clock->NowMicros();
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ref));
    PLINTH_ASSIGN_OR_RETURN(SqlRows aliases, txn.Query("SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias", {key.version_id}));
    if (!aliases.empty()) {
      std::string list;
      for (const auto& r : aliases) StrAppend(&list, list.empty() ? "" : ", ", r.Text(0));
      return absl::FailedPreconditionError(StrCat("version ", key.version, " of model '", ref.name, "' is aliased (", list,
                                                  "); move or delete the aliases first"));
    }
    // ON DELETE CASCADE removes its tags, params, metrics and metric history.
    PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM model_versions WHERE id = ?", {key.version_id}).status());
    PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE models SET updated_at = ? WHERE id = ?", {now, key.model_id}).status());
    return audit_.Append(txn, ctx, "version.delete", Resource(ref.name, key.version), "{}");
  });
}

absl::Status Registry::LogMetrics(const ModelRef& ref, const std::vector<MetricPoint>& points, const AuditContext& ctx) {
  if (points.empty()) return absl::InvalidArgumentError("no metrics given");
  if (points.size() > 10000) return absl::InvalidArgumentError("at most 10000 metric points per call");
  for (const auto& p : points) {
    PLINTH_RETURN_IF_ERROR(ValidateKey("metric key", p.key));
    if (!std::isfinite(p.value)) return absl::InvalidArgumentError(StrCat("metric '", p.key, "' must be a finite number"));
  }
  int64_t now = options_.clock->NowMicros();
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ref));
    for (const auto& p : points) {
      int64_t ts = p.timestamp ? p.timestamp : now;
      PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO metric_history (version_id, key, value, step, ts) VALUES (?, ?, ?, ?, ?)",
                                      {key.version_id, p.key, p.value, p.step, ts})
                                 .status());
      // The searchable value is the one at the highest step (latest timestamp breaks ties).
      PLINTH_RETURN_IF_ERROR(
          txn.Exec("INSERT INTO version_metrics (version_id, key, value, step, ts) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (version_id, key) DO UPDATE SET value = excluded.value, step = excluded.step, ts = excluded.ts "
                   "WHERE excluded.step > version_metrics.step OR "
                   "(excluded.step = version_metrics.step AND excluded.ts >= version_metrics.ts)",
                   {key.version_id, p.key, p.value, p.step, ts})
              .status());
    }
    Json details = {{"points", points.size()}};
    return audit_.Append(txn, ctx, "metrics.log", Resource(ref.name, key.version), DumpJson(details));
  });
}

absl::StatusOr<std::vector<MetricPoint>> Registry::MetricHistory(const ModelRef& ref, const std::string& key_name) {
  PLINTH_RETURN_IF_ERROR(ValidateKey("metric key", key_name));
  std::vector<MetricPoint> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ref));
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT value, step, ts FROM metric_history WHERE version_id = ? AND key = ? "
                                                    "ORDER BY step, ts, id",
                                                    {key.version_id, key_name}));
    for (const auto& r : rows) out.push_back({key_name, r.Double(0), r.Int(1), r.Int(2)});
    return absl::OkStatus();
  }));
  return out;
}

absl::Status Registry::RecordArtifactUpload(const storage::ObjectInfo& info, const AuditContext& ctx) {
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    return audit_.Append(txn, ctx, "artifact.upload", StrCat("artifacts/", info.sha256),
                         DumpJson({{"sha256", info.sha256}, {"size", info.size}}));
  });
}

absl::StatusOr<GarbageReport> Registry::CollectGarbage(int64_t grace_micros, bool dry_run, const AuditContext& ctx) {
  if (grace_micros < 0) return absl::InvalidArgumentError("grace period must not be negative");
  // List first, then read the references: an object registered after the listing is in the
  // reference set, and one uploaded after it is not listed, so neither can be deleted.
  PLINTH_ASSIGN_OR_RETURN(std::vector<storage::ObjectEntry> objects, options_.objects->List());
  std::unordered_set<std::string> referenced;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT DISTINCT artifact_sha256 FROM model_versions", {}));
    for (const auto& r : rows) referenced.insert(r.Text(0));
    return absl::OkStatus();
  }));
  GarbageReport report;
  const int64_t cutoff = options_.clock->NowMicros() - grace_micros;
  report.objects = static_cast<int64_t>(objects.size());
  for (const auto& o : objects) {
    if (referenced.count(o.sha256)) continue;
    ++report.unreferenced;
    if (o.modified_micros > cutoff) {
      ++report.kept_recent;
      continue;
    }
    report.deleted_bytes += o.size;
    report.deleted_sha256.push_back(o.sha256);
    if (dry_run) continue;
    PLINTH_RETURN_IF_ERROR(options_.objects->Delete(o.sha256));
    ++report.deleted;
  }
  if (!dry_run) {
    Json details = {{"deleted", report.deleted}, {"deleted_bytes", report.deleted_bytes}, {"grace_seconds", grace_micros / 1'000'000}};
    PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) {
      return audit_.Append(txn, ctx, "artifact.gc", "artifacts", DumpJson(details));
    }));
  }
  return report;
}

absl::StatusOr<Artifact> Registry::ArtifactForDownload(const ModelRef& ref, const AuditContext& ctx) {
  Artifact out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ref));
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT format, artifact_sha256, artifact_size FROM model_versions WHERE id = ?",
                                                    {key.version_id}));
    out = Artifact{ref.name, key.version, rows[0].Text(0), rows[0].Text(1), rows[0].Int(2)};
    Json details = {{"sha256", out.sha256}, {"size", out.size}, {"requested", ref.ToString()}};
    return audit_.Append(txn, ctx, "artifact.download", Resource(ref.name, key.version), DumpJson(details));
  }));
  return out;
}

}  // namespace plinth::registry
