#include "plinth/runtime/compiled_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "plinth/base/worker_pool.h"
#include "plinth/runtime/forest_eval.h"
#include "plinth/runtime/output_transform.h"

namespace plinth::runtime {
namespace {

constexpr size_t kParallelRows = 2048;  // below this a batch runs on the calling thread
constexpr size_t kBlockValues = 16384;  // converted row values per block (fits L1/L2)

template <typename T>
std::vector<T>& Scratch(int which) {
  thread_local std::vector<T> buffers[2];
  return buffers[which];
}

// Linear model margins of one row, adding to what `margin` holds: XGBoost gblinear's order for
// float32 (bias + base_score first, then the features in order).
template <typename T>
void LinearMargins(const ForestView& v, const T* row, T* margin) {
  const uint32_t f = v.header->num_features;
  const uint32_t k = v.header->num_outputs;
  const T* w = static_cast<const T*>(v.weights);
  const T* bias = static_cast<const T*>(v.bias);
  for (uint32_t o = 0; o < k; ++o) {
    T psum = bias[o] + margin[o];
    for (uint32_t j = 0; j < f; ++j) {
      if (row[j] != row[j]) continue;
      psum += row[j] * w[static_cast<size_t>(j) * k + o];
    }
    margin[o] = psum;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<CompiledModel>> CompiledModel::Create(std::unique_ptr<ModelBytes> bytes) {
  PLINTH_ASSIGN_OR_RETURN(ForestView view, OpenForest(bytes->data()));
  std::unique_ptr<CompiledModel> m(new CompiledModel(std::move(bytes), view));
  auto meta = ParseJsonObject(view.metadata);
  if (!meta.ok()) return absl::DataLossError(StrCat("compiled model metadata: ", meta.status().message()));
  m->metadata_ = std::move(*meta);
  auto sig = m->metadata_.find("signature");
  if (sig == m->metadata_.end()) return absl::DataLossError("compiled model metadata has no signature");
  PLINTH_ASSIGN_OR_RETURN(m->signature_, Signature::FromJson(*sig));
  if (m->signature_.inputs.size() != view.header->num_features) {
    return absl::DataLossError("compiled model signature does not match its feature count");
  }
  return m;
}

int32_t CompiledModel::OutputWidth(const PredictOptions& options) const {
  const int32_t k = static_cast<int32_t>(view_.header->num_outputs);
  if (options.output_margin) return k;
  return TransformWidth(static_cast<OutputTransform>(view_.header->transform), k);
}

size_t CompiledModel::MemoryBytes() const {
  size_t sig = sizeof(*this);
  for (const FeatureSpec& f : signature_.inputs) {
    sig += sizeof(f) + f.name.size();
    for (const std::string& c : f.categories) sig += sizeof(c) + c.size();
  }
  return bytes_->data().size() + sig + view_.metadata.size();
}

Json CompiledModel::Describe() const {
  const ForestHeader& h = *view_.header;
  Json d = {{"kind", h.kind == static_cast<uint8_t>(ForestKind::kTrees) ? "trees" : "linear"},
            {"precision", h.precision == static_cast<uint8_t>(Precision::kFloat32) ? "float32" : "float64"},
            {"transform", TransformName(static_cast<OutputTransform>(h.transform))},
            {"features", h.num_features},
            {"outputs", h.num_outputs},
            {"memory_bytes", MemoryBytes()}};
  if (h.kind == static_cast<uint8_t>(ForestKind::kTrees)) {
    d["trees"] = h.num_trees;
    d["nodes"] = view_.num_nodes;
    d["trees_per_iteration"] = h.trees_per_iteration;
    d["average_output"] = (h.flags & 1) != 0;
  }
  for (const char* key : {"objective", "source_format", "best_iteration"}) {
    auto it = metadata_.find(key);
    if (it != metadata_.end()) d[key] = *it;
  }
  return d;
}

absl::Status CompiledModel::Predict(const double* rows, size_t num_rows, double* out,
                                    const PredictOptions& options) const {
  if (options.iteration_limit < 0) return absl::InvalidArgumentError("iteration limit must not be negative");
  auto run = [&](size_t begin, size_t end) {
    if (view_.precision() == Precision::kFloat32) {
      PredictRange<float>(rows, begin, end, out, options);
    } else {
      PredictRange<double>(rows, begin, end, out, options);
    }
  };
  if (options.pool == nullptr || options.pool->threads() <= 1 || num_rows < kParallelRows) {
    run(0, num_rows);
    return absl::OkStatus();
  }
  const size_t chunks = std::min<size_t>(num_rows / (kParallelRows / 2), 8 * options.pool->threads());
  const size_t per = (num_rows + chunks - 1) / chunks;
  options.pool->ParallelFor(static_cast<int>(chunks), [&](int c) {
    size_t begin = c * per;
    size_t end = std::min(num_rows, begin + per);
    if (begin < end) run(begin, end);
  });
  return absl::OkStatus();
}

template <typename T>
void CompiledModel::PredictRange(const double* rows, size_t begin, size_t end, double* out,
                                 const PredictOptions& options) const {
  const ForestHeader& h = *view_.header;
  const size_t f = h.num_features;
  const uint32_t k = h.num_outputs;
  const bool linear = h.kind == static_cast<uint8_t>(ForestKind::kLinear);
  // Linear models read the row as it is; trees read the prepared form (forest_format.h).
  const size_t stride = linear ? f : PreparedStride(static_cast<uint32_t>(f));
  const bool average = (h.flags & 1) != 0;
  const auto transform = static_cast<OutputTransform>(h.transform);
  const int32_t width = OutputWidth(options);

  uint32_t trees = h.num_trees;
  if (options.iteration_limit > 0) {
    trees = static_cast<uint32_t>(std::min<uint64_t>(trees, uint64_t(options.iteration_limit) * h.trees_per_iteration));
  }
  const T iterations = static_cast<T>(std::max<uint32_t>(1, trees / h.trees_per_iteration));
  const int block = static_cast<int>(std::clamp<size_t>(kBlockValues / stride, 1, kMaxBlockRows));

  std::vector<T>& buf = Scratch<T>(0);
  std::vector<T>& acc = Scratch<T>(1);
  buf.resize(static_cast<size_t>(block) * stride);
  acc.resize(static_cast<size_t>(block) * k);
  double margin_stack[64];
  std::vector<double> margin_heap;
  double* margin = margin_stack;
  if (k > 64) {
    margin_heap.resize(k);
    margin = margin_heap.data();
  }

  for (size_t r0 = begin; r0 < end; r0 += block) {
    const int n = static_cast<int>(std::min<size_t>(block, end - r0));
    for (int r = 0; r < n; ++r) {
      const double* src = rows + (r0 + r) * f;
      T* dst = buf.data() + r * stride;
      if (linear) {
        for (size_t j = 0; j < f; ++j) dst[j] = static_cast<T>(src[j]);
      } else {
        PrepareRow<T>(src, static_cast<uint32_t>(f), dst);
      }
    }
    // float32 follows XGBoost (start from base_score); float64 follows LightGBM (base added last).
    const bool start_at_base = sizeof(T) == 4 && !average;
    for (int r = 0; r < n; ++r) {
      for (uint32_t o = 0; o < k; ++o) acc[r * k + o] = start_at_base ? static_cast<T>(view_.base[o]) : T(0);
    }
    if (linear) {
      for (int r = 0; r < n; ++r) LinearMargins<T>(view_, buf.data() + r * stride, acc.data() + r * k);
    } else {
      AccumulateTrees<T>(view_, trees, buf.data(), n, acc.data());
    }
    for (int r = 0; r < n; ++r) {
      const T* a = acc.data() + r * k;
      for (uint32_t o = 0; o < k; ++o) {
        T m = a[o];
        if (average) m = m / iterations;
        if (!start_at_base) m = (linear ? m + static_cast<T>(view_.base[o]) : static_cast<T>(view_.base[o]) + m);
        margin[o] = m;
      }
      double* o = out + (r0 + r) * width;
      if (options.output_margin) {
        std::copy(margin, margin + k, o);
      } else {
        ApplyTransform(transform, h.sigmoid_scale, view_.precision(), margin, static_cast<int32_t>(k), o);
      }
    }
  }
}

}  // namespace plinth::runtime
