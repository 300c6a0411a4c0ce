// Feature values to and from JSON (request bodies, responses, pushed rows).
//
// From JSON by declared type: int64 from an integer (or a float with no fraction), double from
// any number, bool from true/false, string from a string, timestamp from an ISO-8601 string
// or integer microseconds since the epoch; null is null. Anything else is InvalidArgument
// naming `what`. To JSON: timestamps as ISO-8601 UTC strings, NaN and infinities as null.
// Thread-safety: stateless.
#pragma once

#include "plinth/base/json.h"
#include "plinth/features/value.h"

namespace plinth::features {

absl::StatusOr<Value> ValueFromJson(const Json& j, ValueType type, std::string_view what);
Json ValueToJson(const Value& v);
// The same as JSON text appended to *out (json_text.h), for responses built without a DOM.
void AppendValueJson(const Value& v, std::string* out);

}  // namespace plinth::features
