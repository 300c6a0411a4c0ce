#include "plinth/storage/delta/transaction.h"

#include <filesystem>
#include <set>
#include <thread>

#include "plinth/storage/delta/delta_test_util.h"
#include "plinth/storage/delta/local_log_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::delta {
namespace {

using ::plinth::delta::testing::TestAdd;
using ::plinth::delta::testing::TestMetadata;
using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *LocalLogStore::Create({.table_root = dir_.path().string(), .fsync = false});
  }

  void CreateTable(std::vector<std::string> partition_columns = {}, std::map<std::string, std::string> config = {}) {
    auto txn = *Transaction::StartCreate(Options());
    Metadata m = TestMetadata(std::move(partition_columns));
    m.configuration = std::move(config);
    txn->SetMetadata(m);
    txn->SetProtocol(Protocol{});
    PLINTH_ASSERT_OK_AND_ASSIGN(CommitResult r, txn->Commit());
    ASSERT_EQ(r.version, 0);
  }

  Transaction::Options Options(std::string op = "WRITE", bool reads_table = false) {
    return {.log_store = store_.get(), .clock = &clock_, .operation = std::move(op), .reads_table = reads_table};
  }

  std::unique_ptr<Snapshot> Latest() { return *Snapshot::Open({.log_store = store_.get()}); }

  std::unique_ptr<Transaction> Start(std::string op = "WRITE", bool reads_table = false) {
    auto snap = Latest();
    return *Transaction::Start(*snap, Options(std::move(op), reads_table));
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<LocalLogStore> store_;
};

TEST_F(TransactionTest, CreateAppendAndCommitInfo) {
  CreateTable();
  auto txn = Start();
  txn->Add(TestAdd("a.parquet"));
  PLINTH_ASSERT_OK_AND_ASSIGN(CommitResult r, txn->Commit());
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_FALSE(r.already_committed);
  EXPECT_TRUE(StatusIs(txn->Commit(), absl::StatusCode::kFailedPrecondition, "already committed"));

  PLINTH_ASSERT_OK_AND_ASSIGN(auto actions, ParseCommit(*store_->Read(1), "v1"));
  const auto& ci = std::get<CommitInfo>(actions[0]);
  EXPECT_EQ(ci.timestamp(), clock_.NowMicros() / 1000);
  EXPECT_EQ(ci.operation(), "WRITE");
  EXPECT_EQ(ci.raw["engineInfo"], "plinth/0.1.0");
  EXPECT_EQ(ci.raw["isBlindAppend"], true);
  EXPECT_EQ(ci.raw["readVersion"], 0);
  EXPECT_TRUE(ci.operation_parameters().is_object());
  auto snap = Latest();
  EXPECT_EQ(snap->version(), 1);
  EXPECT_EQ(snap->files().size(), 1u);

  // A second create aborts: the table exists.
  auto again = *Transaction::StartCreate(Options());
  again->SetMetadata(TestMetadata());
  again->SetProtocol(Protocol{});
  EXPECT_TRUE(StatusIs(again->Commit(), absl::StatusCode::kAborted, "created concurrently"));
}

TEST_F(TransactionTest, ConcurrentBlindAppendsAllLandOnce) {
  CreateTable();
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0}, retried{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto snap = Snapshot::Open({.log_store = store_.get()});
        if (!snap.ok()) { ++failures; continue; }
        auto txn = Transaction::Start(**snap, Options());
        if (!txn.ok()) { ++failures; continue; }
        (*txn)->Add(TestAdd(StrCat("t", t, "-", i, ".parquet")));
        auto r = (*txn)->Commit();
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          ++failures;
        } else if (r->attempts > 1) {
          ++retried;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, store_->List());
  ASSERT_EQ(files.size(), 1u + kThreads * kPerThread);
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(files[i].version, static_cast<int64_t>(i));
  auto snap = Latest();
  EXPECT_EQ(snap->version(), kThreads * kPerThread);
  std::set<std::string> paths;
  for (const AddFile& f : snap->files()) paths.insert(f.path);
  EXPECT_EQ(paths.size(), static_cast<size_t>(kThreads * kPerThread));
  // Every add appears in exactly one commit.
  std::map<std::string, int> seen;
  for (int64_t v = 1; v <= snap->version(); ++v) {
    PLINTH_ASSERT_OK_AND_ASSIGN(std::string bytes, store_->Read(v));
    PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<Action> actions, ParseCommit(bytes, "c"));
    for (const Action& a : actions) {
      if (const auto* add = std::get_if<AddFile>(&a)) ++seen[add->path];
    }
  }
  for (const auto& [p, n] : seen) EXPECT_EQ(n, 1) << p;
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  RecordProperty("commits_that_retried", retried.load());
}

