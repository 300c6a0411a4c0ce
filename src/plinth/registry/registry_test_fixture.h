// Test-only: the RegistryTest fixture shared by registry_*_test.cc — a Registry over a real
// SqliteMetaStore and FileObjectStore in a temp directory, with a fake clock.
#pragma once

#include "plinth/registry/registry.h"
#include "plinth/storage/file_object_store.h"
#include "plinth/testing/meta_env.h"

namespace plinth::registry {

using storage::AuditContext;
using testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr int64_t kSecond = 1'000'000;

// A Registry over a real SqliteMetaStore and FileObjectStore in a temp directory.
class RegistryTest : public testing::MetaStoreTest {
 protected:
  void SetUp() override {
    MetaStoreTest::SetUp();
    auto objects = storage::FileObjectStore::Create({.root = dir_.Sub("objects"), .fsync = false});
    ASSERT_TRUE(objects.ok()) << objects.status();
    objects_ = std::move(*objects);
    auto registry = Registry::Create({.meta = meta_.get(), .objects = objects_.get(), .clock = &clock_});
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::move(*registry);
    artifact_ = Upload("model bytes");
  }

  std::string Upload(std::string_view bytes) {
    auto writer = objects_->NewWriter();
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->Append(bytes).ok());
    auto info = (*writer)->Commit();
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? info->sha256 : "";
  }

  RegisterVersionRequest Request(std::map<std::string, std::string> tags = {},
                                 std::map<std::string, double> metrics = {}) const {
    RegisterVersionRequest req;
    req.format = "xgboost-json";
    req.artifact_sha256 = artifact_;
    req.tags = std::move(tags);
    req.metrics = std::move(metrics);
    req.create_model = true;
    return req;
  }

  // Registers a version (creating the model if needed) and advances the clock one second.
  int64_t Register(const std::string& model, std::map<std::string, std::string> tags = {},
                   std::map<std::string, double> metrics = {}) {
    auto v = registry_->RegisterVersion(model, Request(std::move(tags), std::move(metrics)), ctx_);
    EXPECT_TRUE(v.ok()) << v.status();
    clock_.Advance(kSecond);
    return v.ok() ? v->version : 0;
  }

  std::vector<std::string> Refs(const std::vector<ModelVersion>& versions) {
    std::vector<std::string> out;
    for (const auto& v : versions) out.push_back(StrCat(v.model_name, "/", v.version));
    return out;
  }

  std::vector<std::string> SearchRefs(const std::string& filter, const std::string& order_by = "") {
    auto page = registry_->SearchVersions({.filter = filter, .order_by = order_by});
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status();
    return page.ok() ? Refs(page->items) : std::vector<std::string>{"<error>"};
  }

  std::vector<std::string> SearchModelNames(const std::string& filter, const std::string& order_by = "") {
    auto page = registry_->SearchModels({.filter = filter, .order_by = order_by});
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& m : page->items) out.push_back(m.name);
    }
    return out;
  }

  static ModelRef Ref(const std::string& text) { return *ParseModelRef(text); }

  AuditContext ctx_{"token:test", "192.0.2.1:4000"};
  std::unique_ptr<storage::FileObjectStore> objects_;
  std::unique_ptr<Registry> registry_;
  std::string artifact_;
};


}  // namespace plinth::registry
