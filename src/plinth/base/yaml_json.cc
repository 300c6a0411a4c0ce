#include "plinth/base/yaml_json.h"

#include <yaml-cpp/yaml.h>

namespace plinth {

namespace {

absl::Status Convert(const YAML::Node& node, int depth, size_t* nodes, Json* out) {
  if (++*nodes > kMaxYamlNodes) {
    return absl::InvalidArgumentError(StrCat("YAML document too large: more than ", kMaxYamlNodes, " nodes"));
  }
  if (depth > kMaxYamlDepth) return absl::InvalidArgumentError(StrCat("YAML nested deeper than ", kMaxYamlDepth, " levels"));
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      *out = nullptr;
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      *out = node.Scalar();
      return absl::OkStatus();
    case YAML::NodeType::Sequence:
      *out = Json::array();
      for (const auto& item : node) {
        Json child;
        PLINTH_RETURN_IF_ERROR(Convert(item, depth + 1, nodes, &child));
        out->push_back(std::move(child));
      }
      return absl::OkStatus();
    case YAML::NodeType::Map:
      *out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return absl::InvalidArgumentError(StrCat("YAML line ", kv.first.Mark().line + 1, ": mapping keys must be plain text"));
        }
        const std::string& key = kv.first.Scalar();
        if (out->contains(key)) {
          return absl::InvalidArgumentError(StrCat("YAML line ", kv.first.Mark().line + 1, ": duplicate key '", key, "'"));
        }
        Json child;
        PLINTH_RETURN_IF_ERROR(Convert(kv.second, depth + 1, nodes, &child));
        (*out)[key] = std::move(child);
      }
      return absl::OkStatus();
  }
  return absl::InternalError("unknown YAML node type");
}

}  // namespace

absl::StatusOr<Json> YamlToJson(std::string_view text) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    Json out;
    size_t nodes = 0;
    PLINTH_RETURN_IF_ERROR(Convert(root, 0, &nodes, &out));
    return out;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat("invalid YAML at line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(StrCat("invalid YAML: ", e.what()));
  }
}

}  // namespace plinth
