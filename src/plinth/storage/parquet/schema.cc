#include "plinth/storage/parquet/schema.h"

#include "plinth/base/strings.h"

namespace plinth::parquet {

using columnar::DataType;
using columnar::TypeId;

namespace {

constexpr int kMaxDepth = 64;

absl::Status BadElement(const SchemaElement& e, std::string_view what) {
  return absl::InvalidArgumentError(StrCat("column '", e.name, "': ", what));
}

absl::Status ResolveDecimal(const SchemaElement& e, int32_t precision, int32_t scale, DataType* type,
                            Conversion* conv) {
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    return BadElement(e, StrCat("unsupported decimal(", precision, ",", scale, "): precision must be 1..38"));
  }
  *type = DataType::Decimal(precision, scale);
  switch (*e.type) {
    case PhysicalType::kInt32: *conv = Conversion::kInt32ToDecimal; return absl::OkStatus();
    case PhysicalType::kInt64: *conv = Conversion::kInt64ToDecimal; return absl::OkStatus();
    case PhysicalType::kByteArray: *conv = Conversion::kBytesToDecimal; return absl::OkStatus();
    case PhysicalType::kFixedLenByteArray:
      if (e.type_length.value_or(0) < 1 || *e.type_length > 16) {
        return BadElement(e, StrCat("decimal stored in ", e.type_length.value_or(0), " bytes is not supported (max 16)"));
      }
      *conv = Conversion::kBytesToDecimal;
      return absl::OkStatus();
    default: return BadElement(e, "DECIMAL annotation on a " + PhysicalTypeName(*e.type) + " column");
  }
}

absl::Status ResolveInteger(const SchemaElement& e, int bits, bool is_signed, DataType* type, Conversion* conv) {
  bool is64 = *e.type == PhysicalType::kInt64;
  if (!is64 && *e.type != PhysicalType::kInt32) return BadElement(e, "INTEGER annotation on a non-integer column");
  if ((bits == 64) != is64) return BadElement(e, StrCat("INTEGER(", bits, ") on ", PhysicalTypeName(*e.type)));
  *conv = Conversion::kNone;
  switch (bits) {
    case 8: type->id = is_signed ? TypeId::kInt8 : TypeId::kUInt8; return absl::OkStatus();
    case 16: type->id = is_signed ? TypeId::kInt16 : TypeId::kUInt16; return absl::OkStatus();
    case 32:
      type->id = is_signed ? TypeId::kInt32 : TypeId::kUInt32;
      if (!is_signed) *conv = Conversion::kUInt32ToInt64;
      return absl::OkStatus();
    case 64: type->id = is_signed ? TypeId::kInt64 : TypeId::kUInt64; return absl::OkStatus();
    default: return BadElement(e, StrCat("INTEGER bit width ", bits, " is invalid"));
  }
}

absl::Status ResolvePhysical(const SchemaElement& e, DataType* type, Conversion* conv) {
  *conv = Conversion::kNone;
  switch (*e.type) {
    case PhysicalType::kBoolean: *type = DataType{TypeId::kBool}; break;
    case PhysicalType::kInt32: *type = DataType{TypeId::kInt32}; break;
    case PhysicalType::kInt64: *type = DataType{TypeId::kInt64}; break;
    case PhysicalType::kInt96:
      *type = DataType{TypeId::kTimestamp};
      *conv = Conversion::kInt96ToMicros;
      break;
    case PhysicalType::kFloat: *type = DataType{TypeId::kFloat}; break;
    case PhysicalType::kDouble: *type = DataType{TypeId::kDouble}; break;
    case PhysicalType::kByteArray: *type = DataType{TypeId::kBinary}; break;
    case PhysicalType::kFixedLenByteArray:
      *type = DataType::FixedBinary(e.type_length.value_or(0));
      *conv = Conversion::kFixedToBytes;
      break;
    default: return BadElement(e, "invalid physical type");
  }
  return absl::OkStatus();
}

bool IsBytes(const SchemaElement& e) {
  return *e.type == PhysicalType::kByteArray || *e.type == PhysicalType::kFixedLenByteArray;
}

absl::Status ResolveTime(const SchemaElement& e, TimeUnit unit, DataType* type, Conversion* conv) {
  type->id = TypeId::kTime;
  if (unit == TimeUnit::kMillis && *e.type == PhysicalType::kInt32) *conv = Conversion::kMillisToMicros;
  else if (unit == TimeUnit::kMicros && *e.type == PhysicalType::kInt64) *conv = Conversion::kNone;
  else if (unit == TimeUnit::kNanos && *e.type == PhysicalType::kInt64) *conv = Conversion::kNanosToMicros;
  else return BadElement(e, "TIME annotation does not match its physical type");
  return absl::OkStatus();
}

absl::Status ResolveTimestamp(const SchemaElement& e, TimeUnit unit, bool utc, DataType* type, Conversion* conv) {
  if (*e.type != PhysicalType::kInt64) return BadElement(e, "TIMESTAMP annotation on a non-INT64 column");
  type->id = utc ? TypeId::kTimestamp : TypeId::kTimestampNtz;
  *conv = unit == TimeUnit::kMillis ? Conversion::kMillisToMicros
          : unit == TimeUnit::kNanos ? Conversion::kNanosToMicros
                                     : Conversion::kNone;
  return absl::OkStatus();
}

}  // namespace

