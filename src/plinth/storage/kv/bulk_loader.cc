#include "plinth/storage/kv/bulk_loader.h"

#include "plinth/storage/kv/online_store.h"

namespace plinth::kv {

absl::Status BatchingBulkLoader::Put(std::string_view key, std::string_view value) {
  batch_.Put(key, value);
  if (batch_.size() < batch_rows_) return absl::OkStatus();
  absl::Status s = store_.Write(batch_, {.durability = Durability::kUnlogged});
  batch_.Clear();
  return s;
}

absl::Status BatchingBulkLoader::Finish() {
  if (!batch_.empty()) {
    PLINTH_RETURN_IF_ERROR(store_.Write(batch_, {.durability = Durability::kUnlogged}));
    batch_.Clear();
  }
  return store_.Flush();
}

}  // namespace plinth::kv
