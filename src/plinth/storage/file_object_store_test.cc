#include "plinth/storage/file_object_store.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "plinth/base/sha256.h"
#include "plinth/testing/test_util.h"

namespace plinth::storage {
namespace {

namespace fs = std::filesystem;
using testing::StatusIs;

constexpr char kHelloSha[] = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";  // "hello world"

class FileObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(bool fsync = false) {
    store_.reset();
    auto store = FileObjectStore::Create({.root = root(), .fsync = fsync});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::string root() const { return dir_.Sub("objects"); }
  size_t TmpFiles() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_.path() / "objects" / "tmp"), fs::directory_iterator()));
  }

  absl::StatusOr<ObjectInfo> Put(std::string_view data, std::optional<std::string> expected = std::nullopt) {
    PLINTH_ASSIGN_OR_RETURN(auto writer, store_->NewWriter());
    PLINTH_RETURN_IF_ERROR(writer->Append(data));
    return writer->Commit(std::move(expected));
  }

  std::string ReadAll(std::string_view sha) {
    auto reader = store_->Open(sha);
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return "";
    std::string out;
    char buf[4];  // small on purpose: several reads
    for (;;) {
      auto n = (*reader)->Read(buf, sizeof(buf));
      EXPECT_TRUE(n.ok()) << n.status();
      if (!n.ok() || *n == 0) break;
      out.append(buf, *n);
    }
    EXPECT_EQ((*reader)->size(), static_cast<int64_t>(out.size()));
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<FileObjectStore> store_;
};