absl::Status ResolveLeafType(const SchemaElement& e, DataType* type, Conversion* conv) {
  if (!e.type) return BadElement(e, "leaf without a physical type");
  if (*e.type == PhysicalType::kFixedLenByteArray && e.type_length.value_or(-1) < 0) {
    return BadElement(e, "FIXED_LEN_BYTE_ARRAY without a valid type_length");
  }
  *type = DataType{};
  if (e.logical_type) {
    const LogicalType& lt = *e.logical_type;
    switch (lt.kind) {
      case LogicalType::Kind::kString:
      case LogicalType::Kind::kEnum:
      case LogicalType::Kind::kJson:
        if (!IsBytes(e)) return BadElement(e, "STRING annotation on a non-binary column");
        *type = DataType{TypeId::kString};
        *conv = *e.type == PhysicalType::kFixedLenByteArray ? Conversion::kFixedToBytes : Conversion::kNone;
        return absl::OkStatus();
      case LogicalType::Kind::kDecimal: return ResolveDecimal(e, lt.precision, lt.scale, type, conv);
      case LogicalType::Kind::kDate:
        if (*e.type != PhysicalType::kInt32) return BadElement(e, "DATE annotation on a non-INT32 column");
        *type = DataType{TypeId::kDate};
        *conv = Conversion::kNone;
        return absl::OkStatus();
      case LogicalType::Kind::kTime: return ResolveTime(e, lt.unit, type, conv);
      case LogicalType::Kind::kTimestamp: return ResolveTimestamp(e, lt.unit, lt.is_adjusted_to_utc, type, conv);
      case LogicalType::Kind::kInteger: return ResolveInteger(e, lt.bit_width, lt.is_signed, type, conv);
      case LogicalType::Kind::kUuid:
        if (*e.type != PhysicalType::kFixedLenByteArray || e.type_length != 16) return BadElement(e, "UUID must be FIXED_LEN_BYTE_ARRAY(16)");
        *type = DataType{TypeId::kUuid};
        *conv = Conversion::kFixedToBytes;
        return absl::OkStatus();
      case LogicalType::Kind::kFloat16:
        if (*e.type != PhysicalType::kFixedLenByteArray || e.type_length != 2) return BadElement(e, "FLOAT16 must be FIXED_LEN_BYTE_ARRAY(2)");
        *type = DataType{TypeId::kFloat16};
        *conv = Conversion::kHalfToFloat;
        return absl::OkStatus();
      case LogicalType::Kind::kBson: return ResolvePhysical(e, type, conv);
      default: break;  // unknown/unsupported annotations: fall back to converted/physical
    }
  }
  if (e.converted_type) {
    switch (*e.converted_type) {
      case ConvertedType::kUtf8:
      case ConvertedType::kEnum:
      case ConvertedType::kJson:
        if (!IsBytes(e)) return BadElement(e, "UTF8 annotation on a non-binary column");
        *type = DataType{TypeId::kString};
        *conv = *e.type == PhysicalType::kFixedLenByteArray ? Conversion::kFixedToBytes : Conversion::kNone;
        return absl::OkStatus();
      case ConvertedType::kDecimal:
        return ResolveDecimal(e, e.precision.value_or(0), e.scale.value_or(0), type, conv);
      case ConvertedType::kDate:
        if (*e.type != PhysicalType::kInt32) return BadElement(e, "DATE annotation on a non-INT32 column");
        *type = DataType{TypeId::kDate};
        *conv = Conversion::kNone;
        return absl::OkStatus();
      case ConvertedType::kTimeMillis: return ResolveTime(e, TimeUnit::kMillis, type, conv);
      case ConvertedType::kTimeMicros: return ResolveTime(e, TimeUnit::kMicros, type, conv);
      case ConvertedType::kTimestampMillis: return ResolveTimestamp(e, TimeUnit::kMillis, true, type, conv);
      case ConvertedType::kTimestampMicros: return ResolveTimestamp(e, TimeUnit::kMicros, true, type, conv);
      case ConvertedType::kUint8: return ResolveInteger(e, 8, false, type, conv);
      case ConvertedType::kUint16: return ResolveInteger(e, 16, false, type, conv);
      case ConvertedType::kUint32: return ResolveInteger(e, 32, false, type, conv);
      case ConvertedType::kUint64: return ResolveInteger(e, 64, false, type, conv);
      case ConvertedType::kInt8: return ResolveInteger(e, 8, true, type, conv);
      case ConvertedType::kInt16: return ResolveInteger(e, 16, true, type, conv);
      case ConvertedType::kInt32: return ResolveInteger(e, 32, true, type, conv);
      case ConvertedType::kInt64: return ResolveInteger(e, 64, true, type, conv);
      default: break;
    }
  }
  return ResolvePhysical(e, type, conv);
}

