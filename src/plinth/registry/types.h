// Registry value types: models, versions, aliases, metric points, and their JSON forms.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/json.h"

namespace plinth::registry {

// Artifact formats a version may declare.
inline constexpr std::string_view kFormats[] = {"xgboost-json", "xgboost-ubj", "lightgbm-text", "linear-json", "other"};

struct Model {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::map<std::string, std::string> tags;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by;
  int64_t latest_version = 0;  // 0 when it has no versions
  std::map<std::string, int64_t> aliases;  // alias -> version
};

struct Lineage {
  std::string source_run;
  std::string training_dataset;  // "table@version"
  std::string git_commit;
  std::string parent;
};

struct MetricPoint {
  std::string key;
  double value = 0;
  int64_t step = 0;
  int64_t timestamp = 0;  // micros
};

struct ModelVersion {
  int64_t id = 0;
  int64_t model_id = 0;
  std::string model_name;
  int64_t version = 0;
  std::string format;
  std::string artifact_sha256;
  int64_t artifact_size = 0;
  Json signature = Json::object();
  std::string description;
  Lineage lineage;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> tags;
  std::map<std::string, MetricPoint> metrics;  // latest value per key
  std::vector<std::string> aliases;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by;
};

struct AliasInfo {
  std::string model_name;
  std::string alias;
  int64_t version = 0;
  int64_t updated_at = 0;
  std::string updated_by;
};

struct AliasEvent {
  int64_t id = 0;
  std::string alias;
  std::optional<int64_t> old_version;  // nullopt: the alias was created
  std::optional<int64_t> new_version;  // nullopt: the alias was deleted
  int64_t ts = 0;
  std::string actor;
};

Json ToJson(const Model& m);
Json ToJson(const ModelVersion& v);
Json ToJson(const AliasInfo& a);
Json ToJson(const AliasEvent& e);
Json ToJson(const MetricPoint& p);

// Validates a signature: {"inputs": [{"name", "type"}...], "outputs": [{"name", "type"}...]}.
absl::Status ValidateSignature(const Json& signature);
// Fills `signature` (already validated) from the one the model file declares: absent inputs or
// outputs are taken from the model; given inputs must name the model's features in its order.
absl::Status MergeModelSignature(const Json& declared, Json& signature);

}  // namespace plinth::registry
