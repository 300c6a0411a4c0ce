#include "plinth/registry/search_query.h"

#include <algorithm>

#include "plinth/testing/test_util.h"

namespace plinth::registry {
namespace {

using storage::SqlValue;
using testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

absl::StatusOr<CompiledSearch> Compile(SearchTarget target, std::string_view filter, std::string_view order = "") {
  PLINTH_ASSIGN_OR_RETURN(auto ast, ParseFilter(filter));
  PLINTH_ASSIGN_OR_RETURN(auto terms, ParseOrderBy(order));
  return CompileSearch(target, ast.get(), terms);
}

absl::StatusOr<CompiledSearch> Versions(std::string_view filter, std::string_view order = "") {
  return Compile(SearchTarget::kVersions, filter, order);
}

absl::StatusOr<CompiledSearch> Models(std::string_view filter, std::string_view order = "") {
  return Compile(SearchTarget::kModels, filter, order);
}

TEST(CompileSearchTest, NoFilterAndDefaultOrder) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch v, Versions(""));
  EXPECT_EQ(v.where, "1=1");
  EXPECT_TRUE(v.where_params.empty());
  EXPECT_EQ(v.joins, "");
  EXPECT_EQ(v.order_by, "v.created_at DESC, v.id DESC");
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch m, Models(""));
  EXPECT_EQ(m.order_by, "m.name ASC, m.id ASC");
}

TEST(CompileSearchTest, ColumnComparisons) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions("name = 'a' and (version >= 2 or format != 'other')"));
  EXPECT_EQ(c.where, "(m.name = ? AND (v.version >= ? OR v.format <> ?))");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(std::string("a")), SqlValue(int64_t{2}), SqlValue(std::string("other"))));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("not size in (1, 2.5)"));
  EXPECT_EQ(c.where, "(NOT v.artifact_size IN (?, ?))");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(int64_t{1}), SqlValue(2.5)));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("version < 1e300 and version > -1e19"));  // too big for int64: REAL
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(1e300), SqlValue(-1e19)));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Models("latest_version > 3 and description like '%fraud%'"));
  EXPECT_EQ(c.where, "((SELECT MAX(lv.version) FROM model_versions lv WHERE lv.model_id = m.id) > ? AND m.description LIKE ?)");
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("description is null"));
  EXPECT_EQ(c.where, "(v.description IS NULL OR v.description = '')");
  EXPECT_TRUE(c.where_params.empty());
}

TEST(CompileSearchTest, KeyValueFieldsUseSubqueries) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions("metrics.auc > 0.9"));
  EXPECT_EQ(c.where, "v.id IN (SELECT version_id FROM version_metrics WHERE key = ? AND value > ?)");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(std::string("auc")), SqlValue(0.9)));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("metrics.auc = 1"));
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(std::string("auc")), SqlValue(1.0)));  // metrics are REAL
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("model_tags.team = 'risk'"));
  EXPECT_EQ(c.where, "m.id IN (SELECT model_id FROM model_tags WHERE key = ? AND value = ?)");
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("tags.stage is null"));
  EXPECT_EQ(c.where, "v.id NOT IN (SELECT version_id FROM version_tags WHERE key = ?)");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(std::string("stage"))));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Models("tags.team is not null"));
  EXPECT_EQ(c.where, "m.id IN (SELECT model_id FROM model_tags WHERE key = ?)");
}

TEST(CompileSearchTest, ParamsCompareAsNumbersOnlyWithNumericLiterals) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions("params.lr < 0.1"));
  EXPECT_EQ(c.where, "v.id IN (SELECT version_id FROM version_params WHERE key = ? AND CAST(value AS DOUBLE PRECISION) < ?)");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(std::string("lr")), SqlValue(0.1)));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("params.lr = '0.1'"));
  EXPECT_EQ(c.where, "v.id IN (SELECT version_id FROM version_params WHERE key = ? AND value = ?)");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(std::string("lr")), SqlValue(std::string("0.1"))));
}

TEST(CompileSearchTest, AliasMembership) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions("alias = 'champion'"));
  EXPECT_EQ(c.where, "v.id IN (SELECT version_id FROM aliases WHERE 1=1 AND alias = ?)");
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("alias != 'champion'"));
  EXPECT_EQ(c.where, "(NOT v.id IN (SELECT version_id FROM aliases WHERE 1=1 AND alias = ?))");
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Models("aliases not in ('a', 'b')"));
  EXPECT_EQ(c.where, "(NOT m.id IN (SELECT model_id FROM aliases WHERE 1=1 AND alias IN (?, ?)))");
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Models("alias is null"));
  EXPECT_EQ(c.where, "m.id NOT IN (SELECT model_id FROM aliases WHERE 1=1)");
}

