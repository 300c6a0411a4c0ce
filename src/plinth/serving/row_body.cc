#include "plinth/serving/row_body.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "plinth/serving/json_scanner.h"

namespace plinth::serving {

namespace {

bool ParseInstances(JsonScanner& s, RowBody* out) {
  if (!s.Consume('[')) return false;
  do {
    if (!s.Consume('{')) return false;
    if (!s.Peek('}')) {
      do {
        RowBody::Cell cell;
        if (!s.String(&cell.name) || !s.Consume(':')) return false;
        if (s.ConsumeNull()) {
          cell.value = std::numeric_limits<double>::quiet_NaN();
        } else if (!s.Number(&cell.value)) {
          return false;
        }
        out->cells.push_back(cell);
      } while (s.Consume(','));
    }
    if (!s.Consume('}')) return false;
    out->ends.push_back(out->cells.size());
  } while (s.Consume(','));
  return s.Consume(']');
}

}  // namespace

bool ParseRowBody(std::string_view text, RowBody* out) {
  *out = RowBody();
  // One allocation for the cells of a small body: each takes a ':' (an over-estimate when
  // strings hold some). Counted in the first 16 KiB and capped, so a body of colons cannot make
  // it allocate 24 bytes per byte.
  const std::string_view head = text.substr(0, 16 << 10);
  out->cells.reserve(std::min<size_t>(1024, static_cast<size_t>(std::count(head.begin(), head.end(), ':'))));
  JsonScanner s(text);
  if (!s.Consume('{')) return false;
  bool instances = false, tenant = false, version = false;
  if (s.Peek('}')) return false;  // no instances
  do {
    std::string_view key;
    if (!s.String(&key) || !s.Consume(':')) return false;
    if (key == "instances" && !instances) {
      instances = true;
      if (!ParseInstances(s, out)) return false;
    } else if (key == "tenant" && !tenant) {
      tenant = true;
      std::string_view v;
      if (s.ConsumeNull()) continue;
      if (!s.String(&v)) return false;
      out->tenant = std::string(v);
    } else if (key == "version" && !version) {
      version = true;
      if (s.ConsumeNull()) continue;
      double d = 0;
      bool integer = false;
      int64_t v = 0;
      if (!s.Number(&d, &integer, &v) || !integer) return false;
      out->version = v;
    } else {
      return false;
    }
  } while (s.Consume(','));
  return s.Consume('}') && s.AtEnd() && instances;
}

bool EncodeRowBody(const RowBody& body, const runtime::RowEncoder& encoder, FeatureMatrix* matrix) {
  const size_t n = static_cast<size_t>(encoder.num_features());
  std::vector<uint8_t> seen(n);
  size_t begin = 0;
  for (size_t r = 0; r < body.rows(); ++r) {
    std::fill(seen.begin(), seen.end(), 0);
    double* row = matrix->mutable_row(r);
    const size_t end = body.ends[r];
    if (end - begin != n) return false;
    for (size_t i = begin; i < end; ++i) {
      const int f = encoder.Find(body.cells[i].name, i - begin);
      if (f < 0 || seen[static_cast<size_t>(f)]) return false;
      seen[static_cast<size_t>(f)] = 1;
      row[f] = body.cells[i].value;
    }
    begin = end;
  }
  return true;
}

}  // namespace plinth::serving
