#include "plinth/serving/deployment_store.h"

#include "plinth/base/names.h"
#include "plinth/base/time.h"

namespace plinth::serving {

using storage::SqlRow;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;

namespace {

constexpr char kColumns[] = "name, spec, generation, created_at, updated_at, created_by, updated_by";

absl::StatusOr<Deployment> FromRow(const SqlRow& r) {
  Deployment d;
  d.name = r.Text(0);
  auto spec_json = ParseJson(r.Text(1));
  if (!spec_json.ok()) return absl::DataLossError(StrCat("deployment '", d.name, "': stored spec is not JSON"));
  auto spec = ParseDeploymentSpec(*spec_json);
  if (!spec.ok()) return absl::DataLossError(StrCat("deployment '", d.name, "': stored spec is invalid: ", spec.status().message()));
  d.spec = std::move(*spec);
  d.generation = r.Int(2);
  d.created_at = r.Int(3);
  d.updated_at = r.Int(4);
  d.created_by = r.Text(5);
  d.updated_by = r.Text(6);
  return d;
}

std::string Resource(const std::string& name) { return StrCat("deployments/", name); }

}  // namespace

Json Deployment::ToJson() const {
  return Json{{"name", name},
              {"spec", spec.ToJson()},
              {"generation", generation},
              {"created_at", FormatTimestamp(created_at)},
              {"updated_at", FormatTimestamp(updated_at)},
              {"created_by", created_by},
              {"updated_by", updated_by}};
}

absl::StatusOr<std::unique_ptr<DeploymentStore>> DeploymentStore::Create(Options options) {
  if (options.meta == nullptr) return absl::InvalidArgumentError("DeploymentStore needs a MetaStore");
  if (options.clock == nullptr) options.clock = Clock::Real();
  return std::unique_ptr<DeploymentStore>(new DeploymentStore(options));
}

absl::StatusOr<DeploymentStore::PutResult> DeploymentStore::Put(const std::string& name, const DeploymentSpec& spec,
                                                                const storage::AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", name));
  PLINTH_RETURN_IF_ERROR(ValidateDeploymentSpec(spec));
  const std::string spec_text = DumpJson(spec.ToJson());
  PutResult out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    int64_t now = options_.clock->NowMicros();
    PLINTH_ASSIGN_OR_RETURN(SqlRows updated,
                            txn.Query("UPDATE deployments SET spec = ?, generation = generation + 1, updated_at = ?, "
                                      "updated_by = ? WHERE name = ? RETURNING generation",
                                      {spec_text, now, ctx.actor, name}));
    out.created = updated.empty();
    int64_t generation = 1;
    if (out.created) {
      PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO deployments (name, spec, generation, created_at, updated_at, created_by, "
                                      "updated_by) VALUES (?, ?, 1, ?, ?, ?, ?)",
                                      {name, spec_text, now, now, ctx.actor, ctx.actor})
                                 .status());
    } else {
      generation = updated[0].Int(0);
    }
    Json details = {{"spec", spec.ToJson()}, {"generation", generation}};
    PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, out.created ? "deployment.create" : "deployment.update", Resource(name),
                                         DumpJson(details)));
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(StrCat("SELECT ", kColumns, " FROM deployments WHERE name = ?"), {name}));
    if (rows.empty()) return absl::InternalError("deployment vanished inside its own transaction");
    PLINTH_ASSIGN_OR_RETURN(out.deployment, FromRow(rows[0]));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Deployment> DeploymentStore::Get(const std::string& name) {
  PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", name));
  Deployment out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(StrCat("SELECT ", kColumns, " FROM deployments WHERE name = ?"), {name}));
    if (rows.empty()) return absl::NotFoundError(StrCat("deployment '", name, "' not found"));
    PLINTH_ASSIGN_OR_RETURN(out, FromRow(rows[0]));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Deployment>> DeploymentStore::List() {
  std::vector<Deployment> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    out.clear();
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(StrCat("SELECT ", kColumns, " FROM deployments ORDER BY name")));
    for (const auto& r : rows) {
      PLINTH_ASSIGN_OR_RETURN(Deployment d, FromRow(r));
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status DeploymentStore::Delete(const std::string& name, const storage::AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", name));
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("DELETE FROM deployments WHERE name = ? RETURNING generation", {name}));
    if (rows.empty()) return absl::NotFoundError(StrCat("deployment '", name, "' not found"));
    return audit_.Append(txn, ctx, "deployment.delete", Resource(name), DumpJson(Json{{"generation", rows[0].Int(0)}}));
  });
}

}  // namespace plinth::serving
