#include "plinth/storage/backends.h"

#include <filesystem>

#include "plinth/storage/meta/migrations.h"
#include "plinth/testing/test_util.h"

namespace plinth::storage {
namespace {

using testing::StatusIs;

TEST(UriTest, ParsesSchemeAndPath) {
  struct Case {
    const char* text;
    const char* scheme;
    const char* path;
  } cases[] = {
      {"file:///var/lib/plinth/objects", "file", "/var/lib/plinth/objects"},
      {"sqlite://relative/meta.db", "sqlite", "relative/meta.db"},
      {"sqlite:///abs/meta.db", "sqlite", "/abs/meta.db"},
      {"/bare/path", "", "/bare/path"},
      {"relative/dir", "", "relative/dir"},
      {"s3://bucket/prefix", "s3", "bucket/prefix"},
  };
  for (const auto& c : cases) {
    auto uri = Uri::Parse(c.text);
    ASSERT_TRUE(uri.ok()) << c.text << ": " << uri.status();
    EXPECT_EQ(uri->scheme, c.scheme) << c.text;
    EXPECT_EQ(uri->path, c.path) << c.text;
  }
  EXPECT_TRUE(StatusIs(Uri::Parse(""), absl::StatusCode::kInvalidArgument, "empty storage URI"));
  EXPECT_TRUE(StatusIs(Uri::Parse("file://"), absl::StatusCode::kInvalidArgument, "has an empty path"));
}

TEST(StorageBackendsTest, UnknownSchemesListTheSupportedOnes) {
  StorageBackends backends = StorageBackends::WithBuiltins();
  EXPECT_TRUE(StatusIs(backends.OpenObjectStore("s3://bucket/x"), absl::StatusCode::kInvalidArgument,
                       "unsupported object store URI 's3://bucket/x': supported schemes are file://"));
  EXPECT_TRUE(StatusIs(backends.OpenMetaStore("postgresql://db/plinth"), absl::StatusCode::kInvalidArgument,
                       "unsupported meta store URI 'postgresql://db/plinth': supported schemes are sqlite://"));
  // A bare path is an object store directory, never a meta store.
  EXPECT_TRUE(StatusIs(backends.OpenMetaStore("/tmp/meta.db"), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(backends.OpenObjectStore(""), absl::StatusCode::kInvalidArgument));
}

TEST(StorageBackendsTest, BuiltinsOpenRealStores) {
  testing::TempDir dir;
  StorageBackends backends = StorageBackends::WithBuiltins();
  PLINTH_ASSERT_OK_AND_ASSIGN(auto objects, backends.OpenObjectStore(StrCat("file://", dir.Sub("objects"))));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "objects" / "sha256"));
  PLINTH_ASSERT_OK(backends.OpenObjectStore(dir.Sub("bare")));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "bare" / "tmp"));

  PLINTH_ASSERT_OK_AND_ASSIGN(auto meta, backends.OpenMetaStore(StrCat("sqlite://", dir.Sub("nested/dir/meta.db"))));
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "nested" / "dir" / "meta.db"));
  EXPECT_EQ(meta->dialect(), "sqlite");
  EXPECT_EQ(meta->schema_version(), MetaMigrations().back().version);
}

TEST(StorageBackendsTest, RegisteredOpenersReplaceAndExtend) {
  StorageBackends backends = StorageBackends::WithBuiltins();
  std::string seen;
  backends.RegisterObjectStore("mem", [&](const Uri& uri) -> absl::StatusOr<std::unique_ptr<ObjectStore>> {
    seen = uri.path;
    return absl::UnimplementedError("mem store");
  });
  EXPECT_TRUE(StatusIs(backends.OpenObjectStore("mem://bucket/a"), absl::StatusCode::kUnimplemented, "mem store"));
  EXPECT_EQ(seen, "bucket/a");
  EXPECT_TRUE(StatusIs(backends.OpenObjectStore("nope://x"), absl::StatusCode::kInvalidArgument,
                       "supported schemes are file://, mem://"));
}

}  // namespace
}  // namespace plinth::storage
