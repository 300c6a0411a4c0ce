#include "plinth/registry/search_query.h"

#include <algorithm>
#include <cmath>

#include "plinth/base/time.h"

namespace plinth::registry {

namespace {

using Op = FilterComparison::Op;
using storage::SqlValue;

enum class FieldType { kString, kInt, kTimestamp };

// A resolved field: either a column, a key/value table, or alias membership.
struct Field {
  enum class Kind { kColumn, kKeyValue, kAlias } kind = Kind::kColumn;
  std::string column;      // kColumn: "v.version"
  FieldType type = FieldType::kString;
  std::string table;       // kKeyValue: "version_tags"
  std::string owner_col;   // kKeyValue: "version_id"; kAlias: "version_id"/"model_id"
  std::string owner_id;    // "v.id" or "m.id"
  std::string key;
  bool numeric_value = false;  // metrics
  bool text_value_castable = false;  // params: numeric literal compares as number
};

std::string Dotted(const std::vector<std::string>& f) { return StrJoin(f, "."); }

absl::StatusOr<Field> Resolve(SearchTarget target, const std::vector<std::string>& path) {
  const bool versions = target == SearchTarget::kVersions;
  const std::string owner_id = versions ? "v.id" : "m.id";
  auto unknown = [&] {
    return absl::InvalidArgumentError(StrCat(
        "unknown field '", Dotted(path), "': ",
        versions ? "use name, version, format, description, source_run, training_dataset, git_commit, parent, "
                   "created_by, sha256, size, created_at, updated_at, alias, tags.K, model_tags.K, params.K or metrics.K"
                 : "use name, description, created_by, latest_version, created_at, updated_at, alias or tags.K"));
  };
  Field f;
  if (path.size() == 1) {
    const std::string& n = path[0];
    if (n == "alias" || n == "aliases") {
      f.kind = Field::Kind::kAlias;
      f.owner_col = versions ? "version_id" : "model_id";
      f.owner_id = owner_id;
      return f;
    }
    if (n == "name" || n == "model") return Field{.column = "m.name"};
    if (n == "created_at" || n == "updated_at") {
      return Field{.column = StrCat(versions ? "v." : "m.", n), .type = FieldType::kTimestamp};
    }
    if (versions) {
      if (n == "version") return Field{.column = "v.version", .type = FieldType::kInt};
      if (n == "size") return Field{.column = "v.artifact_size", .type = FieldType::kInt};
      if (n == "sha256") return Field{.column = "v.artifact_sha256"};
      for (const char* col : {"format", "description", "source_run", "training_dataset", "git_commit", "parent", "created_by"}) {
        if (n == col) return Field{.column = StrCat("v.", col)};
      }
    } else {
      if (n == "latest_version") return Field{.column = "(SELECT MAX(lv.version) FROM model_versions lv WHERE lv.model_id = m.id)", .type = FieldType::kInt};
      if (n == "description" || n == "created_by") return Field{.column = StrCat("m.", n)};
    }
    return unknown();
  }
  if (path.size() == 2) {
    f.kind = Field::Kind::kKeyValue;
    f.key = path[1];
    f.owner_id = owner_id;
    const std::string& ns = path[0];
    if (ns == "tags" && versions) {
      f.table = "version_tags";
      f.owner_col = "version_id";
    } else if ((ns == "tags" && !versions) || (ns == "model_tags" && versions)) {
      f.table = "model_tags";
      f.owner_col = "model_id";
      f.owner_id = "m.id";
    } else if (ns == "params" && versions) {
      f.table = "version_params";
      f.owner_col = "version_id";
      f.text_value_castable = true;
    } else if (ns == "metrics" && versions) {
      f.table = "version_metrics";
      f.owner_col = "version_id";
      f.numeric_value = true;
    } else {
      return unknown();
    }
    if (f.key.empty()) return unknown();
    return f;
  }
  return unknown();
}

std::string_view OpSql(Op op) {
  switch (op) {
    case Op::kEq: return "=";
    case Op::kNe: return "<>";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kLike: return "LIKE";
    case Op::kNotLike: return "NOT LIKE";
    case Op::kIn: return "IN";
    case Op::kNotIn: return "NOT IN";
    default: return "";
  }
}

// Converting a double outside int64 is undefined behaviour: check first.
bool FitsInt64(double d) { return d >= -9223372036854775808.0 && d < 9223372036854775808.0; }

// Converts a literal for a target of `type` into a bound value.
absl::StatusOr<SqlValue> Bind(const FilterLiteral& lit, FieldType type, const std::string& field_name,
                              bool numeric) {
  if (numeric || type == FieldType::kInt) {
    if (lit.kind != FilterLiteral::Kind::kNumber) {
      return absl::InvalidArgumentError(StrCat("field '", field_name, "' is numeric; compare it with a number, not '", lit.text, "'"));
    }
    if (type == FieldType::kInt && FitsInt64(lit.number) && lit.number == std::trunc(lit.number)) {
      return SqlValue(static_cast<int64_t>(lit.number));
    }
    return SqlValue(lit.number);
  }
  if (type == FieldType::kTimestamp) {
    if (lit.kind == FilterLiteral::Kind::kNumber) {
      if (!FitsInt64(lit.number)) {
        return absl::InvalidArgumentError(StrCat("field '", field_name, "': timestamp ", lit.text, " is out of range"));
      }
      return SqlValue(static_cast<int64_t>(lit.number));
    }
    if (lit.kind != FilterLiteral::Kind::kString) {
      return absl::InvalidArgumentError(StrCat("field '", field_name, "' is a timestamp; compare it with an ISO-8601 string"));
    }
    PLINTH_ASSIGN_OR_RETURN(int64_t micros, ParseTimestamp(lit.text));
    return SqlValue(micros);
  }
  return SqlValue(lit.text);  // strings, and numbers/bools compared as their text
}

// Whether the filter's top-level conjunction has a name predicate SQLite can answer from the
// unique index on models.name: `name = 'x'`, `name in (...)` or `name like 'prefix%'`.
bool HasNameAnchor(const FilterNode& n) {
  if (n.kind == FilterNode::Kind::kAnd) {
    return std::any_of(n.children.begin(), n.children.end(), [](const auto& c) { return HasNameAnchor(*c); });
  }
  if (n.kind != FilterNode::Kind::kComparison) return false;
  const FilterComparison& c = n.comparison;
  if (c.field.size() != 1 || (c.field[0] != "name" && c.field[0] != "model")) return false;
  if (c.op == Op::kEq || c.op == Op::kIn) return true;
  return c.op == Op::kLike && !c.values.empty() && !c.values[0].text.empty() && c.values[0].text[0] != '%' &&
         c.values[0].text[0] != '_';
}

class Compiler {
 public:
  // `correlate_key_values`: write tag/param/metric conditions as correlated EXISTS probes
  // instead of `id IN (SELECT ...)`. SQLite assumes an IN subquery yields ~25 rows and drives
  // the whole query from it, which materializes every match of e.g. `metrics.auc >= 0.9`
  // (a fifth of all versions) even when a name prefix narrows the search to a few models;
  // with an index-backed name predicate it is much cheaper to start there and probe.
  Compiler(SearchTarget target, bool correlate_key_values) : target_(target), correlate_kv_(correlate_key_values) {}