TEST_F(TransactionTest, BlindAppendRebasesOverAWinner) {
  CreateTable();
  auto loser = Start();
  auto winner = Start();
  winner->Add(TestAdd("w.parquet"));
  PLINTH_ASSERT_OK(winner->Commit());
  loser->Add(TestAdd("l.parquet"));
  PLINTH_ASSERT_OK_AND_ASSIGN(CommitResult r, loser->Commit());
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(Latest()->files().size(), 2u);
}

TEST_F(TransactionTest, ConcurrentDeleteOfTheSameFileAborts) {
  CreateTable();
  auto add = Start();
  add->Add(TestAdd("victim.parquet"));
  PLINTH_ASSERT_OK(add->Commit());
  auto snap = Latest();
  const AddFile& victim = snap->files()[0];
  auto first = *Transaction::Start(*snap, Options("DELETE", true));
  auto second = *Transaction::Start(*snap, Options("DELETE", true));
  first->Remove(Transaction::RemoveFor(victim, 1));
  second->Remove(Transaction::RemoveFor(victim, 1));
  PLINTH_ASSERT_OK(first->Commit());
  EXPECT_TRUE(StatusIs(second->Commit(), absl::StatusCode::kAborted, "concurrent delete: file victim.parquet"));
  EXPECT_EQ(Latest()->files().size(), 0u);
}

TEST_F(TransactionTest, ReadingTransactionAbortsOnConcurrentAppendInItsPartition) {
  CreateTable({"part"});
  auto seed = Start();
  seed->Add(TestAdd("part=a/1.parquet", {{"part", "a"}}));
  seed->Add(TestAdd("part=b/1.parquet", {{"part", "b"}}));
  PLINTH_ASSERT_OK(seed->Commit());
  auto snap = Latest();

  // Rewrites partition a; a concurrent append to partition b does not conflict...
  auto rewrite_a = *Transaction::Start(*snap, Options("DELETE", true));
  rewrite_a->Remove(Transaction::RemoveFor(*snap->FindFile("part=a/1.parquet"), 1));
  auto append_b = *Transaction::Start(*snap, Options());
  append_b->Add(TestAdd("part=b/2.parquet", {{"part", "b"}}));
  PLINTH_ASSERT_OK(append_b->Commit());
  PLINTH_ASSERT_OK_AND_ASSIGN(CommitResult r, rewrite_a->Commit());
  EXPECT_EQ(r.attempts, 2);

  // ...but one to partition b does, unless it is a blind append (WriteSerializable).
  snap = Latest();
  auto rewrite_b = *Transaction::Start(*snap, Options("DELETE", true));
  rewrite_b->Remove(Transaction::RemoveFor(*snap->FindFile("part=b/1.parquet"), 1));
  auto merge = *Transaction::Start(*snap, Options("MERGE", true));  // read the table: not blind
  merge->Add(TestAdd("part=b/3.parquet", {{"part", "b"}}));
  PLINTH_ASSERT_OK(merge->Commit());
  EXPECT_TRUE(StatusIs(rewrite_b->Commit(), absl::StatusCode::kAborted, "concurrent append: file part=b/3.parquet"));
}

