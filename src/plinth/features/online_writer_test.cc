#include "plinth/features/online_writer.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "plinth/features/online_record.h"
#include "plinth/storage/kv/online_store_uri.h"
#include "plinth/testing/observed_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

using plinth::testing::ObservedStore;

constexpr uint64_t kLayout = 7;

PendingRow Row(int64_t entity, int64_t event, int64_t value) {
  PendingRow row;
  row.key = StrCat("v\\x01", entity);
  row.event_micros = event;
  row.created_micros = kNoTimestamp;
  EncodeRecord({kLayout, event, kNoTimestamp}, std::vector<Value>{Value::Int64(value)}, &row.record);
  return row;
}

int64_t Stored(kv::OnlineStore& store, int64_t entity) {
  auto v = store.Get(StrCat("v\\x01", entity));
  EXPECT_TRUE(v.ok() && v->has_value());
  std::vector<Value> values;
  EXPECT_TRUE(DecodeRecord(**v, &values).ok());
  return values.at(0).int64_value();
}

class OnlineWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto observed = std::make_unique<ObservedStore>(*kv::OpenOnlineStore("memory://"));
    observed_ = observed.get();
    store_ = std::move(observed);
    writer_ = std::make_unique<OnlineWriter>(store_.get());
  }
  std::unique_ptr<kv::OnlineStore> store_;
  ObservedStore* observed_ = nullptr;
  std::unique_ptr<OnlineWriter> writer_;
};

TEST_F(OnlineWriterTest, NewerRowsWinWithinACallAndAgainstTheStoreAcrossSlices) {
  const int64_t n = 3 * static_cast<int64_t>(OnlineWriter::kSliceKeys) + 5;
  std::vector<PendingRow> first;
  for (int64_t e = 0; e < n; ++e) first.push_back(Row(e, 10, e));
  PLINTH_ASSERT_OK_AND_ASSIGN(int64_t written, writer_->WriteLatest(first, kv::Durability::kUnlogged));
  EXPECT_EQ(written, n);
  // Newer rows for the even entities, older ones for the odd; an even entity's second, older
  // row comes a whole call's length later.
  std::vector<PendingRow> second;
  for (int64_t e = 0; e < n; ++e) second.push_back(Row(e, e % 2 == 0 ? 20 : 5, 1000 + e));
  for (int64_t e = 0; e < n; e += 2) second.push_back(Row(e, 15, 2000 + e));
  PLINTH_ASSERT_OK_AND_ASSIGN(written, writer_->WriteLatest(second, kv::Durability::kUnlogged));
  EXPECT_EQ(written, (n + 1) / 2);
  for (int64_t e : {int64_t{0}, int64_t{1}, n / 2, n - 1, n - 2}) {
    EXPECT_EQ(Stored(*store_, e), e % 2 == 0 ? 1000 + e : e) << e;
  }
}

// A one-row push behind a large write waits for the slice in progress, not for the whole call.
TEST_F(OnlineWriterTest, AOneRowWriteGetsInBetweenTheSlicesOfALargeOne) {
  const int64_t n = 8 * static_cast<int64_t>(OnlineWriter::kSliceKeys);
  std::vector<PendingRow> bulk;
  for (int64_t e = 0; e < n; ++e) bulk.push_back(Row(e, 10, e));
  std::atomic<int> big_reads{0};
  std::atomic<bool> paused{false}, push_done{false}, bulk_done{false};
  observed_->on_multi_get = [&](size_t keys) {
    if (keys <= 1) return;
    const int slice = ++big_reads;
    if (slice == 2) {  // under the writer's lock: the push queues behind this slice
      paused.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } else if (slice == 8) {  // the last slice waits (up to 5 s) for the push to be done
      for (int i = 0; i < 500 && !push_done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  std::thread bulk_writer([&] {
    EXPECT_TRUE(writer_->WriteLatest(bulk, kv::Durability::kUnlogged).ok());
    bulk_done.store(true);
  });
  for (int i = 0; i < 500 && !paused.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!paused.load()) {  // the large write never read a second slice
    bulk_writer.join();
    FAIL() << "a write of " << n << " entities read them in " << big_reads.load() << " slice(s)";
  }
  std::vector<PendingRow> push{Row(n + 1, 10, 42)};
  PLINTH_ASSERT_OK(writer_->WriteLatest(push, kv::Durability::kLogged).status());
  EXPECT_FALSE(bulk_done.load());
  push_done.store(true);
  bulk_writer.join();
  EXPECT_EQ(big_reads.load(), 8);
  EXPECT_EQ(Stored(*store_, n + 1), 42);
  EXPECT_EQ(Stored(*store_, n - 1), n - 1);
}

}  // namespace
}  // namespace plinth::features
