#include "plinth/storage/delta/table_features.h"

#include <algorithm>

namespace plinth::delta {

namespace {

constexpr int kMaxReaderVersion = 3;
constexpr int kMaxWriterVersion = 7;
constexpr std::string_view kReadableFeatures[] = {"v2Checkpoint", "timestampNtz", "vacuumProtocolCheck"};
// Writer features whose rules hold for Plinth's writes as long as the checks below pass.
constexpr std::string_view kWritableFeatures[] = {"appendOnly", "invariants", "checkConstraints",
                                                  "generatedColumns", "changeDataFeed", "identityColumns",
                                                  "columnMapping", "timestampNtz"};

bool ConfigTrue(const Metadata& m, std::string_view key) {
  auto v = m.Config(key);
  return v && EqualsIgnoreCase(*v, "true");
}

absl::Status CannotRead(std::string_view feature, std::string_view detail = {}) {
  return absl::FailedPreconditionError(StrCat("table uses reader feature '", feature, "'", detail,
                                              ", which Plinth cannot read"));
}

absl::Status CannotWrite(std::string_view feature, std::string_view detail = {}) {
  return absl::FailedPreconditionError(StrCat("table uses writer feature '", feature, "'", detail,
                                              ", which Plinth cannot write"));
}

bool AnyFieldMetadata(const std::vector<StructField>& fields, std::string_view key_prefix) {
  for (const StructField& f : fields) {
    if (f.metadata.is_object()) {
      for (auto it = f.metadata.begin(); it != f.metadata.end(); ++it) {
        if (StartsWith(it.key(), key_prefix)) return true;
      }
    }
    if (AnyFieldMetadata(f.type.fields, key_prefix)) return true;
    for (const DataType& c : f.type.children) {
      if (AnyFieldMetadata(c.fields, key_prefix)) return true;
    }
  }
  return false;
}

}  // namespace

bool IsAppendOnly(const Metadata& m) { return ConfigTrue(m, "delta.appendOnly"); }

bool InCommitTimestampsEnabled(const Metadata& m) {
  return ConfigTrue(m, "delta.enableInCommitTimestamps") || ConfigTrue(m, "delta.enableInCommitTimestamps-preview");
}

absl::Status CheckReadSupported(const Protocol& p, const Metadata& m) {
  if (p.min_reader_version < 1) {
    return absl::InvalidArgumentError(StrCat("protocol.minReaderVersion ", p.min_reader_version, " is invalid"));
  }
  if (p.min_reader_version > kMaxReaderVersion) {
    return absl::FailedPreconditionError(StrCat("table requires Delta reader version ", p.min_reader_version,
                                                "; Plinth supports reader versions 1 to ", kMaxReaderVersion));
  }
  if (p.min_reader_version == 3 && p.reader_features) {
    for (const std::string& f : *p.reader_features) {
      if (std::find(std::begin(kReadableFeatures), std::end(kReadableFeatures), f) == std::end(kReadableFeatures)) {
        return CannotRead(f);
      }
    }
  }
  if (auto mode = m.Config("delta.columnMapping.mode"); mode && !EqualsIgnoreCase(*mode, "none")) {
    return CannotRead("columnMapping", StrCat(" (delta.columnMapping.mode=", *mode, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckWriteSupported(const Protocol& p, const Metadata& m, const DeltaSchema& schema) {
  PLINTH_RETURN_IF_ERROR(CheckReadSupported(p, m));
  if (p.min_writer_version < 1 || p.min_writer_version > kMaxWriterVersion) {
    return absl::FailedPreconditionError(StrCat("table requires Delta writer version ", p.min_writer_version,
                                                "; Plinth supports writer versions 1 to ", kMaxWriterVersion));
  }
  if (p.min_writer_version == 7 && p.writer_features) {
    for (const std::string& f : *p.writer_features) {
      if (std::find(std::begin(kWritableFeatures), std::end(kWritableFeatures), f) == std::end(kWritableFeatures)) {
        return CannotWrite(f);
      }
    }
  }
  // Features of the legacy writer versions (and their named equivalents) are harmless unless used.
  if (AnyFieldMetadata(schema.fields, "delta.invariants")) return CannotWrite("invariants", " (column invariants)");
  for (const auto& [key, value] : m.configuration) {
    if (StartsWith(key, "delta.constraints.")) return CannotWrite("checkConstraints", StrCat(" (", key, ")"));
  }
  if (ConfigTrue(m, "delta.enableChangeDataFeed")) return CannotWrite("changeDataFeed");
  if (AnyFieldMetadata(schema.fields, "delta.generationExpression")) return CannotWrite("generatedColumns");
  if (AnyFieldMetadata(schema.fields, "delta.identity.")) return CannotWrite("identityColumns");
  if (InCommitTimestampsEnabled(m)) return CannotWrite("inCommitTimestamp");
  if (ConfigTrue(m, "delta.enableDeletionVectors")) return CannotWrite("deletionVectors");
  if (ConfigTrue(m, "delta.enableRowTracking")) return CannotWrite("rowTracking");
  return absl::OkStatus();
}

}  // namespace plinth::delta
