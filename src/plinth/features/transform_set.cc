#include "plinth/features/transform_set.h"

#include <unordered_map>

#include "plinth/features/transform_lexer.h"

namespace plinth::features {
namespace {

absl::Status TransformError(std::string_view name, std::string_view message) {
  return absl::InvalidArgumentError(StrCat("transform '", name, "': ", message));
}

// Orders transforms so that each comes after the ones it references; `deps[i]` are indices.
// Depth-first with an explicit stack (no recursion on long chains); declaration order is kept
// where the dependencies allow it.
absl::StatusOr<std::vector<size_t>> DependencyOrder(const std::vector<TransformDef>& transforms,
                                                    const std::vector<std::vector<size_t>>& deps) {
  enum State : uint8_t { kNew, kActive, kDone };
  std::vector<State> state(transforms.size(), kNew);
  std::vector<size_t> order;
  struct Frame {
    size_t node;
    size_t next_dep;
  };
  for (size_t root = 0; root < transforms.size(); ++root) {
    if (state[root] != kNew) continue;
    std::vector<Frame> stack{{root, 0}};
    state[root] = kActive;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next_dep == deps[f.node].size()) {
        state[f.node] = kDone;
        order.push_back(f.node);
        stack.pop_back();
        continue;
      }
      size_t d = deps[f.node][f.next_dep++];
      if (state[d] == kDone) continue;
      if (state[d] == kActive) {
        std::vector<std::string_view> path;
        size_t start = 0;
        while (stack[start].node != d) ++start;
        for (size_t i = start; i < stack.size(); ++i) path.push_back(transforms[stack[i].node].name);
        path.push_back(transforms[d].name);
        return TransformError(transforms[d].name, StrCat("cycle: ", StrJoin(path, " -> ")));
      }
      state[d] = kActive;
      stack.push_back({d, 0});
    }
  }
  return order;
}

}  // namespace

absl::StatusOr<TransformSet> TransformSet::Create(const std::vector<std::pair<std::string, ValueType>>& base,
                                                  const std::vector<TransformDef>& transforms) {
  std::unordered_map<std::string, size_t> base_index, transform_index;
  for (size_t i = 0; i < base.size(); ++i) {
    if (!base_index.emplace(base[i].first, i).second) {
      return absl::InvalidArgumentError(StrCat("base input '", base[i].first, "' appears twice"));
    }
  }
  for (size_t i = 0; i < transforms.size(); ++i) {
    const std::string& name = transforms[i].name;
    if (name.empty()) return absl::InvalidArgumentError(StrCat("transform ", i + 1, " has no name"));
    if (!IsValidIdentifier(name)) {
      return TransformError(name, "invalid name: use letters, digits and '_' (not starting with a digit), "
                                  "segments joined by '.', and not a keyword");
    }
    if (base_index.contains(name)) return TransformError(name, "name clashes with a base input of the same name");
    if (!transform_index.emplace(name, i).second) return TransformError(name, "defined twice");
  }

  // Dependencies from the references alone (types come later, in dependency order).
  std::vector<std::vector<size_t>> deps(transforms.size());
  for (size_t i = 0; i < transforms.size(); ++i) {
    absl::StatusOr<std::vector<std::string>> refs = ExpressionInputs(transforms[i].expr);
    if (!refs.ok()) return TransformError(transforms[i].name, StrCat(refs.status().message()));
    for (const std::string& r : *refs) {
      auto it = transform_index.find(r);
      if (it != transform_index.end()) deps[i].push_back(it->second);
    }
  }
  PLINTH_ASSIGN_OR_RETURN(std::vector<size_t> order, DependencyOrder(transforms, deps));

  TransformSet set;
  set.base_size_ = base.size();
  set.outputs_.resize(transforms.size());
  std::vector<std::optional<Step>> steps(transforms.size());
  for (size_t i : order) {
    const TransformDef& def = transforms[i];
    auto types = [&](std::string_view name) -> absl::StatusOr<ValueType> {
      std::string key(name);
      if (auto it = base_index.find(key); it != base_index.end()) return base[it->second].second;
      if (auto it = transform_index.find(key); it != transform_index.end()) {
        return set.outputs_[it->second].second;  // computed already: it comes earlier in `order`
      }
      return absl::NotFoundError(key);
    };
    absl::StatusOr<Expression> expr = Expression::Compile(def.expr, types);
    if (!expr.ok()) return TransformError(def.name, StrCat(expr.status().message()));
    ValueType inferred = expr->type();
    ValueType type = inferred;
    bool to_double = false;
    if (def.declared_type) {
      ValueType declared = *def.declared_type;
      if (declared == ValueType::kNull) return TransformError(def.name, "null is not a declarable type");
      if (inferred == ValueType::kInt64 && declared == ValueType::kDouble) {
        to_double = true;
      } else if (inferred != declared && inferred != ValueType::kNull) {
        return TransformError(def.name, StrCat("declared ", ValueTypeName(declared), " but the expression gives ",
                                               ValueTypeName(inferred)));
      }
      type = declared;
    } else if (inferred == ValueType::kNull) {
      return TransformError(def.name, "the expression is always null: declare its type");
    }
    std::vector<uint32_t> slots;
    for (const std::string& in : expr->inputs()) {
      auto b = base_index.find(in);
      slots.push_back(static_cast<uint32_t>(b != base_index.end() ? b->second
                                                                  : base.size() + transform_index.at(in)));
    }
    set.outputs_[i] = {def.name, type};
    steps[i].emplace(Step{std::move(*expr), std::move(slots), to_double});
  }
  for (auto& s : steps) set.steps_.push_back(std::move(*s));
  set.order_ = std::move(order);
  return set;
}

void TransformSet::Evaluate(std::span<Value> slots) const {
  if (slots.size() < base_size_ + steps_.size()) return;
  for (size_t i : order_) {
    const Step& step = steps_[i];
    Value v = step.expression.EvaluateSlots(slots, step.slot_of_input);
    if (step.to_double && v.type() == ValueType::kInt64) v = Value::Double(static_cast<double>(v.int64_value()));
    slots[base_size_ + i] = std::move(v);
  }
}

void TransformSet::EvaluateRows(std::vector<std::vector<Value>>& rows) const {
  for (std::vector<Value>& row : rows) Evaluate(row);
}

}  // namespace plinth::features