TEST_F(TransactionTest, BlindAppendsDoNotConflictWithReadersUnlessSerializable) {
  for (const bool serializable : {false, true}) {
    SCOPED_TRACE(serializable ? "Serializable" : "WriteSerializable");
    const std::string root = (dir_.path() / (serializable ? "serializable" : "write-serializable")).string();
    store_ = *LocalLogStore::Create({.table_root = root, .fsync = false});
    std::map<std::string, std::string> config;
    if (serializable) config["delta.isolationLevel"] = "Serializable";
    CreateTable({}, config);
    auto seed = Start();
    seed->Add(TestAdd("1.parquet"));
    PLINTH_ASSERT_OK(seed->Commit());
    auto snap = Latest();
    auto rewrite = *Transaction::Start(*snap, Options("DELETE", true));
    rewrite->Remove(Transaction::RemoveFor(*snap->FindFile("1.parquet"), 1));
    rewrite->Add(TestAdd("1b.parquet"));
    auto push = *Transaction::Start(*snap, Options());
    push->Add(TestAdd("2.parquet"));
    PLINTH_ASSERT_OK(push->Commit());
    auto committed = rewrite->Commit();
    if (serializable) {
      EXPECT_TRUE(StatusIs(committed.status(), absl::StatusCode::kAborted, "concurrent append: file 2.parquet"));
    } else {
      PLINTH_ASSERT_OK(committed.status());
      EXPECT_EQ(committed->version, 3);
      EXPECT_EQ(Latest()->files().size(), 2u);  // 2.parquet and 1b.parquet
    }
  }
}

TEST_F(TransactionTest, ReadingTransactionOnUnpartitionedTableAbortsOnAnyAppend) {
  CreateTable();
  auto snap = Latest();
  auto overwrite = *Transaction::Start(*snap, Options("WRITE", true));
  overwrite->Add(TestAdd("new.parquet"));
  auto append = *Transaction::Start(*snap, Options("MERGE", true));  // not a blind append
  append->Add(TestAdd("other.parquet"));
  PLINTH_ASSERT_OK(append->Commit());
  EXPECT_TRUE(StatusIs(overwrite->Commit(), absl::StatusCode::kAborted, "concurrent append"));
}

TEST_F(TransactionTest, ConcurrentMetadataChangeAborts) {
  CreateTable();
  auto snap = Latest();
  auto alter = *Transaction::Start(*snap, Options("SET TBLPROPERTIES"));
  Metadata m = snap->metadata();
  m.configuration["k"] = "v";
  alter->SetMetadata(m);
  auto append = *Transaction::Start(*snap, Options());
  append->Add(TestAdd("x.parquet"));
  PLINTH_ASSERT_OK(alter->Commit());
  EXPECT_TRUE(StatusIs(append->Commit(), absl::StatusCode::kAborted, "metadata changed concurrently"));
}

TEST_F(TransactionTest, IdempotentAppTransactionCommitsOnce) {
  CreateTable();
  auto first = Start();
  first->SetAppTransaction("nightly-job", 7);
  first->Add(TestAdd("run7.parquet"));
  PLINTH_ASSERT_OK_AND_ASSIGN(CommitResult r, first->Commit());
  EXPECT_FALSE(r.already_committed);
  EXPECT_EQ(Latest()->AppTransactionVersion("nightly-job"), 7);

  // The retried job sees its txn in the snapshot and writes nothing.
  auto retry = Start();
  retry->SetAppTransaction("nightly-job", 7);
  retry->Add(TestAdd("run7-again.parquet"));
  PLINTH_ASSERT_OK_AND_ASSIGN(r, retry->Commit());
  EXPECT_TRUE(r.already_committed);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(Latest()->version(), 1);

  // Two racing copies of run 8: one commits, the other finds it among the winners.
  auto snap = Latest();
  auto a = *Transaction::Start(*snap, Options());
  auto b = *Transaction::Start(*snap, Options());
  for (auto* t : {a.get(), b.get()}) {
    t->SetAppTransaction("nightly-job", 8);
    t->Add(TestAdd(StrCat("run8-", t == a.get() ? "a" : "b", ".parquet")));
  }
  PLINTH_ASSERT_OK(a->Commit());
  PLINTH_ASSERT_OK_AND_ASSIGN(r, b->Commit());
  EXPECT_TRUE(r.already_committed);
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(Latest()->version(), 2);
  EXPECT_EQ(Latest()->files().size(), 2u);

  // An older app version racing a newer one aborts.
  snap = Latest();
  auto newer = *Transaction::Start(*snap, Options());
  auto older = *Transaction::Start(*snap, Options());
  newer->SetAppTransaction("other-job", 5);
  older->SetAppTransaction("other-job", 4);
  PLINTH_ASSERT_OK(newer->Commit());
  PLINTH_ASSERT_OK_AND_ASSIGN(r, older->Commit());
  EXPECT_TRUE(r.already_committed);  // 5 >= 4: the older run's work is superseded

  // A newer app version losing the race to an older one of the same app aborts.
  snap = Latest();
  auto v7 = *Transaction::Start(*snap, Options());
  auto v6 = *Transaction::Start(*snap, Options());
  v7->SetAppTransaction("other-job", 7);
  v6->SetAppTransaction("other-job", 6);
  PLINTH_ASSERT_OK(v6->Commit());
  EXPECT_TRUE(StatusIs(v7->Commit(), absl::StatusCode::kAborted,
                       "concurrent transaction for application 'other-job' committed its version 6"));
}

