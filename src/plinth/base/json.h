// JSON values for Plinth (nlohmann::json) and exception-free parsing helpers.
//
// nlohmann::json throws on type errors; code at module boundaries uses the helpers
// below so that no exception escapes (DESIGN.md convention 1).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "plinth/base/status.h"

namespace plinth {

using Json = nlohmann::json;

// Deepest array/object nesting ParseJson accepts (Jackson's default, so whatever Spark writes
// parses); deeper documents would overflow the stack of the recursive Json operations.
inline constexpr int kMaxJsonDepth = 1000;

// Parses `text` as one JSON document. InvalidArgument names the offset on failure, or the
// nesting limit (kMaxJsonDepth) when exceeded.
absl::StatusOr<Json> ParseJson(std::string_view text);

// Parses a JSON object; InvalidArgument when the document is valid but not an object.
absl::StatusOr<Json> ParseJsonObject(std::string_view text);

// ParseJsonObject for a request body: also InvalidArgument when one object anywhere in it names
// a member twice (RFC 8259 leaves the meaning open; keeping the last value hid mistakes such as
// a feature sent twice). Files (models, Delta logs, JSON lines) are read with ParseJson*.
absl::StatusOr<Json> ParseRequestJson(std::string_view text);

// Typed field accessors on an object. Missing or null fields give std::nullopt;
// a present field of the wrong type is InvalidArgument naming `key`.
absl::StatusOr<std::optional<std::string>> JsonOptString(const Json& obj, std::string_view key);
absl::StatusOr<std::optional<int64_t>> JsonOptInt(const Json& obj, std::string_view key);
absl::StatusOr<std::optional<double>> JsonOptDouble(const Json& obj, std::string_view key);
absl::StatusOr<std::optional<bool>> JsonOptBool(const Json& obj, std::string_view key);

// Rejects keys of `obj` that are not in `allowed` (catches typos in requests).
absl::Status JsonCheckKeys(const Json& obj, std::initializer_list<std::string_view> allowed,
                           std::string_view what);

// Serializes without throwing on invalid UTF-8 (replaces bad bytes).
std::string DumpJson(const Json& value, int indent = -1);

}  // namespace plinth
