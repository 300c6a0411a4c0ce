// libFuzzer target over feature store inputs: definitions (YAML -> JSON -> Definitions ->
// whole-set validation with no source tables) and online store records (the bytes the
// reader decodes). Invariants beyond "no crash, no sanitizer report":
//   - parsed definitions print to canonical JSON that parses back to the same JSON;
//   - a record decodes only if its header decodes, and its values re-encoded decode to the same
//     header and values (the same bytes up to varint spelling).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plinth/base/yaml_json.h"
#include "plinth/features/definitions.h"
#include "plinth/features/definitions_validate.h"
#include "plinth/features/online_record.h"

using namespace plinth;            // NOLINT
using namespace plinth::features;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > 64 * 1024) return 0;

  // Online records.
  std::vector<Value> values;
  auto decoded = DecodeRecord(text, &values);
  if (decoded.ok()) {
    if (!DecodeRecordHeader(text).ok()) std::abort();
    std::string again;
    EncodeRecord(*decoded, values, &again);
    std::vector<Value> values2;
    auto redecoded = DecodeRecord(again, &values2);
    if (!redecoded.ok() || redecoded->layout != decoded->layout || redecoded->event_micros != decoded->event_micros ||
        redecoded->created_micros != decoded->created_micros || values2.size() != values.size()) {
      std::abort();
    }
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].SameAs(values2[i])) std::abort();
    }
  }

  // Definitions.
  auto doc = YamlToJson(text);
  if (!doc.ok()) return 0;
  auto defs = ParseDefinitions(*doc);
  if (!defs.ok()) return 0;
  Json canonical = ToJson(*defs);
  auto reparsed = ParseDefinitions(canonical);
  if (!reparsed.ok() || ToJson(*reparsed) != canonical) std::abort();
  (void)ValidateDefinitions(*defs, [](const SourceDef&) { return std::optional<columnar::Schema>(); });
  for (const FeatureViewDef& v : defs->feature_views) (void)LayoutId(v);
  return 0;
}
