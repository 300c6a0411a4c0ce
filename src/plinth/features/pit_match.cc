#include "plinth/features/pit_match.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "plinth/features/online_record.h"
#include "plinth/features/pit_keys.h"

namespace plinth::features {

namespace {

// A grouped row: the sort key of the match and the row's position.
struct AsOfRow {
  int64_t event;
  int64_t created;
  uint64_t pos;
};

bool Before(const AsOfRow& a, const AsOfRow& b) {
  if (a.event != b.event) return a.event < b.event;
  if (a.created != b.created) return a.created < b.created;
  return a.pos < b.pos;
}

absl::Status IoError(std::string_view what, const std::string& path) {
  return absl::InternalError(StrCat("spill file ", path, ": ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyedRowStore>> KeyedRowStore::Create(int partitions, int writers, std::string spill_dir,
                                                                       int64_t buffer_bytes) {
  if (partitions < 1 || writers < 1) return absl::InvalidArgumentError("KeyedRowStore needs partitions and writers");
  std::unique_ptr<KeyedRowStore> s(new KeyedRowStore());
  s->partitions_ = partitions;
  s->writers_ = writers;
  s->dir_ = std::move(spill_dir);
  s->buffer_rows_ = static_cast<size_t>(std::clamp<int64_t>(buffer_bytes / static_cast<int64_t>(sizeof(KeyedRow)), 64, 4096));
  s->buffers_.assign(writers, std::vector<std::vector<KeyedRow>>(partitions));
  s->has_file_.assign(writers, std::vector<bool>(partitions, false));
  s->counts_.assign(writers, 0);
  return s;
}

KeyedRowStore::~KeyedRowStore() {
  if (partitions_ == 1) return;
  for (int w = 0; w < writers_; ++w) {
    for (int p = 0; p < partitions_; ++p) {
      if (has_file_[w][p]) std::remove(FileName(w, p).c_str());
    }
  }
}

std::string KeyedRowStore::FileName(int writer, int p) const {
  return (std::filesystem::path(dir_) / StrCat("rows-", writer, "-", p, ".bin")).string();
}

int64_t KeyedRowStore::rows() const {
  int64_t n = 0;
  for (int64_t c : counts_) n += c;
  return n;
}

absl::Status KeyedRowStore::Append(int writer, const KeyedRow* rows, size_t n) {
  counts_[writer] += static_cast<int64_t>(n);
  auto& bufs = buffers_[writer];
  if (partitions_ == 1) {
    bufs[0].insert(bufs[0].end(), rows, rows + n);
    return absl::OkStatus();
  }
  const uint32_t parts = static_cast<uint32_t>(partitions_);
  for (size_t i = 0; i < n; ++i) {
    const int p = static_cast<int>(rows[i].entity % parts);
    bufs[p].push_back(rows[i]);
    if (bufs[p].size() >= buffer_rows_) PLINTH_RETURN_IF_ERROR(Flush(writer, p));
  }
  return absl::OkStatus();
}

absl::Status KeyedRowStore::Flush(int writer, int p) {
  auto& buf = buffers_[writer][p];
  if (buf.empty()) return absl::OkStatus();
  const std::string path = FileName(writer, p);
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) return IoError("open", path);
  has_file_[writer][p] = true;
  const size_t bytes = buf.size() * sizeof(KeyedRow);
  const bool ok = std::fwrite(buf.data(), 1, bytes, f) == bytes;
  if (std::fclose(f) != 0 || !ok) return IoError("write", path);
  spilled_bytes_ += static_cast<int64_t>(bytes);
  buf.clear();
  return absl::OkStatus();
}

absl::Status KeyedRowStore::Finish() {
  if (partitions_ == 1) return absl::OkStatus();
  for (int w = 0; w < writers_; ++w) {
    for (int p = 0; p < partitions_; ++p) {
      PLINTH_RETURN_IF_ERROR(Flush(w, p));
      buffers_[w][p].shrink_to_fit();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<KeyedRow>>> KeyedRowStore::Take(int p) {
  std::vector<std::vector<KeyedRow>> out;
  for (int w = 0; w < writers_; ++w) {
    if (partitions_ == 1) {
      out.push_back(std::move(buffers_[w][0]));
      continue;
    }
    if (!has_file_[w][p]) continue;
    const std::string path = FileName(w, p);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return absl::InternalError(StrCat("spill file ", path, ": ", ec.message()));
    std::vector<KeyedRow> rows(size / sizeof(KeyedRow));
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return IoError("open", path);
    const size_t bytes = rows.size() * sizeof(KeyedRow);
    const bool ok = std::fread(rows.data(), 1, bytes, f) == bytes;
    std::fclose(f);
    if (!ok) return IoError("read", path);
    std::remove(path.c_str());
    has_file_[w][p] = false;
    out.push_back(std::move(rows));
  }
  return out;
}

absl::Status MatchAsOf(KeyedRowStore& store, const LabelProbes& probes, int64_t ttl_micros, WorkerPool& pool,
                       std::vector<uint64_t>* match) {
  const size_t nlabels = probes.entity.size();
  match->assign(nlabels, kNoMatch);
  const uint32_t parts = static_cast<uint32_t>(store.partitions());
  const uint32_t local_count = (probes.entities + parts - 1) / parts;  // local ids per partition
  // Labels grouped by (partition, local entity id) with a counting sort; each partition's
  // labels are then one range, ordered by entity (so the probes walk the groups in order).
  std::vector<uint32_t> label_order;
  std::vector<uint64_t> label_offsets(static_cast<size_t>(parts) * local_count + 1, 0);
  {
    auto bucket = [&](uint32_t e) { return static_cast<uint64_t>(e % parts) * local_count + e / parts; };
    for (size_t i = 0; i < nlabels; ++i) {
      if (probes.entity[i] != kNoEntity && probes.ts[i] != kNoTimestamp) ++label_offsets[bucket(probes.entity[i]) + 1];
    }
    for (size_t b = 1; b < label_offsets.size(); ++b) label_offsets[b] += label_offsets[b - 1];
    label_order.resize(label_offsets.back());
    std::vector<uint64_t> next(label_offsets.begin(), label_offsets.end() - 1);
    for (size_t i = 0; i < nlabels; ++i) {
      if (probes.entity[i] != kNoEntity && probes.ts[i] != kNoTimestamp) {
        label_order[next[bucket(probes.entity[i])]++] = static_cast<uint32_t>(i);
      }
    }
  }
  const int tasks = pool.threads() * 8;
  for (uint32_t p = 0; p < parts; ++p) {
    // Group the partition's rows by local entity id (counting sort), then sort each group.
    std::vector<AsOfRow> grouped;
    std::vector<uint64_t> offsets(static_cast<size_t>(local_count) + 1, 0);
    {
      PLINTH_ASSIGN_OR_RETURN(std::vector<std::vector<KeyedRow>> chunks, store.Take(static_cast<int>(p)));
      for (const auto& chunk : chunks) {
        for (const KeyedRow& r : chunk) ++offsets[r.entity / parts + 1];
      }
      for (size_t g = 1; g < offsets.size(); ++g) offsets[g] += offsets[g - 1];
      grouped.resize(offsets.back());
      std::vector<uint64_t> next(offsets.begin(), offsets.end() - 1);
      for (auto& chunk : chunks) {
        for (const KeyedRow& r : chunk) grouped[next[r.entity / parts]++] = {r.event, r.created, r.pos};
        std::vector<KeyedRow>().swap(chunk);
      }
    }
    pool.ParallelFor(tasks, [&](int t) {
      const uint64_t g0 = static_cast<uint64_t>(local_count) * t / tasks;
      const uint64_t g1 = static_cast<uint64_t>(local_count) * (t + 1) / tasks;
      for (uint64_t g = g0; g < g1; ++g) {
        if (offsets[g + 1] - offsets[g] > 1) std::sort(grouped.begin() + offsets[g], grouped.begin() + offsets[g + 1], Before);
      }
    });
    // Probe: the last row with event <= ts is the greatest (event, created, pos) candidate.
    const uint64_t l0 = label_offsets[static_cast<size_t>(p) * local_count];
    const uint64_t l1 = label_offsets[static_cast<size_t>(p + 1) * local_count];
    pool.ParallelFor(tasks, [&](int t) {
      const uint64_t a = l0 + (l1 - l0) * t / tasks, b = l0 + (l1 - l0) * (t + 1) / tasks;
      for (uint64_t i = a; i < b; ++i) {
        const uint32_t label = label_order[i];
        const int64_t ts = probes.ts[label];
        const uint32_t g = probes.entity[label] / parts;
        auto begin = grouped.begin() + offsets[g], end = grouped.begin() + offsets[g + 1];
        auto it = std::upper_bound(begin, end, ts, [](int64_t t, const AsOfRow& r) { return t < r.event; });
        if (it == begin) continue;
        const AsOfRow& row = *(it - 1);
        // ts >= event here, so the difference fits in uint64 whatever the values.
        if (ttl_micros > 0 && static_cast<uint64_t>(ts) - static_cast<uint64_t>(row.event) > static_cast<uint64_t>(ttl_micros)) {
          continue;
        }
        (*match)[label] = row.pos;
      }
    });
  }
  return absl::OkStatus();
}

}  // namespace plinth::features