TEST_F(TransactionTest, ValidatesBeforeWriting) {
  CreateTable({"part"}, {{"delta.appendOnly", "true"}});
  auto bad_partition = Start();
  bad_partition->Add(TestAdd("x.parquet"));
  EXPECT_TRUE(StatusIs(bad_partition->Commit(), absl::StatusCode::kInvalidArgument, "do not match the partition columns"));
  auto remove = Start();
  remove->Remove(Transaction::RemoveFor(TestAdd("part=a/x.parquet", {{"part", "a"}}), 1));
  EXPECT_TRUE(StatusIs(remove->Commit(), absl::StatusCode::kFailedPrecondition, "append-only"));
  auto create = *Transaction::StartCreate(Options());
  EXPECT_TRUE(StatusIs(create->Commit(), absl::StatusCode::kFailedPrecondition, "needs a protocol"));
  EXPECT_EQ(Latest()->version(), 0);
}

TEST_F(TransactionTest, RefusesToWriteFeaturesItDoesNotEnforce) {
  Metadata m = TestMetadata();
  m.configuration["delta.constraints.positive"] = "id > 0";
  PLINTH_ASSERT_OK(store_->PutIfAbsent(0, SerializeCommit({Protocol{1, 3}, m})));
  auto snap = Latest();
  EXPECT_TRUE(StatusIs(Transaction::Start(*snap, Options()), absl::StatusCode::kFailedPrecondition,
                       "writer feature 'checkConstraints' (delta.constraints.positive), which Plinth cannot write"));
  // Creating such a table is refused too.
  auto create = *Transaction::StartCreate(Options());
  create->SetMetadata(m);
  create->SetProtocol(Protocol{1, 3});
  EXPECT_TRUE(StatusIs(create->Commit(), absl::StatusCode::kFailedPrecondition, "checkConstraints"));
}

// Fails link() once, as if the process crashed after writing the temp file.
class LinkFailsOnce : public LogFileSystem {
 public:
  absl::StatusOr<std::vector<DirEntry>> ListDir(const std::string& d, const NameFilter& w) override {
    return base_->ListDir(d, w);
  }
  absl::StatusOr<DirEntry> Stat(const std::string& p) override { return base_->Stat(p); }
  absl::StatusOr<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  absl::Status WriteNewFile(const std::string& p, std::string_view d, bool s) override { return base_->WriteNewFile(p, d, s); }
  absl::Status Link(const std::string& a, const std::string& b) override {
    if (fail_next.exchange(false)) return absl::UnavailableError("injected: crash between temp write and link");
    return base_->Link(a, b);
  }
  absl::Status Rename(const std::string& a, const std::string& b) override { return base_->Rename(a, b); }
  absl::Status Remove(const std::string& p) override { return base_->Remove(p); }
  absl::Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  absl::Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  std::atomic<bool> fail_next{false};

 private:
  LogFileSystem* base_ = LogFileSystem::Posix();
};

TEST_F(TransactionTest, InjectedFailureBeforeLinkLeavesNoCommitAndNextCommitSucceeds) {
  LinkFailsOnce fs;
  store_ = *LocalLogStore::Create({.table_root = dir_.path().string(), .fs = &fs});
  CreateTable();
  fs.fail_next = true;
  auto txn = Start();
  txn->Add(TestAdd("lost.parquet"));
  EXPECT_TRUE(StatusIs(txn->Commit(), absl::StatusCode::kUnavailable, "injected"));
  auto snap = Latest();
  EXPECT_EQ(snap->version(), 0);
  EXPECT_TRUE(snap->files().empty());
  auto next = Start();
  next->Add(TestAdd("kept.parquet"));
  PLINTH_ASSERT_OK_AND_ASSIGN(CommitResult r, next->Commit());
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(Latest()->files().size(), 1u);
}

}  // namespace
}  // namespace plinth::delta
