// A set of on-demand transforms (the `transforms:` of a feature view) over base inputs
// (features and request values), compiled once and ordered so that every transform is
// computed after the transforms it references. The same Evaluate serves one online row and
// each row of an offline batch, so training and serving compute identical values.
// Language and semantics: transform_expression.h and docs/FEATURES.md.
//
// Thread-safety: immutable after Create; Evaluate may run on many threads at once (each with
// its own slots).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/features/transform_expression.h"
#include "plinth/features/value.h"

namespace plinth::features {

struct TransformDef {
  std::string name;
  std::string expr;
  std::optional<ValueType> declared_type;
};

class TransformSet {
 public:
  // `base`: names and types of the base inputs, in slot order. Errors are InvalidArgument and
  // name the transform: an empty, invalid, duplicate or clashing name (a transform may not
  // reuse a base name), a syntax or type error, an unknown reference, a cycle
  // ("cycle: a -> b -> a"), a declared type the expression does not give (an int64 result
  // declared double is accepted and converted), or an always-null expression without a
  // declared type.
  static absl::StatusOr<TransformSet> Create(const std::vector<std::pair<std::string, ValueType>>& base,
                                             const std::vector<TransformDef>& transforms);

  size_t base_size() const { return base_size_; }
  size_t output_size() const { return outputs_.size(); }
  // Names and types of the transforms, in the order of `transforms` (declared type if given).
  const std::vector<std::pair<std::string, ValueType>>& outputs() const { return outputs_; }
  // Indices into outputs() in evaluation order.
  const std::vector<size_t>& evaluation_order() const { return order_; }
  // The compiled expression of outputs()[i].
  const Expression& expression(size_t i) const { return steps_[i].expression; }

  // slots: the base values (in `base` order) followed by one slot per transform; fills the
  // transform slots in dependency order. REQUIRES: slots.size() == base_size() + output_size()
  // (a shorter span is left untouched).
  void Evaluate(std::span<Value> slots) const;
  // Offline: evaluates every row of a batch; rows[r] holds base_size() + output_size() slots
  // (shorter rows are left untouched).
  void EvaluateRows(std::vector<std::vector<Value>>& rows) const;

 private:
  struct Step {
    Expression expression;
    std::vector<uint32_t> slot_of_input;
    bool to_double = false;  // int64 expression declared double
  };
  TransformSet() = default;

  size_t base_size_ = 0;
  std::vector<std::pair<std::string, ValueType>> outputs_;
  std::vector<Step> steps_;  // one per output, same order
  std::vector<size_t> order_;
};

}  // namespace plinth::features