TEST_F(FileObjectStoreTest, CommitPublishesObjectAtItsDigest) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto writer, store_->NewWriter());
  PLINTH_ASSERT_OK(writer->Append("hello "));
  PLINTH_ASSERT_OK(writer->Append("world"));
  EXPECT_EQ(writer->bytes_written(), 11);
  EXPECT_EQ(TmpFiles(), 1u);
  PLINTH_ASSERT_OK_AND_ASSIGN(ObjectInfo info, writer->Commit());
  EXPECT_EQ(info.sha256, kHelloSha);
  EXPECT_EQ(info.size, 11);
  EXPECT_EQ(TmpFiles(), 0u);

  std::string expected_path = StrCat(fs::absolute(root()).lexically_normal().string(), "/sha256/b9/", kHelloSha);
  EXPECT_EQ(store_->PathFor(kHelloSha), expected_path);
  EXPECT_EQ(store_->LocalPath(kHelloSha), expected_path);
  EXPECT_TRUE(fs::is_regular_file(expected_path));

  PLINTH_ASSERT_OK_AND_ASSIGN(ObjectInfo stat, store_->Stat(kHelloSha));
  EXPECT_EQ(stat.sha256, kHelloSha);
  EXPECT_EQ(stat.size, 11);
  EXPECT_EQ(ReadAll(kHelloSha), "hello world");
  PLINTH_EXPECT_OK(store_->Verify(kHelloSha));

  // A committed writer is closed.
  EXPECT_TRUE(StatusIs(writer->Append("more"), absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(StatusIs(writer->Commit(), absl::StatusCode::kFailedPrecondition));
}

TEST_F(FileObjectStoreTest, EmptyObjectAndDurableMode) {
  Reopen(/*fsync=*/true);
  PLINTH_ASSERT_OK_AND_ASSIGN(ObjectInfo info, Put(""));
  EXPECT_EQ(info.sha256, Sha256Hex(""));
  EXPECT_EQ(info.size, 0);
  EXPECT_EQ(ReadAll(info.sha256), "");
}

TEST_F(FileObjectStoreTest, ExpectedDigestMismatchPublishesNothing) {
  std::string wrong = Sha256Hex("something else");
  EXPECT_TRUE(StatusIs(Put("hello world", wrong), absl::StatusCode::kInvalidArgument,
                       StrCat("upload digest mismatch: expected ", wrong, ", received bytes hash to ", kHelloSha)));
  EXPECT_TRUE(StatusIs(store_->Stat(kHelloSha), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(store_->Stat(wrong), absl::StatusCode::kNotFound));
  EXPECT_EQ(TmpFiles(), 0u);

  PLINTH_ASSERT_OK_AND_ASSIGN(ObjectInfo info, Put("hello world", std::string(kHelloSha)));
  EXPECT_EQ(info.sha256, kHelloSha);
}

TEST_F(FileObjectStoreTest, AbortAndDestructorLeaveNoTempFile) {
  {
    PLINTH_ASSERT_OK_AND_ASSIGN(auto writer, store_->NewWriter());
    PLINTH_ASSERT_OK(writer->Append("partial"));
    EXPECT_EQ(TmpFiles(), 1u);
    writer->Abort();
    EXPECT_EQ(TmpFiles(), 0u);
    EXPECT_TRUE(StatusIs(writer->Append("x"), absl::StatusCode::kFailedPrecondition, "closed"));
    writer->Abort();  // idempotent
  }
  {
    PLINTH_ASSERT_OK_AND_ASSIGN(auto writer, store_->NewWriter());
    PLINTH_ASSERT_OK(writer->Append("partial"));
    EXPECT_EQ(TmpFiles(), 1u);
  }
  EXPECT_EQ(TmpFiles(), 0u);
  EXPECT_TRUE(StatusIs(store_->Stat(Sha256Hex("partial")), absl::StatusCode::kNotFound));
}

TEST_F(FileObjectStoreTest, CreateRemovesLeftoverTempFilesButKeepsObjects) {
  PLINTH_ASSERT_OK(Put("hello world"));
  std::ofstream(dir_.path() / "objects" / "tmp" / "crashed.part") << "half an upload";
  std::ofstream(dir_.path() / "objects" / "tmp" / "other.part") << "x";
  EXPECT_EQ(TmpFiles(), 2u);
  Reopen();
  EXPECT_EQ(TmpFiles(), 0u);
  EXPECT_EQ(ReadAll(kHelloSha), "hello world");
}

TEST_F(FileObjectStoreTest, InvalidDigestsAreRejected) {
  std::string upper = ToUpper(kHelloSha);
  for (const std::string& bad : {std::string("../../etc/passwd"), upper, std::string(kHelloSha).substr(0, 63),
                                 std::string(kHelloSha) + "0", std::string(""), std::string(64, 'g'),
                                 std::string("b9/../../../../etc/passwd")}) {
    EXPECT_TRUE(StatusIs(store_->Stat(bad), absl::StatusCode::kInvalidArgument, "invalid object digest")) << bad;
    EXPECT_TRUE(StatusIs(store_->Open(bad), absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_TRUE(StatusIs(store_->Verify(bad), absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_TRUE(StatusIs(store_->Delete(bad), absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_EQ(store_->LocalPath(bad), std::nullopt) << bad;
  }
}

TEST_F(FileObjectStoreTest, MissingObjectsAreNotFound) {
  std::string absent = Sha256Hex("absent");
  EXPECT_TRUE(StatusIs(store_->Stat(absent), absl::StatusCode::kNotFound, StrCat("object ", absent, " not found")));
  EXPECT_TRUE(StatusIs(store_->Open(absent), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(store_->Verify(absent), absl::StatusCode::kNotFound));
}

TEST_F(FileObjectStoreTest, VerifyDetectsCorruption) {
  PLINTH_ASSERT_OK(Put("hello world"));
  PLINTH_ASSERT_OK(store_->Verify(kHelloSha));
  std::ofstream(store_->PathFor(kHelloSha), std::ios::trunc) << "hello w0rld";
  EXPECT_TRUE(StatusIs(store_->Verify(kHelloSha), absl::StatusCode::kDataLoss,
                       StrCat("stored bytes hash to ", Sha256Hex("hello w0rld"))));
}

TEST_F(FileObjectStoreTest, DeleteIsIdempotent) {
  PLINTH_ASSERT_OK(Put("hello world"));
  PLINTH_ASSERT_OK(store_->Delete(kHelloSha));
  EXPECT_TRUE(StatusIs(store_->Stat(kHelloSha), absl::StatusCode::kNotFound));
  PLINTH_EXPECT_OK(store_->Delete(kHelloSha));
}

TEST_F(FileObjectStoreTest, ConcurrentWritersOfTheSameContentAllSucceed) {
  const std::string payload(256 * 1024, 'z');
  constexpr int kWriters = 8;
  std::vector<absl::StatusOr<ObjectInfo>> results(kWriters, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto writer = store_->NewWriter();
      if (!writer.ok()) {
        results[i] = writer.status();
        return;
      }
      for (size_t off = 0; off < payload.size(); off += 4096) {
        absl::Status st = (*writer)->Append(std::string_view(payload).substr(off, 4096));
        if (!st.ok()) {
          results[i] = st;
          return;
        }
      }
      results[i] = (*writer)->Commit(Sha256Hex(payload));
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->sha256, Sha256Hex(payload));
    EXPECT_EQ(r->size, static_cast<int64_t>(payload.size()));
  }
  PLINTH_EXPECT_OK(store_->Verify(Sha256Hex(payload)));
  EXPECT_EQ(TmpFiles(), 0u);
}

TEST(FileObjectStoreCreateTest, RejectsEmptyRoot) {
  EXPECT_TRUE(StatusIs(FileObjectStore::Create({.root = ""}), absl::StatusCode::kInvalidArgument, "root is empty"));
}

}  // namespace
}  // namespace plinth::storage
