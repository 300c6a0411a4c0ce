// Reference evaluator: the plain, obviously-correct reading of tree_ensemble.h.
//
// Slow (node structs, one row and one tree at a time); the oracle against which the compiled
// forest and the loaders are tested, never used to serve.
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <vector>

#include "plinth/runtime/linear_spec.h"
#include "plinth/runtime/model.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

// Leaf index reached by `row` in `tree` (index into tree.nodes).
int32_t ReferenceLeaf(const Tree& tree, const double* row, Precision p);

// num_rows x width values (width = num_outputs with output_margin, else PredictionWidth).
std::vector<double> ReferencePredict(const TreeEnsemble& e, const double* rows, size_t num_rows,
                                     const PredictOptions& options);
std::vector<double> ReferencePredict(const LinearSpec& s, const double* rows, size_t num_rows,
                                     const PredictOptions& options);

}  // namespace plinth::runtime
