// Compiles a parsed model into the "plinth-forest" bytes of forest_format.h.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "plinth/runtime/linear_spec.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

// REQUIRES: ValidateEnsemble(e) / ValidateLinear(s) passed.
absl::StatusOr<std::string> CompileForest(const TreeEnsemble& e);
absl::StatusOr<std::string> CompileLinear(const LinearSpec& s);

}  // namespace plinth::runtime
