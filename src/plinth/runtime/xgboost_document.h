// Reading an XGBoost model document: the Json of a ".json" or ".ubj" model file.
//
// XGBoost's JSON writer emits the bare tokens NaN, Infinity and -Infinity (1.7 writes NaN as the
// split condition of every categorical node), which strict JSON parsers refuse: ParseXgboostText
// reads them as null, and the array accessors below read null as NaN. Parameters are written as
// strings ("5E-1", "[2.3538704E-1,1E0]", "31"); arrays as JSON numbers or UBJSON typed arrays.
// The accessors accept all of these, never throw, and name the field (`path`) in every
// InvalidArgument they return.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::runtime::xgb {

// Parses XGBoost's JSON text (bounded depth, NaN/Infinity tokens read as null).
absl::StatusOr<Json> ParseXgboostText(std::string_view text);

// Member `key` of `obj`, or nullptr when `obj` is not an object or has no such member.
const Json* Member(const Json& obj, std::string_view key);
// Member `key` that must be an object (or an array): InvalidArgument naming path.key otherwise.
absl::StatusOr<const Json*> RequireObject(const Json& obj, std::string_view key, std::string_view path);
absl::StatusOr<const Json*> RequireArray(const Json& obj, std::string_view key, std::string_view path);

// A scalar parameter: a JSON number or a decimal string. Integers must be integral.
absl::StatusOr<double> NumberParam(const Json& v, std::string_view path);
absl::StatusOr<int64_t> IntParam(const Json& v, std::string_view path);
// XGBoost 3.x writes vector parameters as "[a,b,...]"; older versions a scalar. Either way the
// values in order (at least one).
absl::StatusOr<std::vector<double>> VectorParam(const Json& v, std::string_view path);

// Arrays of numbers. FloatArray rounds to float32 as XGBoost stores them (null reads as NaN);
// IntArray requires integral values (booleans read as 0/1).
absl::StatusOr<std::vector<float>> FloatArray(const Json& arr, std::string_view path);
absl::StatusOr<std::vector<int64_t>> IntArray(const Json& arr, std::string_view path);

}  // namespace plinth::runtime::xgb
