// Search over models and versions with the filter language (filter.h, search_query.h).
#include "plinth/registry/filter.h"
#include "plinth/registry/registry.h"
#include "plinth/registry/registry_sql.h"
#include "plinth/registry/search_query.h"

namespace plinth::registry {

using storage::SqlRows;
using storage::SqlTransaction;
using storage::SqlValue;
using storage::TxnMode;
using namespace internal;  // NOLINT

namespace {

struct PreparedSearch {
  std::string sql;
  std::vector<SqlValue> params;
  std::string fingerprint;
  int64_t offset = 0;
  int page_size = 0;
};

absl::StatusOr<PreparedSearch> Prepare(SearchTarget target, const SearchRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(auto filter, ParseFilter(req.filter));
  PLINTH_ASSIGN_OR_RETURN(auto order, ParseOrderBy(req.order_by));
  PLINTH_ASSIGN_OR_RETURN(CompiledSearch q, CompileSearch(target, filter.get(), order));
  PreparedSearch p;
  p.page_size = std::clamp(req.page_size, 1, 1000);
  p.fingerprint = StrCat(target == SearchTarget::kVersions ? "v" : "m", "\n", req.filter, "\n", req.order_by);
  PLINTH_ASSIGN_OR_RETURN(p.offset, DecodePageToken(req.page_token, p.fingerprint));
  if (target == SearchTarget::kVersions) {
    p.sql = StrCat("SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id", q.joins, " WHERE ", q.where,
                         " ORDER BY ", q.order_by, " LIMIT ? OFFSET ?");
  } else {
    p.sql = StrCat("SELECT m.id FROM models m", q.joins, " WHERE ", q.where, " ORDER BY ", q.order_by, " LIMIT ? OFFSET ?");
  }
  p.params = q.join_params;
  p.params.insert(p.params.end(), q.where_params.begin(), q.where_params.end());
  p.params.emplace_back(int64_t{p.page_size + 1});
  p.params.emplace_back(p.offset);
  return p;
}

template <typename T, typename Loader>
absl::StatusOr<Page<T>> RunSearch(storage::MetaStore& meta, const PreparedSearch& p, Loader&& load) {
  Page<T> page;
  PLINTH_RETURN_IF_ERROR(meta.Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(p.sql, p.params));
    std::vector<int64_t> ids;
    for (const auto& r : rows) ids.push_back(r.Int(0));
    if (static_cast<int>(ids.size()) > p.page_size) {
      ids.pop_back();
      page.next_page_token = EncodePageToken(p.offset + p.page_size, p.fingerprint);
    }
    PLINTH_ASSIGN_OR_RETURN(page.items, load(txn, ids));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace

absl::StatusOr<Page<Model>> Registry::SearchModels(const SearchRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(PreparedSearch p, Prepare(SearchTarget::kModels, req));
  return RunSearch<Model>(*options_.meta, p, LoadModels);
}

absl::StatusOr<Page<ModelVersion>> Registry::SearchVersions(const SearchRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(PreparedSearch p, Prepare(SearchTarget::kVersions, req));
  return RunSearch<ModelVersion>(*options_.meta, p, LoadVersions);
}

}  // namespace plinth::registry
