#include "plinth/runtime/model_loader.h"

#include "plinth/base/file_util.h"

#include "plinth/runtime/compiled_model.h"
#include "plinth/runtime/forest_format.h"
#include "plinth/runtime/forest_writer.h"
#include "plinth/runtime/model_bytes.h"


namespace plinth::runtime {

bool IsLoadableFormat(std::string_view format) {
  return format == "xgboost-json" || format == "xgboost-ubj" || format == "lightgbm-text" || format == "linear-json" ||
         format == kCompiledFormat;
}

absl::StatusOr<std::string> DetectModelFormat(std::string_view bytes) {
  if (bytes.size() >= sizeof(kForestMagic) && bytes.substr(0, sizeof(kForestMagic)) == std::string_view(kForestMagic, 8)) {
    return std::string(kCompiledFormat);
  }
  if (bytes.starts_with("tree\n") || bytes.starts_with("tree\r\n") || bytes.starts_with("version=")) {
    return std::string("lightgbm-text");
  }
  if (bytes.starts_with("{")) {
    size_t i = 1;
    while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) ++i;
    if (i < bytes.size() && (bytes[i] == '"' || bytes[i] == '}')) {
      if (bytes.substr(0, 4096).find("\"plinth-linear\"") != std::string_view::npos) return std::string("linear-json");
      return std::string("xgboost-json");
    }
    return std::string("xgboost-ubj");
  }
  return absl::InvalidArgumentError(
      "cannot tell the model format from its first bytes (pass xgboost-json, xgboost-ubj, lightgbm-text, linear-json "
      "or plinth-forest)");
}

absl::StatusOr<ParsedModel> ParseModel(std::string_view format, std::string_view bytes) {
  if (format == "xgboost-json") return ParseXgboostJson(bytes);
  if (format == "xgboost-ubj") return ParseXgboostUbj(bytes);
  if (format == "lightgbm-text") {
    PLINTH_ASSIGN_OR_RETURN(TreeEnsemble e, ParseLightgbmText(bytes));
    return ParsedModel(std::move(e));
  }
  if (format == "linear-json") {
    PLINTH_ASSIGN_OR_RETURN(LinearSpec s, ParseLinearJson(bytes));
    return ParsedModel(std::move(s));
  }
  return absl::InvalidArgumentError(StrCat("cannot parse models of format '", format,
                                           "' (use xgboost-json, xgboost-ubj, lightgbm-text or linear-json)"));
}

absl::StatusOr<std::string> CompileModel(const ParsedModel& parsed) {
  if (const auto* e = std::get_if<TreeEnsemble>(&parsed)) return CompileForest(*e);
  return CompileLinear(std::get<LinearSpec>(parsed));
}

absl::StatusOr<std::unique_ptr<Model>> LoadModel(std::string_view format, std::string_view bytes) {
  std::string compiled;
  if (format == kCompiledFormat) {
    compiled.assign(bytes);
  } else {
    PLINTH_ASSIGN_OR_RETURN(ParsedModel parsed, ParseModel(format, bytes));
    PLINTH_ASSIGN_OR_RETURN(compiled, CompileModel(parsed));
  }
  PLINTH_ASSIGN_OR_RETURN(auto model, CompiledModel::Create(ModelBytes::Own(std::move(compiled))));
  return std::unique_ptr<Model>(std::move(model));
}

absl::StatusOr<std::unique_ptr<Model>> LoadModelFile(std::string_view format, const std::string& path) {
  if (format == kCompiledFormat) {
    PLINTH_ASSIGN_OR_RETURN(auto bytes, ModelBytes::Map(path));
    PLINTH_ASSIGN_OR_RETURN(auto model, CompiledModel::Create(std::move(bytes)));
    return std::unique_ptr<Model>(std::move(model));
  }
  PLINTH_ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  return LoadModel(format, bytes);
}

}  // namespace plinth::runtime
