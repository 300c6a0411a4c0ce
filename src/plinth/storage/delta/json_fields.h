// Typed reads of Delta log JSON objects with errors that name the offending field.
//
// Log files are untrusted input: every accessor checks the JSON type and reports problems as
// InvalidArgument "<what>.<key> is not an integer" (or "... is missing"), where `what` is the
// dotted location given by the caller (e.g. "add", "metaData.format"). Callers prefix the file
// name and line. Internal to plinth/storage/delta. Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::delta::internal {

class FieldReader {
 public:
  // REQUIRES: `obj` outlives the reader.
  FieldReader(const Json& obj, std::string what) : obj_(obj), what_(std::move(what)) {}

  // Missing and null both read as "absent".
  bool Has(std::string_view key) const;
  const Json* Get(std::string_view key) const;

  absl::StatusOr<std::string> String(std::string_view key) const;
  absl::StatusOr<std::optional<std::string>> OptString(std::string_view key) const;
  absl::StatusOr<int64_t> Int(std::string_view key) const;
  absl::StatusOr<std::optional<int64_t>> OptInt(std::string_view key) const;
  absl::StatusOr<bool> Bool(std::string_view key) const;
  absl::StatusOr<std::optional<bool>> OptBool(std::string_view key) const;
  // Object of string values; a null value is an error.
  absl::StatusOr<std::map<std::string, std::string>> StringMap(std::string_view key) const;
  absl::StatusOr<std::optional<std::map<std::string, std::string>>> OptStringMap(std::string_view key) const;
  // Object of string-or-null values (partitionValues).
  absl::StatusOr<std::map<std::string, std::optional<std::string>>> NullableStringMap(std::string_view key) const;
  absl::StatusOr<std::vector<std::string>> StringList(std::string_view key) const;
  absl::StatusOr<std::optional<std::vector<std::string>>> OptStringList(std::string_view key) const;
  // A nested object (required); InvalidArgument when absent or not an object.
  absl::StatusOr<const Json*> Object(std::string_view key) const;

  std::string Where(std::string_view key) const { return StrCat(what_, ".", key); }
  const std::string& what() const { return what_; }

 private:
  absl::Status Error(std::string_view key, std::string_view problem) const;
  const Json& obj_;
  std::string what_;
};

// JSON object {k: v} from a string map (keys sorted, stable output).
Json ToJsonObject(const std::map<std::string, std::string>& m);

}  // namespace plinth::delta::internal