  absl::Status Node(const FilterNode& n, std::string& out, std::vector<SqlValue>& params) {
    switch (n.kind) {
      case FilterNode::Kind::kAnd:
      case FilterNode::Kind::kOr: {
        out += "(";
        for (size_t i = 0; i < n.children.size(); ++i) {
          if (i > 0) out += n.kind == FilterNode::Kind::kAnd ? " AND " : " OR ";
          PLINTH_RETURN_IF_ERROR(Node(*n.children[i], out, params));
        }
        out += ")";
        return absl::OkStatus();
      }
      case FilterNode::Kind::kNot:
        out += "(NOT ";
        PLINTH_RETURN_IF_ERROR(Node(*n.children[0], out, params));
        out += ")";
        return absl::OkStatus();
      case FilterNode::Kind::kComparison:
        return Comparison(n.comparison, out, params);
    }
    return absl::InternalError("bad filter node");
  }

 private:
  absl::Status Comparison(const FilterComparison& c, std::string& out, std::vector<SqlValue>& params) {
    PLINTH_ASSIGN_OR_RETURN(Field f, Resolve(target_, c.field));
    const std::string name = Dotted(c.field);
    const bool like = c.op == Op::kLike || c.op == Op::kNotLike;
    const bool null_test = c.op == Op::kIsNull || c.op == Op::kIsNotNull;

    // The value expression and how literals bind to it.
    std::string expr;
    FieldType type = FieldType::kString;
    bool numeric = false;
    if (f.kind == Field::Kind::kColumn) {
      expr = f.column;
      type = f.type;
    } else if (f.kind == Field::Kind::kKeyValue) {
      expr = "value";
      numeric = f.numeric_value;
      if (f.text_value_castable && !c.values.empty() && c.values[0].kind == FilterLiteral::Kind::kNumber && !like) {
        expr = "CAST(value AS DOUBLE PRECISION)";
        numeric = true;
      }
    } else {
      expr = "alias";
    }
    if (like && (numeric || type != FieldType::kString)) {
      return absl::InvalidArgumentError(StrCat("'like' needs a text field; '", name, "' is not"));
    }

    std::string cond;  // condition on `expr`
    std::vector<SqlValue> cond_params;
    if (!null_test) {
      std::string_view op = OpSql(c.op);
      if (c.op == Op::kIn || c.op == Op::kNotIn) {
        std::vector<std::string> marks;
        for (const auto& lit : c.values) {
          PLINTH_ASSIGN_OR_RETURN(SqlValue v, Bind(lit, type, name, numeric));
          cond_params.push_back(std::move(v));
          marks.push_back("?");
        }
        cond = StrCat(expr, " ", op, " (", StrJoin(marks, ", "), ")");
      } else {
        PLINTH_ASSIGN_OR_RETURN(SqlValue v, Bind(c.values.at(0), type, name, numeric));
        cond_params.push_back(std::move(v));
        cond = StrCat(expr, " ", op, " ?");
      }
    }

    if (f.kind == Field::Kind::kColumn) {
      if (null_test) {
        bool text = type == FieldType::kString;
        out += c.op == Op::kIsNull ? (text ? StrCat("(", expr, " IS NULL OR ", expr, " = '')") : StrCat(expr, " IS NULL"))
                                   : (text ? StrCat("(", expr, " IS NOT NULL AND ", expr, " <> '')") : StrCat(expr, " IS NOT NULL"));
        return absl::OkStatus();
      }
      out += cond;
      params.insert(params.end(), cond_params.begin(), cond_params.end());
      return absl::OkStatus();
    }

    std::string table = f.kind == Field::Kind::kAlias ? "aliases" : f.table;
    std::string sub = StrCat("SELECT ", f.owner_col, " FROM ", table, " WHERE ");
    std::vector<SqlValue> sub_params;
    if (f.kind == Field::Kind::kKeyValue) {
      sub += "key = ?";
      sub_params.emplace_back(f.key);
    } else {
      sub += "1=1";
    }
    if (null_test) {
      out += StrCat(f.owner_id, c.op == Op::kIsNull ? " NOT IN (" : " IN (", sub, ")");
      params.insert(params.end(), sub_params.begin(), sub_params.end());
      return absl::OkStatus();
    }
    // For aliases, "!=" and "not in"/"not like" mean "holds no such alias".
    bool negate_membership = f.kind == Field::Kind::kAlias &&
                             (c.op == Op::kNe || c.op == Op::kNotIn || c.op == Op::kNotLike);
    if (negate_membership) {
      Op positive = c.op == Op::kNe ? Op::kEq : c.op == Op::kNotIn ? Op::kIn : Op::kLike;
      FilterComparison pos = c;
      pos.op = positive;
      std::string inner;
      std::vector<SqlValue> inner_params;
      PLINTH_RETURN_IF_ERROR(Comparison(pos, inner, inner_params));
      out += StrCat("(NOT ", inner, ")");
      params.insert(params.end(), inner_params.begin(), inner_params.end());
      return absl::OkStatus();
    }
    if (correlate_kv_ && f.kind == Field::Kind::kKeyValue) {
      out += StrCat("EXISTS (SELECT 1 FROM ", table, " WHERE ", f.owner_col, " = ", f.owner_id, " AND key = ? AND ", cond, ")");
    } else {
      out += StrCat(f.owner_id, " IN (", sub, " AND ", cond, ")");
    }
    params.insert(params.end(), sub_params.begin(), sub_params.end());
    params.insert(params.end(), cond_params.begin(), cond_params.end());
    return absl::OkStatus();
  }

