#include "plinth/features/source_schema.h"

namespace plinth::features {

using columnar::TypeId;

namespace {

bool IsInteger(TypeId id) {
  switch (id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
      return true;
    default:
      return false;
  }
}

bool Accepts(ValueType declared, TypeId id) {
  switch (declared) {
    case ValueType::kBool: return id == TypeId::kBool;
    case ValueType::kInt64: return IsInteger(id);
    case ValueType::kDouble:
      return IsInteger(id) || id == TypeId::kFloat16 || id == TypeId::kFloat || id == TypeId::kDouble ||
             id == TypeId::kDecimal;
    case ValueType::kString: return id == TypeId::kString;
    case ValueType::kTimestamp: return id == TypeId::kTimestamp || id == TypeId::kTimestampNtz || id == TypeId::kDate;
    case ValueType::kNull: return false;
  }
  return false;
}

}  // namespace

absl::Status CheckColumnType(const columnar::Field& column, ValueType declared, std::string_view what) {
  if (Accepts(declared, column.type.id)) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat("type mismatch: column '", column.name, "' is ", columnar::TypeName(column.type),
                                           ", ", what, " is ", ValueTypeName(declared)));
}

columnar::DataType ColumnTypeFor(ValueType type) {
  switch (type) {
    case ValueType::kBool: return {TypeId::kBool};
    case ValueType::kInt64: return {TypeId::kInt64};
    case ValueType::kString: return {TypeId::kString};
    case ValueType::kTimestamp: return {TypeId::kTimestamp};
    case ValueType::kDouble:
    case ValueType::kNull: return {TypeId::kDouble};
  }
  return {TypeId::kDouble};
}

std::vector<JoinKey> ViewJoinKeys(const Definitions& defs, const FeatureViewDef& view) {
  std::vector<JoinKey> keys;
  for (const auto& e : view.entities) {
    if (const EntityDef* entity = defs.FindEntity(e)) keys.insert(keys.end(), entity->join_keys.begin(), entity->join_keys.end());
  }
  return keys;
}

absl::StatusOr<columnar::Schema> DerivedSourceSchema(const Definitions& defs, const SourceDef& source) {
  std::vector<columnar::Field> fields;
  std::vector<std::string> owners;  // what put each column there, for messages
  auto add = [&](const std::string& name, ValueType type, bool nullable, const std::string& owner) -> absl::Status {
    columnar::DataType t = ColumnTypeFor(type);
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name != name) continue;
      if (!(fields[i].type == t)) {
        return absl::InvalidArgumentError(StrCat("source '", source.name, "': column '", name, "' is ",
                                                 columnar::TypeName(fields[i].type), " for ", owners[i], " but ",
                                                 columnar::TypeName(t), " for ", owner));
      }
      return absl::OkStatus();
    }
    fields.push_back({name, t, nullable});
    owners.push_back(owner);
    return absl::OkStatus();
  };
  std::vector<const FeatureViewDef*> views;
  for (const auto& v : defs.feature_views) {
    if (v.source == source.name) views.push_back(&v);
  }
  for (const FeatureViewDef* v : views) {
    for (const JoinKey& k : ViewJoinKeys(defs, *v)) {
      PLINTH_RETURN_IF_ERROR(add(k.name, k.type, true, StrCat("a join key of view '", v->name, "'")));
    }
  }
  PLINTH_RETURN_IF_ERROR(add(source.event_timestamp_column, ValueType::kTimestamp, false, "the event timestamp"));
  if (!source.created_timestamp_column.empty()) {
    PLINTH_RETURN_IF_ERROR(add(source.created_timestamp_column, ValueType::kTimestamp, true, "the created timestamp"));
  }
  for (const FeatureViewDef* v : views) {
    for (const FeatureDef& f : v->features) {
      PLINTH_RETURN_IF_ERROR(add(f.SourceColumn(), f.type, true, StrCat("feature '", v->name, ":", f.name, "'")));
    }
  }
  return columnar::Schema(std::move(fields));
}

}  // namespace plinth::features
