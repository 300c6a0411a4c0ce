// UBJSON decoder (Universal Binary JSON, draft 12) into Plinth's Json, for XGBoost ".ubj" models.
//
// Reads the subset XGBoost writes and a little more: objects and arrays, plain or counted
// ('#') or typed and counted ('$' + '#'); int8 'i', uint8 'U', int16 'I', int32 'l', int64 'L',
// float32 'd', float64 'D' (big-endian), strings 'S', chars 'C', high-precision numbers 'H'
// (kept as their decimal string), true 'T', false 'F', null 'Z' and no-op 'N' (skipped between
// values). Typed containers hold numbers, chars, strings or containers; typed containers of
// T/F/Z/N, which carry no bytes per element (so a count could not be checked against the data),
// are refused.
//
// The bytes are untrusted: nesting is limited to kMaxJsonDepth, every length and count is
// checked against the bytes that remain before anything is allocated, and trailing bytes after
// the root value are an error. Every error is InvalidArgument naming the byte offset.
// Float arrays decode as Json numbers (double) in one tight loop per typed array; float32 NaN
// and infinities are kept as such (Json then holds non-finite doubles, unlike parsed text).
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::runtime {

absl::StatusOr<Json> ParseUbjson(std::string_view bytes);

}  // namespace plinth::runtime
