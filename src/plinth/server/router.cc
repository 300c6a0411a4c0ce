#include "plinth/server/router.h"

#include <cstdio>
#include <cstdlib>

namespace plinth::server {

namespace {

// Calls `fn(segment)` for each '/'-separated segment of `path`, without the leading empty one
// and without a trailing empty one (a trailing slash), like splitting it would; stops early when
// `fn` returns false.
template <typename Fn>
void ForEachSegment(std::string_view path, Fn&& fn) {
  if (path.empty()) return;
  if (path.front() == '/') path.remove_prefix(1);
  if (path.size() > 0 && path.back() == '/') path.remove_suffix(1);  // "/" itself stays one empty segment
  for (;;) {
    size_t slash = path.find('/');
    if (!fn(path.substr(0, slash)) || slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

// A request path's segments, on the stack. Routes have at most kMax segments (Add checks), so a
// longer path matches nothing.
struct PathSegments {
  static constexpr size_t kMax = 32;
  std::string_view seg[kMax];
  size_t size = 0;
  bool too_many = false;
};

}  // namespace

ErrorFormat Router::ErrorFormatFor(std::string_view path) const {
  for (const auto& [prefix, format] : prefix_formats_) {
    if (path == prefix || (StartsWith(path, prefix) && path.size() > prefix.size() && path[prefix.size()] == '/')) return format;
  }
  return ErrorFormat::kPlinth;
}

void Router::Add(Route route) {
  Compiled c;
  ForEachSegment(route.pattern, [&c](std::string_view seg) {
    const bool capture = !seg.empty() && seg.front() == '{';
    c.segments.push_back({capture ? std::string() : std::string(seg), capture});
    if (!capture) ++c.literal_count;
    return true;
  });
  if (c.segments.size() > PathSegments::kMax) {
    std::fprintf(stderr, "route %s has more than %zu segments\n", route.pattern.c_str(), PathSegments::kMax);
    std::abort();
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

const Route* Router::Match(std::string_view method, std::string_view path, std::vector<std::string>* params,
                           bool* method_mismatch) const {
  PathSegments segs;
  ForEachSegment(path, [&segs](std::string_view seg) {
    if (segs.size == PathSegments::kMax) {
      segs.too_many = true;
      return false;
    }
    segs.seg[segs.size++] = seg;
    return true;
  });
  const Route* best = nullptr;
  size_t best_literals = 0;
  *method_mismatch = false;
  if (segs.too_many) return nullptr;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Compiled& c = compiled_[i];
    if (c.segments.size() != segs.size) continue;
    bool ok = true;
    for (size_t j = 0; j < segs.size && ok; ++j) {
      const Compiled::Segment& want = c.segments[j];
      ok = want.capture ? !segs.seg[j].empty() : want.literal == segs.seg[j];  // literals never need decoding
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
    for (size_t j = 0; j < segs.size; ++j) {
      if (!c.segments[j].capture) continue;
      std::string_view seg = segs.seg[j];
      if (seg.find('%') == std::string_view::npos) {
        params->emplace_back(seg);
      } else {
        params->push_back(PercentDecode(seg, false).value_or(std::string(seg)));
      }
    }
    *method_mismatch = false;
  }
  return best;
}

}  // namespace plinth::server
