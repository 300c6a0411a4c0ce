#include "plinth/registry/registry_sql.h"

#include <unordered_map>

#include "plinth/base/base64.h"
#include "plinth/base/names.h"
#include "plinth/base/sha256.h"

namespace plinth::registry::internal {

using storage::SqlRow;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::SqlValue;

absl::StatusOr<int64_t> FindModelId(SqlTransaction& txn, const std::string& name) {
  PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT id FROM models WHERE name = ?", {name}));
  if (rows.empty()) return absl::NotFoundError(StrCat("model '", name, "' not found"));
  return rows[0].Int(0);
}

absl::StatusOr<VersionKey> ResolveVersion(SqlTransaction& txn, const ModelRef& ref) {
  PLINTH_ASSIGN_OR_RETURN(int64_t model_id, FindModelId(txn, ref.name));
  SqlRows rows;
  if (ref.version) {
    PLINTH_ASSIGN_OR_RETURN(rows, txn.Query("SELECT id, version FROM model_versions WHERE model_id = ? AND version = ?",
                                            {model_id, *ref.version}));
  } else if (ref.alias && *ref.alias == kLatestAlias) {
    PLINTH_ASSIGN_OR_RETURN(rows, txn.Query("SELECT id, version FROM model_versions WHERE model_id = ? ORDER BY version DESC LIMIT 1",
                                            {model_id}));
  } else if (ref.alias) {
    PLINTH_ASSIGN_OR_RETURN(rows, txn.Query("SELECT v.id, v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id "
                                            "WHERE a.model_id = ? AND a.alias = ?",
                                            {model_id, *ref.alias}));
  } else {
    return absl::InvalidArgumentError(StrCat("'", ref.name, "' names a model; name a version as NAME/VERSION or NAME@ALIAS"));
  }
  if (rows.empty()) {
    if (ref.alias && *ref.alias != kLatestAlias) return absl::NotFoundError(StrCat("alias '", *ref.alias, "' not found on model '", ref.name, "'"));
    if (ref.alias) return absl::NotFoundError(StrCat("model '", ref.name, "' has no versions"));
    return absl::NotFoundError(StrCat("version ", *ref.version, " of model '", ref.name, "' not found"));
  }
  return VersionKey{model_id, rows[0].Int(0), rows[0].Int(1)};
}

namespace {

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

std::vector<SqlValue> IdParams(const std::vector<int64_t>& ids) {
  std::vector<SqlValue> out;
  out.reserve(ids.size());
  for (int64_t id : ids) out.emplace_back(id);
  return out;
}

// Runs `sql` with "IN (...)" over `ids` in chunks to stay under parameter limits.
template <typename Fn>
absl::Status ForChunks(SqlTransaction& txn, const std::vector<int64_t>& ids, std::string_view sql_prefix,
                       std::string_view sql_suffix, Fn&& fn) {
  constexpr size_t kChunk = 500;
  for (size_t i = 0; i < ids.size(); i += kChunk) {
    std::vector<int64_t> part(ids.begin() + i, ids.begin() + std::min(ids.size(), i + kChunk));
    std::string sql = StrCat(sql_prefix, "(", Placeholders(part.size()), ")", sql_suffix);
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(sql, IdParams(part)));
    for (const SqlRow& r : rows) fn(r);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Model>> LoadModels(SqlTransaction& txn, const std::vector<int64_t>& ids) {
  std::unordered_map<int64_t, Model> by_id;
  PLINTH_RETURN_IF_ERROR(ForChunks(
      txn, ids, "SELECT id, name, description, created_at, updated_at, created_by, "
      "(SELECT MAX(version) FROM model_versions v WHERE v.model_id = models.id) FROM models WHERE id IN ", "",
      [&](const SqlRow& r) {
        Model m;
        m.id = r.Int(0);
        m.name = r.Text(1);
        m.description = r.Text(2);
        m.created_at = r.Int(3);
        m.updated_at = r.Int(4);
        m.created_by = r.Text(5);
        m.latest_version = r.Int(6);
        by_id[m.id] = std::move(m);
      }));
  PLINTH_RETURN_IF_ERROR(ForChunks(txn, ids, "SELECT model_id, key, value FROM model_tags WHERE model_id IN ", "",
                                   [&](const SqlRow& r) { by_id[r.Int(0)].tags[r.Text(1)] = r.Text(2); }));
  PLINTH_RETURN_IF_ERROR(ForChunks(
      txn, ids, "SELECT a.model_id, a.alias, v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id IN ",
      "", [&](const SqlRow& r) { by_id[r.Int(0)].aliases[r.Text(1)] = r.Int(2); }));
  std::vector<Model> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end() && it->second.id != 0) out.push_back(std::move(it->second));
  }
  return out;
}

absl::StatusOr<std::vector<ModelVersion>> LoadVersions(SqlTransaction& txn, const std::vector<int64_t>& ids) {
  std::unordered_map<int64_t, ModelVersion> by_id;
  absl::Status parse_error;
  PLINTH_RETURN_IF_ERROR(ForChunks(
      txn, ids,
      "SELECT v.id, v.model_id, m.name, v.version, v.format, v.artifact_sha256, v.artifact_size, v.signature, "
      "v.description, v.source_run, v.training_dataset, v.git_commit, v.parent, v.created_at, v.updated_at, v.created_by "
      "FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.id IN ",
      "", [&](const SqlRow& r) {
        ModelVersion v;
        v.id = r.Int(0);
        v.model_id = r.Int(1);
        v.model_name = r.Text(2);
        v.version = r.Int(3);
        v.format = r.Text(4);
        v.artifact_sha256 = r.Text(5);
        v.artifact_size = r.Int(6);
        v.signature = Json::parse(r.Text(7), nullptr, false);
        if (v.signature.is_discarded()) v.signature = Json::object();
        v.description = r.Text(8);
        v.lineage = {r.Text(9), r.Text(10), r.Text(11), r.Text(12)};
        v.created_at = r.Int(13);
        v.updated_at = r.Int(14);
        v.created_by = r.Text(15);
        by_id[v.id] = std::move(v);
      }));
  PLINTH_RETURN_IF_ERROR(ForChunks(txn, ids, "SELECT version_id, key, value FROM version_tags WHERE version_id IN ", "",
                                   [&](const SqlRow& r) { by_id[r.Int(0)].tags[r.Text(1)] = r.Text(2); }));
  PLINTH_RETURN_IF_ERROR(ForChunks(txn, ids, "SELECT version_id, key, value FROM version_params WHERE version_id IN ", "",
                                   [&](const SqlRow& r) { by_id[r.Int(0)].params[r.Text(1)] = r.Text(2); }));
  PLINTH_RETURN_IF_ERROR(ForChunks(txn, ids, "SELECT version_id, key, value, step, ts FROM version_metrics WHERE version_id IN ", "",
                                   [&](const SqlRow& r) {
                                     by_id[r.Int(0)].metrics[r.Text(1)] = MetricPoint{r.Text(1), r.Double(2), r.Int(3), r.Int(4)};
                                   }));
  PLINTH_RETURN_IF_ERROR(ForChunks(txn, ids, "SELECT version_id, alias FROM aliases WHERE version_id IN ", " ORDER BY alias",
                                   [&](const SqlRow& r) { by_id[r.Int(0)].aliases.push_back(r.Text(1)); }));
  std::vector<ModelVersion> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end() && it->second.id != 0) out.push_back(std::move(it->second));
  }
  return out;
}

