// LightGBM text model, lexical layer: the file cut into its sections, and number lists.
//
// A model file (Booster.save_model) is lines:
//   tree                                  model type, first line (may be left out)
//   key=value ... / average_output        header, up to the first "Tree=" line
//   Tree=0 / key=value lines / blank      one section per tree
//   end of trees                          (LightGBM 2.0 wrote none: the trailer then follows)
//   feature_importances:, parameters: ... ignored
//   pandas_categorical:<JSON>             optional, anywhere after "end of trees"
// Trees are read in order; tree_sizes (LightGBM's index for parallel loading) is not needed and
// is ignored, as some tools trim trees without updating it.
// SplitLightgbmText only finds these pieces; what they mean is lightgbm_model.cc's business.
// Every piece is a view into the caller's text, so nothing is copied: the text must outlive
// the result. Lines may end in "\n" or "\r\n". Only known keys are kept (see the enums);
// unknown keys are skipped, a known key given twice is an error.
// Thread-safety: stateless functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::runtime {

enum class LgbHeaderKey : uint8_t {
  kVersion,
  kNumClass,
  kNumTreePerIteration,
  kLabelIndex,
  kMaxFeatureIdx,
  kObjective,
  kAverageOutput,
  kFeatureNames,
  kFeatureInfos,
  kCount
};

enum class LgbTreeKey : uint8_t {
  kNumLeaves,
  kNumCat,
  kSplitFeature,
  kThreshold,
  kDecisionType,
  kLeftChild,
  kRightChild,
  kLeafValue,
  kCatBoundaries,
  kCatThreshold,
  kIsLinear,
  kCount
};

template <typename Key>
struct LgbFields {
  std::array<std::optional<std::string_view>, static_cast<size_t>(Key::kCount)> values;
  const std::optional<std::string_view>& operator[](Key k) const {
    return values[static_cast<size_t>(k)];
  }
};

struct LgbTreeSection {
  int64_t line = 0;  // line number of its "Tree=" line, for messages
  LgbFields<LgbTreeKey> fields;
};

struct LgbModelText {
  LgbFields<LgbHeaderKey> header;  // a bare line such as average_output has an empty value
  std::vector<LgbTreeSection> trees;
  std::optional<std::string_view> pandas_categorical;  // the JSON after "pandas_categorical:"
};

// The key as written in the file ("num_leaves", "feature_names", ...).
std::string_view LgbTreeKeyName(LgbTreeKey key);
std::string_view LgbHeaderKeyName(LgbHeaderKey key);

// InvalidArgument (with the line number) when the text is not laid out as above: first line
// not "tree", a tree section line without '=', "Tree=N" out of order, a file that ends inside
// the trees (no "end of trees" nor trailer after them: truncated).
absl::StatusOr<LgbModelText> SplitLightgbmText(std::string_view text);

// Parses space-separated numbers (std::from_chars, whole tokens only) into `out`, which is
// cleared first. `what` starts the error message. Allocation is bounded by the text's size.
absl::Status ParseLgbList(std::string_view text, std::string_view what, std::vector<double>* out);
absl::Status ParseLgbList(std::string_view text, std::string_view what, std::vector<int32_t>* out);
absl::Status ParseLgbList(std::string_view text, std::string_view what, std::vector<uint32_t>* out);

// One whole integer, or InvalidArgument naming `what`.
absl::StatusOr<int64_t> ParseLgbInt(std::string_view text, std::string_view what);

}  // namespace plinth::runtime
