#include "plinth/serving/artifact_loader.h"

#include <filesystem>
#include <fstream>

#include "plinth/storage/file_object_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::serving {
namespace {

using testing::StatusIs;

constexpr char kLinear[] = R"({"format": "plinth-linear", "features": ["a", "b"], "weights": [0.5, -1.0], "bias": 0.1})";

class ArtifactLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PLINTH_ASSERT_OK_AND_ASSIGN(objects_, storage::FileObjectStore::Create({.root = dir_.Sub("objects"), .fsync = false}));
    PLINTH_ASSERT_OK_AND_ASSIGN(compiled_, CompiledModelDir::Create({.dir = dir_.Sub("cache/compiled"), .fsync = false}));
    loader_ = std::make_unique<ArtifactLoader>(ArtifactLoader::Options{.objects = objects_.get(), .compiled = compiled_.get()});
  }

  ResolvedModel Store(std::string_view bytes, std::string format = "linear-json") {
    auto writer = objects_->NewWriter();
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->Append(bytes).ok());
    auto info = (*writer)->Commit();
    EXPECT_TRUE(info.ok());
    return ResolvedModel{{"m", 1, info->sha256}, std::move(format)};
  }

  static double PredictOne(const runtime::Model& model, double a, double b) {
    double row[2] = {a, b}, out = 0;
    EXPECT_TRUE(model.Predict(row, 1, &out, {}).ok());
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::FileObjectStore> objects_;
  std::unique_ptr<CompiledModelDir> compiled_;
  std::unique_ptr<ArtifactLoader> loader_;
};

TEST_F(ArtifactLoaderTest, FirstLoadCompilesLaterLoadsMapTheCompiledFile) {
  ResolvedModel m = Store(kLinear);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("cache")));  // created on first write only
  PLINTH_ASSERT_OK_AND_ASSIGN(auto first, loader_->Load(m));
  EXPECT_NEAR(PredictOne(*first, 2, 1), 0.1, 1e-12);
  EXPECT_TRUE(compiled_->Contains(m.key.artifact));
  EXPECT_EQ(loader_->parsed_loads(), 1u);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto second, loader_->Load(m));
  EXPECT_NEAR(PredictOne(*second, 2, 1), 0.1, 1e-12);
  EXPECT_EQ(loader_->compiled_loads(), 1u);
  EXPECT_EQ(loader_->parsed_loads(), 1u);
}

TEST_F(ArtifactLoaderTest, PrepareAtRegistrationMakesEvenTheFirstLoadMapTheCompiledFile) {
  ResolvedModel m = Store(kLinear);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto prepared, loader_->Prepare(m.format, m.key.artifact, kLinear));
  EXPECT_EQ(prepared->signature().inputs.size(), 2u);
  EXPECT_TRUE(compiled_->Contains(m.key.artifact));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto first, loader_->Load(m));
  EXPECT_NEAR(PredictOne(*first, 2, 1), 0.1, 1e-12);
  EXPECT_EQ(loader_->compiled_loads(), 1u);
  EXPECT_EQ(loader_->parsed_loads(), 0u);
  // A file that is not a model is the runtime's InvalidArgument, and nothing is cached.
  const std::string bad = R"({"format": "plinth-linear", "features": ["a"], "weights": []})";
  ResolvedModel b = Store(bad);
  EXPECT_TRUE(StatusIs(loader_->Prepare(b.format, b.key.artifact, bad), absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(compiled_->Contains(b.key.artifact));
}

TEST_F(ArtifactLoaderTest, ACorruptCompiledFileIsRewritten) {
  ResolvedModel m = Store(kLinear);
  PLINTH_ASSERT_OK(loader_->Load(m));
  std::ofstream(compiled_->PathFor(m.key.artifact), std::ios::trunc) << "garbage";
  PLINTH_ASSERT_OK_AND_ASSIGN(auto model, loader_->Load(m));
  EXPECT_DOUBLE_EQ(PredictOne(*model, 0, 0), 0.1);
  EXPECT_EQ(loader_->parsed_loads(), 2u);
  PLINTH_ASSERT_OK(loader_->Load(m));  // the rewritten file maps again
  EXPECT_EQ(loader_->compiled_loads(), 1u);
}

TEST_F(ArtifactLoaderTest, UnservableVersionsAreClearErrors) {
  EXPECT_TRUE(StatusIs(loader_->Load(Store("opaque", "other")), absl::StatusCode::kFailedPrecondition, "format 'other'"));
  EXPECT_TRUE(StatusIs(loader_->Load(Store("{\"format\": \"nope\"}")), absl::StatusCode::kFailedPrecondition,
                       "model m/1 (linear-json) cannot be served"));
  ResolvedModel missing = Store(kLinear);
  missing.key.artifact = std::string(64, 'a');
  EXPECT_TRUE(StatusIs(loader_->Load(missing), absl::StatusCode::kDataLoss, "missing"));
}

}  // namespace
}  // namespace plinth::serving
