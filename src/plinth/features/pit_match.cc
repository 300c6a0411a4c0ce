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
  s->buffers_.assign(writers, std::vector<std::vector<KeyedRow>>(partitions == 1 ? 0 : partitions));
  s->chunks_.resize(writers);
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

absl::Status KeyedRowStore::Append(int writer, std::vector<KeyedRow>* rows) {
  counts_[writer] += static_cast<int64_t>(rows->size());
  if (partitions_ == 1) {
    if (!rows->empty()) chunks_[writer].push_back(std::move(*rows));
    rows->clear();
    return absl::OkStatus();
  }
  auto& bufs = buffers_[writer];
  const uint32_t parts = static_cast<uint32_t>(partitions_);
  for (const KeyedRow& row : *rows) {
    const int p = static_cast<int>(row.entity % parts);
    bufs[p].push_back(row);
    if (bufs[p].size() >= buffer_rows_) PLINTH_RETURN_IF_ERROR(Flush(writer, p));
  }
  rows->clear();
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
      for (auto& chunk : chunks_[w]) out.push_back(std::move(chunk));
      chunks_[w].clear();
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
  struct Probe {
    int64_t ts;
    uint32_t label;
  };
  std::vector<Probe> label_order;
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
        label_order[next[bucket(probes.entity[i])]++] = {probes.ts[i], static_cast<uint32_t>(i)};
      }
    }
  }
  const int tasks = pool.threads() * 8;
  for (uint32_t p = 0; p < parts; ++p) {
    // Group the partition's rows by local entity id with a parallel counting sort (each task
    // counts and scatters its own chunks into disjoint slots), then sort each group.
    std::vector<AsOfRow> grouped;
    std::vector<uint64_t> offsets(static_cast<size_t>(local_count) + 1, 0);
    {
      PLINTH_ASSIGN_OR_RETURN(std::vector<std::vector<KeyedRow>> chunks, store.Take(static_cast<int>(p)));
      const int nt = pool.threads();
      auto chunk_begin = [&](int t) { return chunks.size() * static_cast<size_t>(t) / static_cast<size_t>(nt); };
      std::vector<std::vector<uint64_t>> counts(nt);
      pool.ParallelFor(nt, [&](int t) {
        counts[t].assign(local_count, 0);
        for (size_t c = chunk_begin(t); c < chunk_begin(t + 1); ++c) {
          for (const KeyedRow& r : chunks[c]) ++counts[t][r.entity / parts];
        }
      });
      // counts[t][g] becomes task t's first slot for group g.
      uint64_t total = 0;
      for (uint32_t g = 0; g < local_count; ++g) {
        offsets[g] = total;
        for (int t = 0; t < nt; ++t) {
          const uint64_t n = counts[t][g];
          counts[t][g] = total;
          total += n;
        }
      }
      offsets[local_count] = total;
      grouped.resize(total);
      pool.ParallelFor(nt, [&](int t) {
        std::vector<uint64_t>& next = counts[t];
        for (size_t c = chunk_begin(t); c < chunk_begin(t + 1); ++c) {
          for (const KeyedRow& r : chunks[c]) grouped[next[r.entity / parts]++] = {r.event, r.created, r.pos};
          std::vector<KeyedRow>().swap(chunks[c]);
        }
      });
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
        const uint32_t label = label_order[i].label;
        const int64_t ts = label_order[i].ts;
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
