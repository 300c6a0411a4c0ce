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
  int page_size = 0;
  size_t key_count = 0;  // the query returns the sort keys; the last one is the row id
};

absl::StatusOr<PreparedSearch> Prepare(SearchTarget target, const SearchRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(auto filter, ParseFilter(req.filter));
  PLINTH_ASSIGN_OR_RETURN(auto order, ParseOrderBy(req.order_by));
  PLINTH_ASSIGN_OR_RETURN(CompiledSearch q, CompileSearch(target, filter.get(), order));
  PreparedSearch p;
  p.page_size = std::clamp(req.page_size, 1, 1000);
  p.fingerprint = StrCat(target == SearchTarget::kVersions ? "v" : "m", "\n", req.filter, "\n", req.order_by);
  PLINTH_ASSIGN_OR_RETURN(std::vector<SqlValue> cursor, DecodePageToken(req.page_token, p.fingerprint));
  p.params = q.join_params;
  p.params.insert(p.params.end(), q.where_params.begin(), q.where_params.end());
  std::string where = q.where;
  if (!cursor.empty()) {
    PLINTH_ASSIGN_OR_RETURN(std::string after, KeysetAfter(q, cursor, &p.params));
    where = StrCat("(", q.where, ") AND ", after);
  }
  std::vector<std::string> selected;
  for (const SortKey& k : q.keys) selected.push_back(k.expr);
  p.key_count = q.keys.size();
  std::string from = target == SearchTarget::kVersions ? "model_versions v JOIN models m ON m.id = v.model_id" : "models m";
  p.sql = StrCat("SELECT ", StrJoin(selected, ", "), " FROM ", from, q.joins, " WHERE ", where, " ORDER BY ", q.order_by,
                 " LIMIT ?");
  p.params.emplace_back(int64_t{p.page_size + 1});
  return p;
}

template <typename T, typename Loader>
absl::StatusOr<Page<T>> RunSearch(storage::MetaStore& meta, const PreparedSearch& p, Loader&& load) {
  Page<T> page;
  PLINTH_RETURN_IF_ERROR(meta.Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(p.sql, p.params));
    std::vector<int64_t> ids;
    for (const auto& r : rows) ids.push_back(r.Int(p.key_count - 1));
    if (static_cast<int>(ids.size()) > p.page_size) {
      ids.pop_back();
      const storage::SqlRow& last = rows[p.page_size - 1];
      std::vector<SqlValue> cursor;
      for (size_t i = 0; i < p.key_count; ++i) cursor.push_back(last.Value(i));
      page.next_page_token = EncodePageToken(cursor, p.fingerprint);
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