absl::StatusOr<ParquetSchema> ParquetSchema::Build(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return absl::InvalidArgumentError("Parquet schema is empty");
  ParquetSchema schema;
  schema.elements_ = elements;
  struct Frame {
    int remaining;
    int16_t def, rep;
    std::vector<std::string> path;
  };
  const SchemaElement& root = elements[0];
  if (root.num_children.value_or(0) < 0) return absl::InvalidArgumentError("Parquet schema root has negative children");
  std::vector<Frame> stack;
  stack.push_back({root.num_children.value_or(0), 0, 0, {}});
  size_t i = 1;
  while (!stack.empty()) {
    if (stack.back().remaining == 0) {
      stack.pop_back();
      continue;
    }
    if (i >= elements.size()) {
      return absl::InvalidArgumentError("Parquet schema is truncated: a group declares more children than exist");
    }
    --stack.back().remaining;
    const SchemaElement& e = elements[i++];
    Frame& parent = stack.back();
    int16_t def = parent.def, rep = parent.rep;
    Repetition r = e.repetition_type.value_or(Repetition::kOptional);
    if (r == Repetition::kOptional) ++def;
    if (r == Repetition::kRepeated) ++def, ++rep;
    std::vector<std::string> path = parent.path;
    path.push_back(e.name);
    bool top_level = stack.size() == 1;
    int children = e.num_children.value_or(0);
    if (children < 0) return BadElement(e, "negative num_children");
    if (children > 0 || (!e.type && e.num_children.has_value())) {
      if (stack.size() >= kMaxDepth) return BadElement(e, "schema nesting is too deep");
      schema.flat_ = false;
      stack.push_back({children, def, rep, std::move(path)});
      continue;
    }
    if (r == Repetition::kRepeated || !top_level) schema.flat_ = false;
    LeafColumn leaf;
    leaf.index = static_cast<int>(schema.leaves_.size());
    leaf.path = path;
    leaf.dotted_path = StrJoin(path, ".");
    leaf.element = e;
    leaf.max_def = def;
    leaf.max_rep = rep;
    leaf.nullable = r != Repetition::kRequired;
    PLINTH_RETURN_IF_ERROR(ResolveLeafType(e, &leaf.type, &leaf.conversion));
    leaf.physical = *e.type;
    leaf.type_length = e.type_length.value_or(0);
    schema.leaves_.push_back(std::move(leaf));
  }
  if (i != elements.size()) {
    return absl::InvalidArgumentError(StrCat("Parquet schema has ", elements.size() - i,
                                             " elements outside the root's children"));
  }
  return schema;
}

absl::StatusOr<columnar::Schema> ParquetSchema::ToColumnar() const {
  if (!flat_) {
    for (const auto& l : leaves_) {
      if (l.path.size() > 1 || l.max_rep > 0) {
        return absl::FailedPreconditionError(
            StrCat("column '", l.dotted_path, "' is nested (lists, maps and structs are not supported yet)"));
      }
    }
    return absl::FailedPreconditionError("file has nested columns (not supported yet)");
  }
  std::vector<columnar::Field> fields;
  for (const auto& l : leaves_) fields.push_back({l.path[0], l.type, l.nullable});
  return columnar::Schema(std::move(fields));
}

columnar::Schema ParquetSchema::FlatColumns() const {
  std::vector<columnar::Field> fields;
  for (const auto& l : leaves_) {
    if (l.path.size() == 1 && l.max_rep == 0) fields.push_back({l.path[0], l.type, l.nullable});
  }
  return columnar::Schema(std::move(fields));
}

int ParquetSchema::LeafIndex(const std::string& name) const {
  for (const auto& l : leaves_) {
    if (l.path.size() == 1 && l.max_rep == 0 && l.path[0] == name) return l.index;
  }
  return -1;
}

std::string ParquetSchema::DebugString() const {
  std::string out;
  for (const auto& l : leaves_) {
    StrAppend(&out, l.dotted_path, ": ", columnar::TypeName(l.type), " (", PhysicalTypeName(l.physical));
    if (l.physical == PhysicalType::kFixedLenByteArray) StrAppend(&out, "(", l.type_length, ")");
    StrAppend(&out, ", ", l.nullable ? "optional" : "required");
    if (l.max_rep > 0 || l.path.size() > 1) StrAppend(&out, ", def ", l.max_def, " rep ", l.max_rep);
    out += ")\n";
  }
  return out;
}

