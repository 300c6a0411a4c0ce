#include "plinth/features/scan_units.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "plinth/base/cpu_slots.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::features {

absl::StatusOr<std::vector<ScanUnit>> ListScanUnits(const std::string& root, const delta::Snapshot& snapshot,
                                                    const std::function<bool(size_t file)>& want) {
  const auto& files = snapshot.files();
  std::vector<ScanUnit> units;
  for (size_t f = 0; f < files.size(); ++f) {
    if (want && !want(f)) continue;
    PLINTH_ASSIGN_OR_RETURN(std::string rel, files[f].DecodedPath());
    auto reader = parquet::ParquetReader::OpenFile(StrCat(root, "/", rel));
    if (!reader.ok()) return absl::Status(reader.status().code(), StrCat("data file ", rel, ": ", reader.status().message()));
    if ((*reader)->num_rows() > (int64_t{1} << 32)) {  // row indexes must fit 32 bits
      return absl::FailedPreconditionError(StrCat("data file ", rel, " holds more than 2^32 rows"));
    }
    int64_t first = 0;
    const auto& groups = (*reader)->metadata().row_groups;
    for (size_t g = 0; g < groups.size(); ++g) {
      units.push_back({static_cast<uint32_t>(f), static_cast<int>(g), first, groups[g].num_rows});
      first += groups[g].num_rows;
    }
  }
  return units;
}

absl::StatusOr<std::unique_ptr<delta::TableScan>> OpenScanUnit(const std::string& root, const delta::Snapshot& snapshot,
                                                               const ScanUnit& unit, delta::ScanSpec spec) {
  const delta::AddFile* file = &snapshot.files()[unit.file];
  spec.include_file = [file](const delta::AddFile& f) { return &f == file; };
  const int rg = unit.row_group;
  spec.include_row_group = [rg](const delta::AddFile&, int g) { return g == rg; };
  return delta::TableScan::Create(root, snapshot, spec);
}

absl::Status ForEachScanUnit(WorkerPool& pool, const std::vector<ScanUnit>& units,
                             const std::function<absl::Status(size_t unit, int task)>& fn) {
  std::vector<size_t> order(units.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return units[a].rows > units[b].rows; });
  std::atomic<size_t> next{0};
  std::mutex mu;
  absl::Status first;
  const int tasks = std::max(1, std::min(pool.threads(), static_cast<int>(units.size())));
  CpuSlots* cpu = pool.cpu();
  pool.ParallelFor(tasks, [&](int task) {
    while (true) {
      // A slot first, then a unit: a thread waiting for a slot holds no unit another could run.
      if (cpu != nullptr) cpu->Acquire();
      const size_t i = next.fetch_add(1);
      if (i >= order.size()) {
        if (cpu != nullptr) cpu->Release();
        return;
      }
      absl::Status s = fn(order[i], task);
      if (cpu != nullptr) cpu->Release();
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = s;
        next.store(order.size());
        return;
      }
    }
  });
  return first;
}

std::vector<std::string> DistinctColumns(const std::vector<std::string>& names, std::vector<size_t>* index_of) {
  std::vector<std::string> out;
  index_of->clear();
  for (const std::string& n : names) {
    auto it = std::find(out.begin(), out.end(), n);
    index_of->push_back(static_cast<size_t>(it - out.begin()));
    if (it == out.end()) out.push_back(n);
  }
  return out;
}

}  // namespace plinth::features
