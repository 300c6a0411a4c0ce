#include "plinth/storage/columnar/predicate.h"

#include <cmath>

#include "plinth/base/strings.h"
#include "plinth/storage/columnar/predicate_node.h"

// gcc 12 reports optional<partial_ordering> reads as maybe-uninitialized (false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace plinth::columnar {

namespace {

using Node = PredicateNode;
using NodePtr = std::shared_ptr<PredicateNode>;

// ---- Evaluation (0 false, 1 true, 2 unknown) ----

constexpr uint8_t kFalse = 0, kTrue = 1, kUnknown = 2;

bool Holds(CmpOp op, std::partial_ordering c) {
  switch (op) {
    case CmpOp::kEq: return c == std::partial_ordering::equivalent;
    case CmpOp::kNe: return c != std::partial_ordering::equivalent;
    case CmpOp::kLt: return c == std::partial_ordering::less;
    case CmpOp::kLe: return c == std::partial_ordering::less || c == std::partial_ordering::equivalent;
    case CmpOp::kGt: return c == std::partial_ordering::greater;
    case CmpOp::kGe: return c == std::partial_ordering::greater || c == std::partial_ordering::equivalent;
  }
  return false;
}

template <typename T>
void CompareLoop(const T* v, int64_t n, T lit, CmpOp op, uint8_t* out) {
  switch (op) {
    case CmpOp::kEq: for (int64_t i = 0; i < n; ++i) out[i] = v[i] == lit; break;
    case CmpOp::kNe: for (int64_t i = 0; i < n; ++i) out[i] = v[i] != lit; break;
    case CmpOp::kLt: for (int64_t i = 0; i < n; ++i) out[i] = v[i] < lit; break;
    case CmpOp::kLe: for (int64_t i = 0; i < n; ++i) out[i] = v[i] <= lit; break;
    case CmpOp::kGt: for (int64_t i = 0; i < n; ++i) out[i] = v[i] > lit; break;
    case CmpOp::kGe: for (int64_t i = 0; i < n; ++i) out[i] = v[i] >= lit; break;
  }
}

template <typename T>
bool HasNaN(const T* v, int64_t n) {
  bool any = false;
  for (int64_t i = 0; i < n; ++i) any |= std::isnan(v[i]);
  return any;
}

// NaN equals NaN and sorts above every number (as in DuckDB, PostgreSQL and Spark).
template <typename T>
void CompareLoopNaN(const T* v, int64_t n, T lit, CmpOp op, uint8_t* out) {
  const bool lit_nan = std::isnan(lit);
  for (int64_t i = 0; i < n; ++i) {
    const bool x_nan = std::isnan(v[i]);
    std::partial_ordering c = x_nan || lit_nan
                                  ? (x_nan && lit_nan ? std::partial_ordering::equivalent
                                                      : x_nan ? std::partial_ordering::greater : std::partial_ordering::less)
                                  : (v[i] < lit ? std::partial_ordering::less
                                                : lit < v[i] ? std::partial_ordering::greater : std::partial_ordering::equivalent);
    out[i] = Holds(op, c);
  }
}

void EvalCompareLiteral(const Column& col, CmpOp op, const Value& lit, std::vector<uint8_t>* out) {
  const int64_t n = col.length();
  out->assign(n, kUnknown);
  if (lit.is_null) return;
  uint8_t* o = out->data();
  const TypeId lt = lit.type.id;
  const bool same_type = lit.type == col.type();
  if (same_type && col.type().id != TypeId::kUInt64) {
    switch (col.storage()) {
      case StorageClass::kBool: CompareLoop<uint8_t>(col.data<uint8_t>(), n, static_cast<uint8_t>(lit.i), op, o); break;
      case StorageClass::kInt32: CompareLoop<int32_t>(col.data<int32_t>(), n, static_cast<int32_t>(lit.i), op, o); break;
      case StorageClass::kInt64: CompareLoop<int64_t>(col.data<int64_t>(), n, lit.i, op, o); break;
      case StorageClass::kFloat:
        if (std::isnan(lit.d) || HasNaN(col.data<float>(), n)) CompareLoopNaN<float>(col.data<float>(), n, static_cast<float>(lit.d), op, o);
        else CompareLoop<float>(col.data<float>(), n, static_cast<float>(lit.d), op, o);
        break;
      case StorageClass::kDouble:
        if (std::isnan(lit.d) || HasNaN(col.data<double>(), n)) CompareLoopNaN<double>(col.data<double>(), n, lit.d, op, o);
        else CompareLoop<double>(col.data<double>(), n, lit.d, op, o);
        break;
      case StorageClass::kInt128: CompareLoop<int128>(col.data<int128>(), n, lit.dec, op, o); break;
      case StorageClass::kBytes:
        for (int64_t i = 0; i < n; ++i) {
          int c = col.GetBytes(i).compare(lit.s);
          o[i] = Holds(op, c < 0 ? std::partial_ordering::less : c > 0 ? std::partial_ordering::greater
                                                                   : std::partial_ordering::equivalent);
        }
        break;
    }
  } else if (lt == TypeId::kDouble && col.storage() != StorageClass::kBytes) {
    for (int64_t i = 0; i < n; ++i) {
      auto c = Compare(ValueAt(col, i), lit);
      o[i] = c ? Holds(op, *c) : kUnknown;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      auto c = Compare(ValueAt(col, i), lit);
      o[i] = c ? Holds(op, *c) : kUnknown;
    }
  }
  if (col.has_nulls()) {
    for (int64_t i = 0; i < n; ++i) if (col.IsNull(i)) o[i] = kUnknown;
  }
}

void Eval(const Node& n, const RecordBatch& b, std::vector<uint8_t>* out) {
  const int64_t rows = b.num_rows;
  switch (n.kind) {
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      std::vector<uint8_t> r;
      Eval(*n.children[0], b, out);
      for (size_t c = 1; c < n.children.size(); ++c) {
        Eval(*n.children[c], b, &r);
        for (int64_t i = 0; i < rows; ++i) {
          uint8_t x = (*out)[i], y = r[i];
          if (n.kind == Node::Kind::kAnd) (*out)[i] = (x == kFalse || y == kFalse) ? kFalse : (x == kTrue && y == kTrue) ? kTrue : kUnknown;
          else (*out)[i] = (x == kTrue || y == kTrue) ? kTrue : (x == kFalse && y == kFalse) ? kFalse : kUnknown;
        }
      }
      return;
    }
    case Node::Kind::kNot:
      Eval(*n.children[0], b, out);
      for (auto& v : *out) v = v == kUnknown ? kUnknown : (v == kTrue ? kFalse : kTrue);
      return;
    case Node::Kind::kCompare: {
      const Column& col = b.columns[n.left.column];
      if (!n.right.is_column) {
        EvalCompareLiteral(col, n.op, n.right.value, out);
        return;
      }
      const Column& other = b.columns[n.right.column];
      out->assign(rows, kUnknown);
      for (int64_t i = 0; i < rows; ++i) {
        auto c = Compare(ValueAt(col, i), ValueAt(other, i));
        if (c) (*out)[i] = Holds(n.op, *c);
      }
      return;
    }
    case Node::Kind::kIsNull: {
      const Column& col = b.columns[n.left.column];
      out->resize(rows);
      for (int64_t i = 0; i < rows; ++i) (*out)[i] = col.IsNull(i) != n.negated;
      return;
    }
    case Node::Kind::kIn: {
      const Column& col = b.columns[n.left.column];
      std::vector<uint8_t> acc(rows, kFalse), r;
      for (const auto& v : n.list) {
        EvalCompareLiteral(col, CmpOp::kEq, v.value, &r);
        for (int64_t i = 0; i < rows; ++i) {
          if (r[i] == kTrue) acc[i] = kTrue;
          else if (r[i] == kUnknown && acc[i] == kFalse) acc[i] = kUnknown;
        }
      }
      if (n.negated) for (auto& v : acc) v = v == kUnknown ? kUnknown : (v == kTrue ? kFalse : kTrue);
      *out = std::move(acc);
      return;
    }
    case Node::Kind::kConst:
      out->assign(rows, kTrue);
      return;
  }
}

