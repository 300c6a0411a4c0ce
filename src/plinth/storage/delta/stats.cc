#include "plinth/storage/delta/stats.h"

#include "plinth/storage/delta/json_fields.h"

namespace plinth::delta {

namespace {

absl::Status TakeObject(const internal::FieldReader& r, std::string_view key, Json* out) {
  const Json* v = r.Get(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_object()) return absl::InvalidArgumentError(StrCat(r.Where(key), " is not an object"));
  *out = *v;
  return absl::OkStatus();
}

const Json* Lookup(const Json& obj, std::string_view column) {
  auto it = obj.find(std::string(column));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

absl::StatusOr<FileStats> FileStats::Parse(std::string_view stats_json) {
  absl::StatusOr<Json> j = ParseJson(stats_json);
  if (!j.ok()) return absl::InvalidArgumentError(StrCat("stats: ", j.status().message()));
  if (!j->is_object()) return absl::InvalidArgumentError("stats is not a JSON object");
  internal::FieldReader r(*j, "stats");
  FileStats s;
  PLINTH_ASSIGN_OR_RETURN(s.num_records, r.OptInt("numRecords"));
  PLINTH_ASSIGN_OR_RETURN(s.tight_bounds, r.OptBool("tightBounds"));
  PLINTH_RETURN_IF_ERROR(TakeObject(r, "minValues", &s.min_values));
  PLINTH_RETURN_IF_ERROR(TakeObject(r, "maxValues", &s.max_values));
  PLINTH_RETURN_IF_ERROR(TakeObject(r, "nullCount", &s.null_count));
  return s;
}

const Json* FileStats::Min(std::string_view column) const { return Lookup(min_values, column); }
const Json* FileStats::Max(std::string_view column) const { return Lookup(max_values, column); }

std::optional<int64_t> FileStats::NullCount(std::string_view column) const {
  const Json* v = Lookup(null_count, column);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

}  // namespace plinth::delta
