#include "plinth/features/pit_keys.h"

#include <gtest/gtest.h>

#include <optional>

namespace plinth::features {
namespace {

columnar::Column Ints(const std::vector<std::optional<int64_t>>& values) {
  columnar::Column c(columnar::DataType{columnar::TypeId::kInt64});
  for (const auto& v : values) {
    if (v) c.Append<int64_t>(*v);
    else c.AppendNull();
  }
  return c;
}

std::vector<uint32_t> Add(EntityDictionary& d, const columnar::Column& c) {
  std::vector<uint32_t> out(static_cast<size_t>(c.length()));
  d.AddRows({&c}, c.length(), out.data());
  return out;
}

std::vector<uint32_t> Find(const EntityDictionary& d, const columnar::Column& c) {
  std::vector<uint32_t> out(static_cast<size_t>(c.length()));
  d.FindRows({&c}, c.length(), out.data());
  return out;
}

const std::vector<JoinKey> kIntKey = {{"id", ValueType::kInt64}};
constexpr uint32_t N = kNoEntity;

TEST(EntityDictionaryTest, NarrowAndWideIntegerKeysNumberInOrderOfFirstAppearance) {
  for (int64_t scale : {int64_t{1}, int64_t{1} << 40}) {  // direct table, then hashing
    EntityDictionary d(kIntKey);
    const columnar::Column labels = Ints({7 * scale, std::nullopt, -3 * scale, 7 * scale, 0});
    EXPECT_EQ(Add(d, labels), (std::vector<uint32_t>{0, N, 1, 0, 2}));
    d.Seal();
    EXPECT_EQ(d.size(), 3u);
    const columnar::Column rows = Ints({0, 7 * scale, 8 * scale, std::nullopt, -3 * scale, INT64_MIN, INT64_MAX});
    EXPECT_EQ(Find(d, rows), (std::vector<uint32_t>{2, 0, N, N, 1, N, N})) << scale;
  }
}

TEST(EntityDictionaryTest, ASecondAddRowsKeepsTheIdsOfTheFirst) {
  EntityDictionary d(kIntKey);
  EXPECT_EQ(Add(d, Ints({5, 6, 5})), (std::vector<uint32_t>{0, 1, 0}));
  EXPECT_EQ(Add(d, Ints({6, int64_t{1} << 50, 4})), (std::vector<uint32_t>{1, 2, 3}));
  d.Seal();
  EXPECT_EQ(Find(d, Ints({4, 5, 6, int64_t{1} << 50, 7})), (std::vector<uint32_t>{3, 0, 1, 2, N}));
}

TEST(EntityDictionaryTest, CompositeKeysAndAllNullKeys) {
  EntityDictionary d({{"id", ValueType::kInt64}, {"region", ValueType::kString}});
  columnar::Column ids = Ints({1, 1, 2, std::nullopt});
  columnar::Column regions(columnar::DataType{columnar::TypeId::kString});
  for (const char* r : {"eu", "us", "eu", "eu"}) regions.AppendBytes(r);
  std::vector<uint32_t> out(4);
  d.AddRows({&ids, &regions}, 4, out.data());
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, N}));
  EntityDictionary nulls(kIntKey);
  EXPECT_EQ(Add(nulls, Ints({std::nullopt, std::nullopt})), (std::vector<uint32_t>{N, N}));
  nulls.Seal();
  EXPECT_EQ(nulls.size(), 0u);
  EXPECT_EQ(Find(nulls, Ints({1})), (std::vector<uint32_t>{N}));
}

}  // namespace
}  // namespace plinth::features