// ---- Statistics ----

using StatsFn = std::function<std::optional<ColumnRangeStats>(const std::string&)>;

bool CompareMayMatch(CmpOp op, const Value& lit, const ColumnRangeStats& s, bool floating) {
  if (lit.is_null) return false;  // comparison with null is never true
  if (s.null_count && s.num_rows && *s.null_count == *s.num_rows) return false;  // only nulls
  // Statistics leave NaN out of min/max, and NaN sorts above every number: for floating
  // columns the upper bound is unknown, and a NaN literal can match anything.
  if (floating && ((lit.type.id == TypeId::kFloat || lit.type.id == TypeId::kDouble) && std::isnan(lit.d))) return true;
  auto lo = s.min ? Compare(*s.min, lit) : std::nullopt;  // min vs lit
  auto hi = (s.max && !floating) ? Compare(*s.max, lit) : std::nullopt;  // max vs lit
  if (floating && s.max && (op == CmpOp::kEq || op == CmpOp::kLt || op == CmpOp::kLe)) hi = Compare(*s.max, lit);
  using O = std::partial_ordering;
  switch (op) {
    case CmpOp::kEq: return !((lo && *lo == O::greater) || (hi && *hi == O::less));
    case CmpOp::kNe: return floating || !(lo && hi && *lo == O::equivalent && *hi == O::equivalent);
    case CmpOp::kLt: return !(lo && (*lo == O::greater || *lo == O::equivalent));
    case CmpOp::kLe: return !(lo && *lo == O::greater);
    case CmpOp::kGt: return !(hi && (*hi == O::less || *hi == O::equivalent));
    case CmpOp::kGe: return !(hi && *hi == O::less);
  }
  return true;
}