SchemaElement ToSchemaElement(const columnar::Field& f) {
  SchemaElement e;
  e.name = f.name;
  e.repetition_type = f.nullable ? Repetition::kOptional : Repetition::kRequired;
  LogicalType lt;
  auto set_int = [&](PhysicalType p, ConvertedType ct, int bits, bool is_signed) {
    e.type = p;
    e.converted_type = ct;
    lt.kind = LogicalType::Kind::kInteger;
    lt.bit_width = bits;
    lt.is_signed = is_signed;
    e.logical_type = lt;
  };
  switch (f.type.id) {
    case TypeId::kBool: e.type = PhysicalType::kBoolean; break;
    case TypeId::kInt8: set_int(PhysicalType::kInt32, ConvertedType::kInt8, 8, true); break;
    case TypeId::kInt16: set_int(PhysicalType::kInt32, ConvertedType::kInt16, 16, true); break;
    case TypeId::kInt32: e.type = PhysicalType::kInt32; break;
    case TypeId::kInt64: e.type = PhysicalType::kInt64; break;
    case TypeId::kUInt8: set_int(PhysicalType::kInt32, ConvertedType::kUint8, 8, false); break;
    case TypeId::kUInt16: set_int(PhysicalType::kInt32, ConvertedType::kUint16, 16, false); break;
    case TypeId::kUInt32: set_int(PhysicalType::kInt32, ConvertedType::kUint32, 32, false); break;
    case TypeId::kUInt64: set_int(PhysicalType::kInt64, ConvertedType::kUint64, 64, false); break;
    case TypeId::kFloat16:
      e.type = PhysicalType::kFixedLenByteArray;
      e.type_length = 2;
      lt.kind = LogicalType::Kind::kFloat16;
      e.logical_type = lt;
      break;
    case TypeId::kFloat: e.type = PhysicalType::kFloat; break;
    case TypeId::kDouble: e.type = PhysicalType::kDouble; break;
    case TypeId::kString:
      e.type = PhysicalType::kByteArray;
      e.converted_type = ConvertedType::kUtf8;
      lt.kind = LogicalType::Kind::kString;
      e.logical_type = lt;
      break;
    case TypeId::kBinary: e.type = PhysicalType::kByteArray; break;
    case TypeId::kFixedBinary:
      e.type = PhysicalType::kFixedLenByteArray;
      e.type_length = f.type.byte_width;
      break;
    case TypeId::kUuid:
      e.type = PhysicalType::kFixedLenByteArray;
      e.type_length = 16;
      lt.kind = LogicalType::Kind::kUuid;
      e.logical_type = lt;
      break;
    case TypeId::kDate:
      e.type = PhysicalType::kInt32;
      e.converted_type = ConvertedType::kDate;
      lt.kind = LogicalType::Kind::kDate;
      e.logical_type = lt;
      break;
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      e.type = PhysicalType::kInt64;
      lt.kind = LogicalType::Kind::kTimestamp;
      lt.unit = TimeUnit::kMicros;
      lt.is_adjusted_to_utc = f.type.id == TypeId::kTimestamp;
      if (lt.is_adjusted_to_utc) e.converted_type = ConvertedType::kTimestampMicros;
      e.logical_type = lt;
      break;
    case TypeId::kTime:
      e.type = PhysicalType::kInt64;
      e.converted_type = ConvertedType::kTimeMicros;
      lt.kind = LogicalType::Kind::kTime;
      lt.unit = TimeUnit::kMicros;
      lt.is_adjusted_to_utc = false;
      e.logical_type = lt;
      break;
    case TypeId::kDecimal: {
      int p = f.type.precision;
      e.type = p <= 9 ? PhysicalType::kInt32 : p <= 18 ? PhysicalType::kInt64 : PhysicalType::kFixedLenByteArray;
      if (p > 18) e.type_length = 16;
      e.converted_type = ConvertedType::kDecimal;
      e.precision = p;
      e.scale = f.type.scale;
      lt.kind = LogicalType::Kind::kDecimal;
      lt.precision = p;
      lt.scale = f.type.scale;
      e.logical_type = lt;
      break;
    }
  }
  return e;
}

std::vector<SchemaElement> ToParquetSchema(const columnar::Schema& schema) {
  std::vector<SchemaElement> out;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.size());
  out.push_back(root);
  for (const auto& f : schema.fields()) out.push_back(ToSchemaElement(f));
  return out;
}

}  // namespace plinth::parquet
