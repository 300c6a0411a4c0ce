// Timestamps: microseconds since the Unix epoch (UTC) as int64, formatted as ISO-8601.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plinth/base/status.h"

namespace plinth {

// "2026-11-24T05:33:22.123456Z"
std::string FormatTimestamp(int64_t micros);

// Accepts "2026-11-24", "2026-11-24T05:33:22", optional fraction (up to 9 digits) and
// "Z" or "+HH:MM"/"-HH:MM" offset, or a "T" replaced by a space. Returns micros UTC.
absl::StatusOr<int64_t> ParseTimestamp(std::string_view text);

// Days since 1970-01-01 <-> proleptic Gregorian civil date (any year).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

// Durations like "90s", "15m", "168h", "7d", "250ms". Returns microseconds.
absl::StatusOr<int64_t> ParseDuration(std::string_view text);

}  // namespace plinth
