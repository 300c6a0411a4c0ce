// Model: a loaded, ready-to-predict model of any format.
//
// Predict reads a row-major batch of num_rows x num_features doubles (NaN = missing; a
// categorical feature holds its integer code) and writes num_rows x OutputWidth values.
// Implementations: TreeModel (compiled_forest.h, for XGBoost gbtree/dart and LightGBM) and
// LinearModel (linear_model.h). Loading goes through LoadModel (model_loader.h).
// Thread-safety: immutable after construction; Predict is safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/runtime/signature.h"

namespace plinth {
class WorkerPool;
}

namespace plinth::runtime {

struct PredictOptions {
  bool output_margin = false;   // raw margins, before the output transform
  int32_t iteration_limit = 0;  // use only the first N boosting iterations (0 = all)
  WorkerPool* pool = nullptr;   // splits large batches across its threads when set
};

class Model {
 public:
  virtual ~Model() = default;

  virtual const Signature& signature() const = 0;
  int32_t num_features() const { return static_cast<int32_t>(signature().inputs.size()); }
  // Values written per row for these options.
  virtual int32_t OutputWidth(const PredictOptions& options) const = 0;

  // REQUIRES: rows holds num_rows * num_features() values; out holds num_rows * OutputWidth().
  virtual absl::Status Predict(const double* rows, size_t num_rows, double* out,
                               const PredictOptions& options) const = 0;

  // Bytes this model keeps in memory (or maps), for cache budgets.
  virtual size_t MemoryBytes() const = 0;
  // Format, objective, sizes: for `plinth deployments show` and /v2/models/{name}.
  virtual Json Describe() const = 0;
};

}  // namespace plinth::runtime
