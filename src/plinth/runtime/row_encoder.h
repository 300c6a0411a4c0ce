// RowEncoder: request values -> the row of doubles a Model reads, by the model's signature.
//
// Numbers are taken as they are (booleans as 1/0); null is missing (NaN), so the model's own
// missing-value rule applies. A categorical feature with category names accepts a name, mapped
// to its code (an unseen name is missing, as the training libraries treat it), or the integer
// code itself. Text cells (CSV) are read the same way; empty, NA, N/A, NaN, null and None are
// missing. Errors name the feature.
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/runtime/signature.h"

namespace plinth::runtime {

class RowEncoder {
 public:
  explicit RowEncoder(const Signature& signature);

  int num_features() const { return static_cast<int>(features_.size()); }
  // Index of a feature by name, or -1.
  int Find(std::string_view name) const;
  // The same, trying feature `hint` first: clients mostly send features in the signature's
  // order, and one comparison is cheaper than hashing the name.
  int Find(std::string_view name, size_t hint) const {
    if (hint < features_.size() && features_[hint].name == name) return static_cast<int>(hint);
    return Find(name);
  }

  // One instance object {"feature": value, ...} into row[num_features]. Unknown names and
  // absent features are InvalidArgument naming them (`where` prefixes messages, e.g.
  // "instances[3]").
  absl::Status EncodeObject(const Json& instance, double* row, std::string_view where) const;
  // One JSON value of feature `f`.
  absl::Status EncodeValue(int f, const Json& value, double* out, std::string_view where) const;
  // One text cell of feature `f`.
  absl::Status EncodeText(int f, std::string_view cell, double* out, std::string_view where) const;

 private:
  absl::Status EncodeName(int f, std::string_view name, double* out, std::string_view where) const;

  struct Feature {
    std::string name;
    bool categorical = false;
    std::unordered_map<std::string, double> codes;  // category name -> code
  };
  // Looks names up without copying them into a std::string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Feature> features_;
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> index_;
};

}  // namespace plinth::runtime
