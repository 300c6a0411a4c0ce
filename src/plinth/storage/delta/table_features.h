// Which tables Plinth can read and write correctly, decided from protocol + metadata.
//
// Reading: reader versions 1 and 2, and 3 with reader features v2Checkpoint (sidecars go through
// CheckpointIO), timestampNtz (a schema type; nothing else to do in the log) and
// vacuumProtocolCheck (no reader requirement). Tables that use column mapping
// (delta.columnMapping.mode name/id), deletion vectors or any other reader feature are refused
// with FailedPrecondition naming the feature: Plinth never returns wrong rows.
//
// Writing: refuses (FailedPrecondition naming the feature) writer versions/features whose rules
// this engine does not enforce when the table actually uses them (CHECK constraints, invariants,
// generated or identity columns, change data feed, column mapping, deletion vectors, row
// tracking, in-commit timestamps, clustering, ...). appendOnly is enforced by Transaction.
//
// Thread-safety: stateless functions.
#pragma once

#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/schema.h"

namespace plinth::delta {

absl::Status CheckReadSupported(const Protocol& protocol, const Metadata& metadata);
absl::Status CheckWriteSupported(const Protocol& protocol, const Metadata& metadata, const DeltaSchema& schema);

// delta.appendOnly=true.
bool IsAppendOnly(const Metadata& metadata);
// delta.enableInCommitTimestamps=true (or its -preview spelling).
bool InCommitTimestampsEnabled(const Metadata& metadata);

}  // namespace plinth::delta