TEST(CompileSearchTest, TimestampsAreParsed) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions("created_at >= '2023-11-14T22:13:20Z'"));
  EXPECT_EQ(c.where, "v.created_at >= ?");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(int64_t{1'700'000'000'000'000})));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Models("updated_at < '2023-11-15'"));
  EXPECT_EQ(c.where, "m.updated_at < ?");
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(int64_t{1'700'006'400'000'000})));
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Versions("created_at > 5"));  // raw micros
  EXPECT_THAT(c.where_params, ElementsAre(SqlValue(int64_t{5})));
  // Outside int64 a number cannot be a timestamp (it used to wrap to INT64_MIN and match every row).
  EXPECT_TRUE(StatusIs(Versions("created_at > 1e300"), absl::StatusCode::kInvalidArgument,
                       "field 'created_at': timestamp 1e300 is out of range"));
  EXPECT_TRUE(StatusIs(Versions("created_at > 'yesterday'"), absl::StatusCode::kInvalidArgument,
                       "invalid timestamp 'yesterday'"));
  EXPECT_TRUE(StatusIs(Versions("created_at > true"), absl::StatusCode::kInvalidArgument,
                       "field 'created_at' is a timestamp"));
  EXPECT_TRUE(StatusIs(Versions("created_at like '2023%'"), absl::StatusCode::kInvalidArgument,
                       "'like' needs a text field; 'created_at' is not"));
}

TEST(CompileSearchTest, NumericFieldsNeedNumbers) {
  EXPECT_TRUE(StatusIs(Versions("metrics.auc > 'high'"), absl::StatusCode::kInvalidArgument,
                       "field 'metrics.auc' is numeric; compare it with a number, not 'high'"));
  EXPECT_TRUE(StatusIs(Versions("metrics.auc in (0.5, '0.6')"), absl::StatusCode::kInvalidArgument, "is numeric"));
  EXPECT_TRUE(StatusIs(Versions("version = true"), absl::StatusCode::kInvalidArgument,
                       "field 'version' is numeric"));
  EXPECT_TRUE(StatusIs(Versions("metrics.auc like '0.9%'"), absl::StatusCode::kInvalidArgument,
                       "'like' needs a text field"));
  EXPECT_TRUE(StatusIs(Models("latest_version = '3'"), absl::StatusCode::kInvalidArgument, "is numeric"));
}

TEST(CompileSearchTest, UnknownFields) {
  for (const char* filter : {"bogus = 1", "tags = 'x'", "tags.a.b = 'x'", "metrics = 1", "labels.x = 'y'",
                             "artifact_sha256 = 'x'"}) {
    EXPECT_TRUE(StatusIs(Versions(filter), absl::StatusCode::kInvalidArgument, "unknown field")) << filter;
  }
  EXPECT_TRUE(StatusIs(Versions("bogus = 1"), absl::StatusCode::kInvalidArgument,
                       "unknown field 'bogus': use name, version, format"));
  // Version-only fields do not exist on models.
  for (const char* filter : {"version = 1", "format = 'x'", "metrics.auc > 1", "params.lr = 1", "model_tags.a = 'b'",
                             "sha256 = 'x'"}) {
    EXPECT_TRUE(StatusIs(Models(filter), absl::StatusCode::kInvalidArgument,
                         "use name, description, created_by, latest_version")) << filter;
  }
  EXPECT_TRUE(StatusIs(Versions("", "bogus"), absl::StatusCode::kInvalidArgument, "unknown field 'bogus'"));
  EXPECT_TRUE(StatusIs(Versions("", "alias"), absl::StatusCode::kInvalidArgument, "cannot order by alias"));
}

TEST(CompileSearchTest, OrderByKeyValueFieldsJoinsWithBoundKeys) {
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions("", "metrics.auc desc, tags.stage, version"));
  EXPECT_EQ(c.joins,
            " LEFT JOIN version_metrics o0 ON o0.version_id = v.id AND o0.key = ?"
            " LEFT JOIN version_tags o1 ON o1.version_id = v.id AND o1.key = ?");
  EXPECT_THAT(c.join_params, ElementsAre(SqlValue(std::string("auc")), SqlValue(std::string("stage"))));
  EXPECT_EQ(c.order_by, "o0.value DESC NULLS LAST, o1.value ASC NULLS LAST, v.version ASC, v.id DESC");
  PLINTH_ASSERT_OK_AND_ASSIGN(c, Models("", "tags.team desc, name"));
  EXPECT_EQ(c.joins, " LEFT JOIN model_tags o0 ON o0.model_id = m.id AND o0.key = ?");
  EXPECT_EQ(c.order_by, "o0.value DESC NULLS LAST, m.name ASC, m.id ASC");
}

TEST(CompileSearchTest, UserTextIsNeverPastedIntoSql) {
  const std::string evil_value = "x'); DROP TABLE models; --";
  const std::string evil_key = "k') OR 1=1 --";
  std::string filter = StrCat("name = 'x''); DROP TABLE models; --' or tags.`k') OR 1=1 --` = 'v1' or ",
                              "name like 'MARKER%' or format in ('MARK2', 'MARK3') or params.`PKEY` > 7.25");
  PLINTH_ASSERT_OK_AND_ASSIGN(CompiledSearch c, Versions(filter, "metrics.`OKEY` desc"));
  const std::string sql = StrCat(c.joins, " WHERE ", c.where, " ORDER BY ", c.order_by);
  for (const char* literal : {"DROP", "OR 1=1", "v1", "MARKER", "MARK2", "MARK3", "PKEY", "7.25", "OKEY", "--"}) {
    EXPECT_THAT(sql, Not(HasSubstr(literal)));
  }
  EXPECT_THAT(c.where_params,
              ElementsAre(SqlValue(evil_value), SqlValue(evil_key), SqlValue(std::string("v1")),
                          SqlValue(std::string("MARKER%")), SqlValue(std::string("MARK2")),
                          SqlValue(std::string("MARK3")), SqlValue(std::string("PKEY")), SqlValue(7.25)));
  EXPECT_THAT(c.join_params, ElementsAre(SqlValue(std::string("OKEY"))));
  // Every '?' has exactly one parameter.
  EXPECT_EQ(static_cast<size_t>(std::count(c.where.begin(), c.where.end(), '?')), c.where_params.size());
}

}  // namespace
}  // namespace plinth::registry