absl::Status UpsertKeyValues(SqlTransaction& txn, std::string_view table, std::string_view owner_col, int64_t owner_id,
                             const std::map<std::string, std::string>& values) {
  std::string sql = StrCat("INSERT INTO ", table, " (", owner_col, ", key, value) VALUES (?, ?, ?) ON CONFLICT (",
                                 owner_col, ", key) DO UPDATE SET value = excluded.value");
  for (const auto& [k, v] : values) {
    PLINTH_RETURN_IF_ERROR(txn.Exec(sql, {owner_id, k, v}).status());
  }
  return absl::OkStatus();
}

absl::Status DeleteKeys(SqlTransaction& txn, std::string_view table, std::string_view owner_col, int64_t owner_id,
                        const std::vector<std::string>& keys) {
  std::string sql = StrCat("DELETE FROM ", table, " WHERE ", owner_col, " = ? AND key = ?");
  for (const auto& k : keys) PLINTH_RETURN_IF_ERROR(txn.Exec(sql, {owner_id, k}).status());
  return absl::OkStatus();
}

std::string EncodePageToken(const std::vector<SqlValue>& cursor, const std::string& fingerprint) {
  Json keys = Json::array();
  for (const SqlValue& v : cursor) {
    if (auto* iv = std::get_if<int64_t>(&v)) keys.push_back(*iv);
    else if (auto* dv = std::get_if<double>(&v)) keys.push_back(*dv);
    else if (auto* sv = std::get_if<std::string>(&v)) keys.push_back(*sv);
    else keys.push_back(nullptr);
  }
  return Base64UrlEncode(DumpJson(Json{{"k", keys}, {"q", Sha256Hex(fingerprint).substr(0, 12)}}));
}

absl::StatusOr<std::vector<SqlValue>> DecodePageToken(const std::string& token, const std::string& fingerprint) {
  std::vector<SqlValue> cursor;
  if (token.empty()) return cursor;
  auto bad = absl::InvalidArgumentError("invalid page_token: pass back the next_page_token of the same query");
  auto raw = Base64UrlDecode(token);
  if (!raw) return bad;
  Json j = Json::parse(*raw, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("k") || !j["k"].is_array() || !j.contains("q") ||
      !j["q"].is_string() || j["k"].empty() || j["k"].size() > 16) {
    return bad;
  }
  if (j["q"].get<std::string>() != Sha256Hex(fingerprint).substr(0, 12)) {
    return absl::InvalidArgumentError("page_token belongs to a different query (filter or order changed)");
  }
  for (const Json& k : j["k"]) {
    if (k.is_null()) cursor.emplace_back(std::monostate{});
    else if (k.is_number_integer()) cursor.emplace_back(k.get<int64_t>());
    else if (k.is_number_float()) cursor.emplace_back(k.get<double>());
    else if (k.is_string()) cursor.emplace_back(k.get<std::string>());
    else return bad;
  }
  return cursor;
}

absl::Status ValidateTags(const std::map<std::string, std::string>& tags, std::string_view what) {
  if (tags.size() > 1000) return absl::InvalidArgumentError(StrCat("too many ", what, " (max 1000)"));
  for (const auto& [k, v] : tags) {
    PLINTH_RETURN_IF_ERROR(ValidateKey(StrCat(what, " key"), k));
    if (v.size() > 65536) return absl::InvalidArgumentError(StrCat(what, " '", k, "' is longer than 65536 bytes"));
  }
  return absl::OkStatus();
}

}  // namespace plinth::registry::internal
