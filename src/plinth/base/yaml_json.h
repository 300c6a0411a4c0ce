// YAML documents as JSON values, for definitions users write in YAML.
//
// Mappings become objects, sequences arrays, scalars strings (YAML's implicit typing is left
// to the reader of each field, so "007" stays "007"), and null (~, empty) null. Aliases are
// expanded; a document whose expansion exceeds kMaxYamlNodes nodes or kMaxYamlDepth levels is
// refused (an alias bomb cannot exhaust memory or the stack). Mapping keys must be scalars and
// unique. Thread-safety: stateless.
#pragma once

#include <string_view>

#include "plinth/base/json.h"

namespace plinth {

inline constexpr int kMaxYamlDepth = 64;
inline constexpr size_t kMaxYamlNodes = 1'000'000;

// InvalidArgument naming the line and column of a syntax error.
absl::StatusOr<Json> YamlToJson(std::string_view text);

}  // namespace plinth
