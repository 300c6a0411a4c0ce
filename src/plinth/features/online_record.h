// The online store's bytes for feature views: entity keys and the latest-value records.
//
// Key:    "f/" view-name "\0" then each join key value: int64 as 8 big-endian bytes with the
//         sign bit flipped, string as its length (varint) and bytes. A view's rows share the
//         prefix "f/<view>\0" (ViewKeyPrefix), so dropping a view is one prefix delete.
// Record: format byte (1), layout id (8 bytes: a hash of the view's feature names and types
//         at write time), event timestamp and created timestamp (8 bytes each, INT64_MIN when
//         absent), then one tagged value per feature of that layout.
// Records written under an older layout stay readable: the reader maps them by name
// (online_reader.h), so adding a feature to a view does not make stored rows unreadable.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/features/definitions.h"
#include "plinth/features/value.h"

namespace plinth::features {

inline constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();

std::string ViewKeyPrefix(std::string_view view);
// Appends the key of one entity of `view` to *out (cleared first). `keys` in join-key order.
// InvalidArgument when a key value is null or has the wrong type.
absl::Status EncodeEntityKey(std::string_view view, std::span<const JoinKey> join_keys, std::span<const Value> keys,
                             std::string* out);

// The same without the view prefix: appends the join-key bytes to *out (not cleared).
absl::Status AppendEntityKey(std::string_view view, std::span<const JoinKey> join_keys, std::span<const Value> keys,
                             std::string* out);

// Identifies a view's feature layout (names and types, in order).
uint64_t LayoutId(const FeatureViewDef& view);

struct RecordHeader {
  uint64_t layout = 0;
  int64_t event_micros = kNoTimestamp;
  int64_t created_micros = kNoTimestamp;
};

// Appends a record to *out (cleared first). `values` has one entry per feature of the layout.
void EncodeRecord(const RecordHeader& header, std::span<const Value> values, std::string* out);
// The pieces of EncodeRecord, for writers that encode straight from columns: the header (out is
// cleared first), then each value in layout order.
void EncodeRecordHeader(const RecordHeader& header, std::string* out);
void AppendRecordValue(const Value& v, std::string* out);
void AppendRecordNull(std::string* out);
void AppendRecordInt64(int64_t v, std::string* out);
void AppendRecordDouble(double d, std::string* out);
// The part of an entity key AppendEntityKey writes for an int64 join key.
void AppendInt64EntityKey(int64_t key, std::string* out);

// Reads the header only (cheap: for newer-wins comparisons). DataLoss on a malformed record.
absl::StatusOr<RecordHeader> DecodeRecordHeader(std::string_view record);
// Reads the whole record; *values gets one entry per stored feature.
absl::StatusOr<RecordHeader> DecodeRecord(std::string_view record, std::vector<Value>* values);

// True when a row stamped (event, created) replaces one stamped `stored`: a later event time,
// or the same event time and a created time at least as late (the last write wins a full tie).
inline bool Supersedes(int64_t event, int64_t created, const RecordHeader& stored) {
  if (event != stored.event_micros) return event > stored.event_micros;
  return created >= stored.created_micros;
}

}  // namespace plinth::features
