// LoadModel: model file bytes -> a ready runtime::Model.
//
// Formats are the registry's format names: "xgboost-json", "xgboost-ubj", "lightgbm-text",
// "linear-json", and "plinth-forest" (the compiled form written by CompileModel, which loads
// without parsing or compiling: the bytes are used in place). A model feature Plinth does not
// support (LightGBM linear trees, XGBoost vector leaves, ...) is InvalidArgument naming it, so
// registration can refuse the file instead of serving wrong answers.
// Thread-safety: stateless; the returned Model is immutable.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "plinth/runtime/model.h"
#include "plinth/runtime/parsed_model.h"

namespace plinth::runtime {

inline constexpr std::string_view kCompiledFormat = "plinth-forest";

// True for the formats LoadModel understands (the registry also accepts "other").
bool IsLoadableFormat(std::string_view format);

// Guesses the format of model file bytes: the compiled magic, LightGBM's "tree" header, Plinth's
// linear JSON, XGBoost JSON, or else UBJSON (an object marker not followed by JSON text).
// InvalidArgument when the bytes look like none of them.
absl::StatusOr<std::string> DetectModelFormat(std::string_view bytes);

// Parses a model file of `format` (not "plinth-forest") into its ParsedModel, validated.
absl::StatusOr<ParsedModel> ParseModel(std::string_view format, std::string_view bytes);

// Parses and compiles; for "plinth-forest" maps the bytes without compiling.
absl::StatusOr<std::unique_ptr<Model>> LoadModel(std::string_view format, std::string_view bytes);

// Loads a file by path; "plinth-forest" files are memory-mapped rather than read.
absl::StatusOr<std::unique_ptr<Model>> LoadModelFile(std::string_view format, const std::string& path);

// The compiled form of a parsed model ("plinth-forest" bytes).
absl::StatusOr<std::string> CompileModel(const ParsedModel& parsed);

}  // namespace plinth::runtime
