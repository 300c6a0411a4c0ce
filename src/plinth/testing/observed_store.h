// ObservedStore (tests): an OnlineStore that forwards every call to another and lets a test
// watch writes and MultiGets as they happen (sizes, order, a pause in the middle of one).
#pragma once

#include <functional>
#include <memory>

#include "plinth/storage/kv/online_store.h"

namespace plinth::testing {

class ObservedStore : public kv::OnlineStore {
 public:
  explicit ObservedStore(std::unique_ptr<kv::OnlineStore> inner) : inner_(std::move(inner)) {}

  // Called before the call is forwarded (on the caller's thread).
  std::function<void(const kv::WriteBatch&)> on_write;
  std::function<void(size_t keys)> on_multi_get;

  absl::Status Write(const kv::WriteBatch& batch, const kv::WriteOptions& options = {}) override {
    if (on_write) on_write(batch);
    return inner_->Write(batch, options);
  }
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override { return inner_->Get(key); }
  absl::Status MultiGet(std::span<const std::string_view> keys, std::vector<std::optional<std::string>>* values) override {
    if (on_multi_get) on_multi_get(keys.size());
    return inner_->MultiGet(keys, values);
  }
  absl::Status MultiGetVisit(std::span<const std::string_view> keys, MultiGetVisitor visitor) override {
    if (on_multi_get) on_multi_get(keys.size());
    return inner_->MultiGetVisit(keys, visitor);
  }
  absl::Status ScanPrefix(std::string_view prefix, ScanVisitor fn) override { return inner_->ScanPrefix(prefix, fn); }
  absl::Status DeletePrefix(std::string_view prefix) override { return inner_->DeletePrefix(prefix); }
  absl::Status Flush() override { return inner_->Flush(); }
  absl::StatusOr<uint64_t> ApproximateSize(std::string_view prefix) override { return inner_->ApproximateSize(prefix); }
  absl::StatusOr<kv::OnlineStoreStats> Stats() override { return inner_->Stats(); }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::unique_ptr<kv::OnlineStore> inner_;
};

}  // namespace plinth::testing
