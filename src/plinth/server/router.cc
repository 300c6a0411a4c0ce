#include "plinth/server/router.h"

namespace plinth::server {

namespace {
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::string_view s : StrSplit(path, '/')) out.push_back(s);
  if (!out.empty() && out.front().empty()) out.erase(out.begin());
  if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();  // trailing slash
  return out;
}
}  // namespace

ErrorFormat Router::ErrorFormatFor(std::string_view path) const {
  for (const auto& [prefix, format] : prefix_formats_) {
    if (path == prefix || (StartsWith(path, prefix) && path.size() > prefix.size() && path[prefix.size()] == '/')) return format;
  }
  return ErrorFormat::kPlinth;
}

void Router::Add(Route route) {
  Compiled c;
  for (std::string_view seg : Segments(route.pattern)) {
    if (!seg.empty() && seg.front() == '{') {
      c.segments.emplace_back("{}");
    } else {
      c.segments.emplace_back(seg);
      ++c.literal_count;
    }
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

const Route* Router::Match(std::string_view method, std::string_view path, std::vector<std::string>* params,
                           bool* method_mismatch) const {
  std::vector<std::string_view> segs = Segments(path);
  const Route* best = nullptr;
  size_t best_literals = 0;
  *method_mismatch = false;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Compiled& c = compiled_[i];
    if (c.segments.size() != segs.size()) continue;
    bool ok = true;
    for (size_t j = 0; j < segs.size() && ok; ++j) {
      if (c.segments[j] == "{}") ok = !segs[j].empty();
      else ok = c.segments[j] == segs[j];  // literals never need decoding
    }
    if (!ok) continue;
    if (routes_[i].method != method) {
      *method_mismatch = true;
      continue;
    }
    if (best == nullptr || c.literal_count > best_literals) {
      best = &routes_[i];
      best_literals = c.literal_count;
    }
  }
  if (best != nullptr) {
    params->clear();
    const Compiled& c = compiled_[best - routes_.data()];
    for (size_t j = 0; j < segs.size(); ++j) {
      if (c.segments[j] == "{}") params->push_back(PercentDecode(segs[j], false).value_or(std::string(segs[j])));
    }
    *method_mismatch = false;
  }
  return best;
}

}  // namespace plinth::server
