#include "plinth/features/dataset_store.h"

#include "plinth/base/names.h"
#include "plinth/base/time.h"

namespace plinth::features {

using storage::SqlRow;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;

namespace {

constexpr char kColumns[] = "name, version, table_path, table_version, row_count, lineage, created_at, created_by";

absl::StatusOr<Dataset> DatasetFromRow(const SqlRow& r) {
  Dataset d;
  d.name = r.Text(0);
  d.version = r.Int(1);
  d.table_path = r.Text(2);
  d.table_version = r.Int(3);
  d.row_count = r.Int(4);
  auto lineage = ParseJson(r.Text(5));
  if (!lineage.ok()) return absl::DataLossError(StrCat("dataset '", d.name, "' v", d.version, ": stored lineage is not JSON"));
  d.lineage = std::move(*lineage);
  d.created_at = r.Int(6);
  d.created_by = r.Text(7);
  return d;
}

}  // namespace

Json Dataset::ToJson() const {
  return {{"name", name},
          {"version", version},
          {"table_path", table_path},
          {"table_version", table_version},
          {"row_count", row_count},
          {"lineage", lineage},
          {"created_at", FormatTimestamp(created_at)},
          {"created_by", created_by}};
}

absl::StatusOr<std::unique_ptr<DatasetStore>> DatasetStore::Create(Options options) {
  if (options.meta == nullptr) return absl::InvalidArgumentError("DatasetStore needs a MetaStore");
  if (options.clock == nullptr) options.clock = Clock::Real();
  return std::unique_ptr<DatasetStore>(new DatasetStore(options));
}

absl::StatusOr<Dataset> DatasetStore::Register(const NewDataset& d, const storage::AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("dataset name", d.name));
  Dataset out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT COALESCE(MAX(version), 0) FROM datasets WHERE name = ?", {d.name}));
    const int64_t version = rows.empty() ? 1 : rows[0].Int(0) + 1;
    const int64_t now = options_.clock->NowMicros();
    PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO datasets (name, version, table_path, table_version, row_count, lineage, "
                                    "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    {d.name, version, d.table_path, d.table_version, d.row_count, DumpJson(d.lineage), now,
                                     ctx.actor})
                               .status());
    Json details = {{"table_path", d.table_path}, {"table_version", d.table_version}, {"row_count", d.row_count}};
    PLINTH_RETURN_IF_ERROR(
        audit_.Append(txn, ctx, "dataset.create", StrCat("datasets/", d.name, "/versions/", version), DumpJson(details)));
    out = Dataset{d.name, version, d.table_path, d.table_version, d.row_count, d.lineage, now, ctx.actor};
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Dataset>> DatasetStore::List(std::optional<std::string> name) {
  std::vector<Dataset> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    out.clear();
    SqlRows rows;
    if (name) {
      PLINTH_ASSIGN_OR_RETURN(rows, txn.Query(StrCat("SELECT ", kColumns, " FROM datasets WHERE name = ? ORDER BY version DESC"),
                                              {*name}));
    } else {
      PLINTH_ASSIGN_OR_RETURN(rows, txn.Query(StrCat("SELECT ", kColumns, " FROM datasets d WHERE version = "
                                                     "(SELECT MAX(version) FROM datasets e WHERE e.name = d.name) ORDER BY name")));
    }
    for (const SqlRow& r : rows) {
      PLINTH_ASSIGN_OR_RETURN(Dataset d, DatasetFromRow(r));
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Dataset> DatasetStore::Get(const std::string& name, std::optional<int64_t> version) {
  PLINTH_RETURN_IF_ERROR(ValidateName("dataset name", name));
  std::optional<Dataset> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    SqlRows rows;
    if (version) {
      PLINTH_ASSIGN_OR_RETURN(rows, txn.Query(StrCat("SELECT ", kColumns, " FROM datasets WHERE name = ? AND version = ?"),
                                              {name, *version}));
    } else {
      PLINTH_ASSIGN_OR_RETURN(rows, txn.Query(StrCat("SELECT ", kColumns, " FROM datasets WHERE name = ? "
                                                     "ORDER BY version DESC LIMIT 1"),
                                              {name}));
    }
    if (!rows.empty()) {
      PLINTH_ASSIGN_OR_RETURN(Dataset d, DatasetFromRow(rows[0]));
      out = std::move(d);
    }
    return absl::OkStatus();
  }));
  if (!out) {
    return absl::NotFoundError(version ? StrCat("dataset '", name, "' has no version ", *version)
                                       : StrCat("dataset '", name, "' not found"));
  }
  return *out;
}

}  // namespace plinth::features
