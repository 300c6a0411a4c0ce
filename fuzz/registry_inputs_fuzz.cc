// libFuzzer target over the registry's parsers of untrusted text: the search filter language
// (parse + compile to SQL), order-by, model references, timestamps, durations, URL query
// strings and JSON request bodies. The first byte picks the parser; the rest is the input.
// Any crash, hang, sanitizer report or broken invariant is a bug; a crash found becomes a
// regression input in fuzz/corpus/registry_inputs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plinth/base/json.h"
#include "plinth/base/time.h"
#include "plinth/registry/filter.h"
#include "plinth/registry/model_ref.h"
#include "plinth/registry/search_query.h"
#include "plinth/server/http_types.h"

using namespace plinth;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0: {
      auto filter = registry::ParseFilter(input);
      if (filter.ok() && *filter != nullptr) {
        for (auto target : {registry::SearchTarget::kVersions, registry::SearchTarget::kModels}) {
          auto sql = registry::CompileSearch(target, filter->get(), {});
          // Values are bound, never pasted: the only quotes in the SQL are the compiler's own
          // empty-string literals ('').
          if (sql.ok() && ReplaceAll(sql->where, "''", "").find('\'') != std::string::npos) std::abort();
        }
      }
      break;
    }
    case 1: {
      auto order = registry::ParseOrderBy(input);
      if (order.ok()) (void)registry::CompileSearch(registry::SearchTarget::kVersions, nullptr, *order);
      break;
    }
    case 2: {
      auto ref = registry::ParseModelRef(input);
      if (ref.ok()) {
        auto again = registry::ParseModelRef(ref->ToString());  // round trip must hold
        if (!again.ok() || again->ToString() != ref->ToString()) std::abort();
      }
      break;
    }
    case 3: {
      auto t = ParseTimestamp(input);
      if (t.ok()) {
        auto again = ParseTimestamp(FormatTimestamp(*t));
        if (!again.ok() || *again != *t) std::abort();
      }
      (void)ParseDuration(input);
      break;
    }
    case 4:
      (void)server::ParseQueryString(input);
      break;
    case 5:
      (void)server::PercentDecode(input, true);
      break;
    default: {
      auto j = ParseJsonObject(input);
      if (j.ok()) (void)DumpJson(*j);
      break;
    }
  }
  return 0;
}
