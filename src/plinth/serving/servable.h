// Servable: a loaded model together with what every request needs from it besides Predict
// (the RowEncoder built from its signature), so requests never rebuild per-model state.
// Thread-safety: immutable after construction; safe for concurrent use.
#pragma once

#include <memory>

#include "plinth/runtime/model.h"
#include "plinth/runtime/row_encoder.h"

namespace plinth::serving {

class Servable {
 public:
  // REQUIRES: model != nullptr.
  explicit Servable(std::unique_ptr<runtime::Model> model) : model_(std::move(model)), encoder_(model_->signature()) {}

  const runtime::Model& model() const { return *model_; }
  const runtime::RowEncoder& encoder() const { return encoder_; }
  const runtime::Signature& signature() const { return model_->signature(); }
  size_t MemoryBytes() const { return model_->MemoryBytes(); }

 private:
  std::unique_ptr<runtime::Model> model_;
  runtime::RowEncoder encoder_;
};

// Requests hold a handle until their response is built: a swapped-out or evicted version
// stays alive until its last request lets go.
using ModelHandle = std::shared_ptr<const Servable>;

}  // namespace plinth::serving
