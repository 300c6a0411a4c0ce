// Text forms of column values, shared by `plinth parquet cat`, `plinth table scan` and the
// HTTP API. JSON conventions (docs/API.md): integers exact; floats in shortest round-trip
// form of their own precision, NaN/Infinity/-Infinity as strings; strings as JSON strings;
// binary as standard base64; decimals as strings with exactly `scale` fraction digits; dates
// "YYYY-MM-DD"; timestamps "YYYY-MM-DDTHH:MM:SS.ffffffZ" (no Z for timestamp_ntz; years
// outside 0..9999 in ISO expanded form "+290000-..."); times "HH:MM:SS.ffffff"; uuids
// canonical 8-4-4-4-12.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plinth/storage/columnar/column.h"

namespace plinth::columnar {

// Appends the JSON text of row `row` of `col` (null -> null).
void AppendJsonValue(const Column& col, int64_t row, std::string* out);
// Appends the plain text form (strings unquoted, binary base64, null -> nothing).
void AppendTextValue(const Column& col, int64_t row, std::string* out);

std::string FormatDate(int32_t days);
std::string FormatTimestampMicros(int64_t micros, bool utc);
std::string FormatTimeMicros(int64_t micros);
std::string FormatDecimal(int128 unscaled, int32_t scale);

}  // namespace plinth::columnar