bool ColumnIsFloating(const Schema& schema, int column) {
  auto id = schema.field(column).type.id;
  return id == TypeId::kFloat || id == TypeId::kDouble || id == TypeId::kFloat16;
}

bool MayMatchNode(const Node& n, const Schema& schema, const StatsFn& stats) {
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (const auto& c : n.children) if (!MayMatchNode(*c, schema, stats)) return false;
      return true;
    case Node::Kind::kOr:
      for (const auto& c : n.children) if (MayMatchNode(*c, schema, stats)) return true;
      return false;
    case Node::Kind::kNot: return true;  // conservative
    case Node::Kind::kCompare: {
      if (n.right.is_column) return true;
      auto s = stats(schema.field(n.left.column).name);
      if (!s) return true;
      return CompareMayMatch(n.op, n.right.value, *s, ColumnIsFloating(schema, n.left.column));
    }
    case Node::Kind::kIsNull: {
      auto s = stats(schema.field(n.left.column).name);
      if (!s || !s->null_count) return true;
      if (!n.negated) return *s->null_count > 0;
      return !s->num_rows || *s->null_count < *s->num_rows;
    }
    case Node::Kind::kIn: {
      if (n.negated) return true;
      auto s = stats(schema.field(n.left.column).name);
      if (!s) return true;
      for (const auto& v : n.list) if (CompareMayMatch(CmpOp::kEq, v.value, *s, ColumnIsFloating(schema, n.left.column))) return true;
      return false;
    }
    case Node::Kind::kConst: return true;
  }
  return true;
}

void CollectColumns(const Node& n, const Schema& schema, std::vector<std::string>* out) {
  auto add = [&](const Operand& o) {
    if (!o.is_column) return;
    const std::string& name = schema.field(o.column).name;
    for (const auto& x : *out) if (x == name) return;
    out->push_back(name);
  };
  add(n.left);
  add(n.right);
  for (const auto& c : n.children) CollectColumns(*c, schema, out);
}

}  // namespace

Predicate::~Predicate() = default;

absl::StatusOr<Predicate> Predicate::Parse(std::string_view text, const Schema& schema) {
  PLINTH_ASSIGN_OR_RETURN(NodePtr root, ParseAndBindPredicate(text, schema));
  Predicate p;
  p.root_ = root;
  p.schema_ = std::make_shared<const Schema>(schema);
  p.text_ = std::string(text);
  return p;
}

absl::StatusOr<std::vector<uint8_t>> Predicate::Evaluate(const RecordBatch& batch) const {
  if (batch.columns.size() != schema_->size()) {
    return absl::InternalError("filter was bound to a different schema than the batch");
  }
  std::vector<uint8_t> out;
  Eval(*root_, batch, &out);
  for (auto& v : out) v = v == kTrue;
  return out;
}

bool Predicate::MayMatch(const StatsFn& stats) const { return MayMatchNode(*root_, *schema_, stats); }

std::vector<std::string> Predicate::Columns() const {
  std::vector<std::string> out;
  CollectColumns(*root_, *schema_, &out);
  return out;
}

}  // namespace plinth::columnar
