#include "plinth/base/json.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace plinth {

namespace {

// Deepest array/object nesting of `text` (brackets inside strings do not count). Parsing is
// iterative, but copying, comparing, dumping and walking a Json recurse once per level.
int NestingDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

namespace {

absl::StatusOr<Json> ParseText(std::string_view text, bool refuse_duplicate_names) {
  if (NestingDepth(text) > kMaxJsonDepth) {
    return absl::InvalidArgumentError(StrCat("malformed JSON: nested deeper than ", kMaxJsonDepth, " levels"));
  }
  // A name given twice in one object (RFC 8259 leaves its meaning open; silently keeping the
  // last one hid mistakes such as a feature sent twice with two values).
  std::vector<std::unordered_set<std::string>> open_objects;
  std::optional<std::string> duplicate;
  auto check_keys = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Json::parse_event_t::key && !open_objects.empty() && !duplicate) {
      if (!open_objects.back().insert(parsed.get<std::string>()).second) duplicate = parsed.get<std::string>();
    }
    return true;
  };
  Json out = refuse_duplicate_names ? Json::parse(text.begin(), text.end(), check_keys, /*allow_exceptions=*/false)
                                    : Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (duplicate && !out.is_discarded()) {
    return absl::InvalidArgumentError(StrCat("malformed JSON: the name '", *duplicate, "' appears twice in one object"));
  }
  if (out.is_discarded()) {
    // Re-parse with exceptions inside this function only, to get a position for the message.
    try {
      [[maybe_unused]] Json again = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
      return absl::InvalidArgumentError(StrCat("malformed JSON: ", e.what()));
    } catch (...) {
    }
    return absl::InvalidArgumentError("malformed JSON");
  }
  return out;
}

}  // namespace

absl::StatusOr<Json> ParseJson(std::string_view text) { return ParseText(text, false); }

absl::StatusOr<Json> ParseJsonObject(std::string_view text) {
  PLINTH_ASSIGN_OR_RETURN(Json out, ParseText(text, false));
  if (!out.is_object()) return absl::InvalidArgumentError("request body must be a JSON object");
  return out;
}

absl::StatusOr<Json> ParseRequestJson(std::string_view text) {
  PLINTH_ASSIGN_OR_RETURN(Json out, ParseText(text, true));
  if (!out.is_object()) return absl::InvalidArgumentError("request body must be a JSON object");
  return out;
}

namespace {
const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}
}  // namespace

absl::StatusOr<std::optional<std::string>> JsonOptString(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return absl::InvalidArgumentError(StrCat("'", key, "' must be a string"));
  return std::optional<std::string>(v->get<std::string>());
}

absl::StatusOr<std::optional<int64_t>> JsonOptInt(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  // Unsigned values above INT64_MAX would wrap to negative numbers.
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::optional<int64_t>(static_cast<int64_t>(u));
  } else if (v->is_number_integer()) {
    return std::optional<int64_t>(v->get<int64_t>());
  } else if (v->is_number_float()) {
    // Range check first: converting a double outside int64 is undefined behaviour.
    double d = v->get<double>();
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return absl::InvalidArgumentError(StrCat("'", key, "' must be an integer"));
}

absl::StatusOr<std::optional<double>> JsonOptDouble(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<double>();
  if (!v->is_number()) return absl::InvalidArgumentError(StrCat("'", key, "' must be a number"));
  return std::optional<double>(v->get<double>());
}

absl::StatusOr<std::optional<bool>> JsonOptBool(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return absl::InvalidArgumentError(StrCat("'", key, "' must be a boolean"));
  return std::optional<bool>(v->get<bool>());
}

absl::Status JsonCheckKeys(const Json& obj, std::initializer_list<std::string_view> allowed,
                           std::string_view what) {
  if (!obj.is_object()) return absl::InvalidArgumentError(StrCat(what, " must be a JSON object"));
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return absl::InvalidArgumentError(StrCat("unknown field '", it.key(), "' in ", what));
    }
  }
  return absl::OkStatus();
}

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace plinth