  SearchTarget target_;
  bool correlate_kv_;
};

}  // namespace

absl::StatusOr<CompiledSearch> CompileSearch(SearchTarget target, const FilterNode* filter,
                                             const std::vector<OrderTerm>& order) {
  CompiledSearch out;
  const bool versions = target == SearchTarget::kVersions;
  if (filter == nullptr) {
    out.where = "1=1";
  } else {
    PLINTH_RETURN_IF_ERROR(Compiler(target, HasNameAnchor(*filter)).Node(*filter, out.where, out.where_params));
  }
  std::vector<std::string> terms;
  int join_index = 0;
  for (const OrderTerm& t : order) {
    PLINTH_ASSIGN_OR_RETURN(Field f, Resolve(target, t.field));
    std::string dir = t.descending ? " DESC" : " ASC";
    if (f.kind == Field::Kind::kAlias) {
      return absl::InvalidArgumentError("cannot order by alias");
    }
    if (f.kind == Field::Kind::kColumn) {
      bool nullable = f.column.front() == '(';  // a subquery (latest_version) may be NULL
      terms.push_back(StrCat(f.column, dir, nullable ? " NULLS LAST" : ""));
      out.keys.push_back({f.column, t.descending, nullable});
      continue;
    }
    std::string a = StrCat("o", join_index++);
    StrAppend(&out.joins, " LEFT JOIN ", f.table, " ", a, " ON ", a, ".", f.owner_col, " = ", f.owner_id,
                    " AND ", a, ".key = ?");
    out.join_params.emplace_back(f.key);
    terms.push_back(StrCat(a, ".value", dir, " NULLS LAST"));
    out.keys.push_back({StrCat(a, ".value"), t.descending, true});
  }
  if (terms.empty()) {
    terms.push_back(versions ? "v.created_at DESC" : "m.name ASC");
    out.keys.push_back(versions ? SortKey{"v.created_at", true, false} : SortKey{"m.name", false, false});
  }
  terms.push_back(versions ? "v.id DESC" : "m.id ASC");
  out.keys.push_back(versions ? SortKey{"v.id", true, false} : SortKey{"m.id", false, false});
  out.order_by = StrJoin(terms, ", ");
  return out;
}

absl::StatusOr<std::string> KeysetAfter(const CompiledSearch& search, const std::vector<SqlValue>& cursor,
                                        std::vector<SqlValue>* params) {
  if (cursor.size() != search.keys.size()) return absl::InvalidArgumentError("page cursor does not match the query");
  // after(i) = beyond(i) OR (equal(i) AND after(i+1)), with NULL sorting after every value.
  std::string sql;
  size_t open = 0;
  for (size_t i = 0; i < search.keys.size(); ++i) {
    const SortKey& k = search.keys[i];
    const bool null_cursor = std::holds_alternative<std::monostate>(cursor[i]);
    const bool last = i + 1 == search.keys.size();
    std::string beyond;
    if (null_cursor) {
      beyond = "1=0";  // nothing sorts after NULL but other NULLs, which are "equal"
    } else {
      beyond = StrCat(k.expr, k.descending ? " < ?" : " > ?");
      if (k.nullable) beyond = StrCat("(", beyond, " OR ", k.expr, " IS NULL)");
      params->push_back(cursor[i]);
    }
    if (last) {
      sql += beyond;
      break;
    }
    StrAppend(&sql, "(", beyond, " OR (");
    if (null_cursor) {
      StrAppend(&sql, k.expr, " IS NULL");
    } else {
      StrAppend(&sql, k.expr, " = ?");
      params->push_back(cursor[i]);
    }
    sql += " AND ";
    open += 2;
  }
  sql.append(open, ')');
  return sql;
}

}  // namespace plinth::registry
