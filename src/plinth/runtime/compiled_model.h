// CompiledModel: the runtime::Model that serves every format, evaluating "plinth-forest" bytes
// (forest_format.h) in place: tree ensembles through forest_eval.h, linear models directly.
// Thread-safety: immutable; Predict is safe for concurrent use (per-thread scratch buffers).
#pragma once

#include <memory>

#include "plinth/runtime/forest_format.h"
#include "plinth/runtime/model.h"
#include "plinth/runtime/model_bytes.h"

namespace plinth::runtime {

class CompiledModel final : public Model {
 public:
  // Validates the bytes (OpenForest) and reads the signature from the metadata section.
  static absl::StatusOr<std::unique_ptr<CompiledModel>> Create(std::unique_ptr<ModelBytes> bytes);

  const Signature& signature() const override { return signature_; }
  int32_t OutputWidth(const PredictOptions& options) const override;
  absl::Status Predict(const double* rows, size_t num_rows, double* out, const PredictOptions& options) const override;
  size_t MemoryBytes() const override;
  Json Describe() const override;

  const ForestView& view() const { return view_; }

 private:
  CompiledModel(std::unique_ptr<ModelBytes> bytes, ForestView view) : bytes_(std::move(bytes)), view_(view) {}
  template <typename T>
  void PredictRange(const double* rows, size_t begin, size_t end, double* out, const PredictOptions& options) const;

  std::unique_ptr<ModelBytes> bytes_;
  ForestView view_;
  Signature signature_;
  Json metadata_;
};

}  // namespace plinth::runtime
