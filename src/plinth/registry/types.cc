#include "plinth/registry/types.h"

#include <set>

#include "plinth/base/time.h"

namespace plinth::registry {

Json ToJson(const Model& m) {
  Json aliases = Json::object();
  for (const auto& [a, v] : m.aliases) aliases[a] = v;
  return {{"name", m.name},
          {"description", m.description},
          {"tags", m.tags},
          {"latest_version", m.latest_version},
          {"aliases", aliases},
          {"created_at", FormatTimestamp(m.created_at)},
          {"updated_at", FormatTimestamp(m.updated_at)},
          {"created_by", m.created_by}};
}

Json ToJson(const MetricPoint& p) {
  return {{"key", p.key}, {"value", p.value}, {"step", p.step}, {"timestamp", FormatTimestamp(p.timestamp)}};
}

Json ToJson(const ModelVersion& v) {
  Json metrics = Json::object();
  for (const auto& [k, p] : v.metrics) metrics[k] = p.value;
  return {{"model", v.model_name},
          {"version", v.version},
          {"ref", StrCat(v.model_name, "/", v.version)},
          {"format", v.format},
          {"artifact", {{"sha256", v.artifact_sha256}, {"size", v.artifact_size}}},
          {"signature", v.signature},
          {"description", v.description},
          {"lineage",
           {{"source_run", v.lineage.source_run},
            {"training_dataset", v.lineage.training_dataset},
            {"git_commit", v.lineage.git_commit},
            {"parent", v.lineage.parent}}},
          {"params", v.params},
          {"tags", v.tags},
          {"metrics", metrics},
          {"aliases", v.aliases},
          {"created_at", FormatTimestamp(v.created_at)},
          {"updated_at", FormatTimestamp(v.updated_at)},
          {"created_by", v.created_by}};
}

Json ToJson(const AliasInfo& a) {
  return {{"model", a.model_name},
          {"alias", a.alias},
          {"version", a.version},
          {"updated_at", FormatTimestamp(a.updated_at)},
          {"updated_by", a.updated_by}};
}

Json ToJson(const AliasEvent& e) {
  Json j = {{"alias", e.alias}, {"timestamp", FormatTimestamp(e.ts)}, {"actor", e.actor}};
  j["old_version"] = e.old_version ? Json(*e.old_version) : Json(nullptr);
  j["new_version"] = e.new_version ? Json(*e.new_version) : Json(nullptr);
  return j;
}

absl::Status ValidateSignature(const Json& sig) {
  static const std::set<std::string> kTypes = {"float", "double", "float32", "float64", "int32", "int64",
                                               "bool", "string", "categorical"};
  if (!sig.is_object()) return absl::InvalidArgumentError("signature must be a JSON object with 'inputs' and 'outputs'");
  for (auto it = sig.begin(); it != sig.end(); ++it) {
    if (it.key() != "inputs" && it.key() != "outputs") {
      return absl::InvalidArgumentError(StrCat("signature: unknown field '", it.key(), "' (use inputs, outputs)"));
    }
  }
  for (const char* part : {"inputs", "outputs"}) {
    if (!sig.contains(part)) continue;
    const Json& list = sig[part];
    if (!list.is_array()) return absl::InvalidArgumentError(StrCat("signature.", part, " must be an array"));
    if (list.size() > 100000) return absl::InvalidArgumentError(StrCat("signature.", part, " has too many entries"));
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const Json& e = list[i];
      std::string where = StrCat("signature.", part, "[", i, "]");
      if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || e["name"].get<std::string>().empty()) {
        return absl::InvalidArgumentError(StrCat(where, " needs a non-empty string 'name'"));
      }
      std::string name = e["name"].get<std::string>();
      if (!seen.insert(name).second) return absl::InvalidArgumentError(StrCat(where, ": duplicate name '", name, "'"));
      if (!e.contains("type") || !e["type"].is_string() || !kTypes.count(e["type"].get<std::string>())) {
        return absl::InvalidArgumentError(StrCat(
            where, " ('", name, "') needs 'type': one of float, double, float32, float64, int32, int64, bool, string, categorical"));
      }
      for (auto f = e.begin(); f != e.end(); ++f) {
        if (f.key() != "name" && f.key() != "type" && f.key() != "shape" && f.key() != "description") {
          return absl::InvalidArgumentError(StrCat(where, ": unknown field '", f.key(), "'"));
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status MergeModelSignature(const Json& declared, Json& signature) {
  const Json& model_inputs = declared["inputs"];
  if (!signature.contains("inputs")) {
    signature["inputs"] = model_inputs;
  } else {
    const Json& given = signature["inputs"];
    if (given.size() != model_inputs.size()) {
      return absl::InvalidArgumentError(StrCat("signature.inputs names ", given.size(), " features but the model reads ",
                                               model_inputs.size()));
    }
    for (size_t i = 0; i < given.size(); ++i) {
      if (given[i]["name"] != model_inputs[i]["name"]) {
        return absl::InvalidArgumentError(StrCat("signature.inputs[", i, "] is '", given[i]["name"].get<std::string>(),
                                                 "' but the model's feature ", i, " is '",
                                                 model_inputs[i]["name"].get<std::string>(), "'"));
      }
    }
  }
  if (!signature.contains("outputs") && declared.contains("outputs")) signature["outputs"] = declared["outputs"];
  return absl::OkStatus();
}

}  // namespace plinth::registry
