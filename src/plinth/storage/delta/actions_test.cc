#include "plinth/storage/delta/actions.h"

#include "plinth/storage/delta/stats.h"
#include "plinth/testing/test_util.h"

namespace plinth::delta {
namespace {

using ::plinth::testing::StatusIs;

constexpr char kFile[] = "_delta_log/00000000000000000003.json";

TEST(ActionsTest, ParsesEveryActionTypeAndIgnoresUnknownOnes) {
  std::string log =
      R"({"commitInfo":{"timestamp":1700000000123,"operation":"WRITE","operationParameters":{"mode":"Append"},"inCommitTimestamp":1700000000100}})"
      "\n"
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["v2Checkpoint"],"writerFeatures":["v2Checkpoint","appendOnly"]}})"
      "\n\n"
      R"({"metaData":{"id":"abc","name":"t","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":["p"],"configuration":{"k":"v"},"createdTime":5}})"
      "\n"
      R"({"add":{"path":"p=a%20b/f.parquet","partitionValues":{"p":null},"size":10,"modificationTime":7,"dataChange":true,"stats":"{\"numRecords\":3}","tags":{"t":"1"},"baseRowId":4,"deletionVector":{"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":4,"sizeInBytes":40,"cardinality":6}}})"
      "\n"
      R"({"remove":{"path":"old.parquet","deletionTimestamp":9,"dataChange":false,"extendedFileMetadata":true,"partitionValues":{"p":"x"},"size":11}})"
      "\n"
      R"({"txn":{"appId":"app","version":42,"lastUpdated":8}})"
      "\n"
      R"({"cdc":{"path":"c.parquet","partitionValues":{},"size":1,"dataChange":false}})"
      "\n"
      R"({"someFutureAction":{"x":1}})"
      "\n"
      R"({"checkpointMetadata":{"version":2,"tags":{}}})"
      "\n"
      R"({"sidecar":{"path":"s.parquet","sizeInBytes":12,"modificationTime":13}})"
      "\n"
      R"({"domainMetadata":{"domain":"delta.clustering","configuration":"{}","removed":false}})"
      "\n";
  PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<Action> actions, ParseCommit(log, kFile));
  ASSERT_EQ(actions.size(), 9u);  // cdc and someFutureAction ignored

  const auto& ci = std::get<CommitInfo>(actions[0]);
  EXPECT_EQ(ci.timestamp(), 1700000000123);
  EXPECT_EQ(ci.in_commit_timestamp(), 1700000000100);
  EXPECT_EQ(ci.operation(), "WRITE");
  EXPECT_EQ(ci.operation_parameters()["mode"], "Append");

  const auto& p = std::get<Protocol>(actions[1]);
  EXPECT_EQ(p.min_reader_version, 3);
  EXPECT_TRUE(p.HasReaderFeature("v2Checkpoint"));
  EXPECT_TRUE(p.HasWriterFeature("appendOnly"));

  const auto& m = std::get<Metadata>(actions[2]);
  EXPECT_EQ(m.id, "abc");
  EXPECT_EQ(m.name, "t");
  EXPECT_EQ(m.partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(m.Config("k"), "v");
  EXPECT_EQ(m.created_time, 5);

  const auto& add = std::get<AddFile>(actions[3]);
  EXPECT_EQ(add.path, "p=a%20b/f.parquet");
  EXPECT_EQ(*add.DecodedPath(), "p=a b/f.parquet");
  ASSERT_EQ(add.partition_values.count("p"), 1u);
  EXPECT_FALSE(add.partition_values.at("p").has_value());
  EXPECT_EQ(add.size, 10);
  EXPECT_EQ(add.stats, R"({"numRecords":3})");
  ASSERT_TRUE(add.deletion_vector.has_value());
  EXPECT_EQ(add.deletion_vector->UniqueId(), "uab^-aqEH.-t@S}K{vb[*k^@4");
  EXPECT_EQ(add.deletion_vector->cardinality, 6);

  const auto& rm = std::get<RemoveFile>(actions[4]);
  EXPECT_EQ(rm.path, "old.parquet");
  EXPECT_FALSE(rm.data_change);
  EXPECT_EQ(rm.size, 11);
  EXPECT_EQ(std::get<SetTransaction>(actions[5]).version, 42);
  EXPECT_EQ(std::get<CheckpointMetadata>(actions[6]).version, 2);
  EXPECT_EQ(std::get<Sidecar>(actions[7]).path, "s.parquet");
  EXPECT_EQ(std::get<DomainMetadata>(actions[8]).domain, "delta.clustering");

  // Serialize and parse back: same actions, same field names.
  std::string again = SerializeCommit(actions);
  PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<Action> reparsed, ParseCommit(again, kFile));
  ASSERT_EQ(reparsed.size(), actions.size());
  for (size_t i = 0; i < actions.size(); ++i) EXPECT_EQ(ActionToJson(reparsed[i]), ActionToJson(actions[i])) << i;
  EXPECT_NE(again.find(R"("partitionValues":{"p":null})"), std::string::npos);
  EXPECT_NE(again.find(R"("minReaderVersion":3)"), std::string::npos);
  EXPECT_NE(again.find(R"("pathOrInlineDv")"), std::string::npos);
}

TEST(ActionsTest, ErrorsNameFileLineAndField) {
  std::string log = R"({"commitInfo":{}})" "\n" R"({"add":{"path":"a","partitionValues":{},"size":"10","modificationTime":1,"dataChange":true}})";
  EXPECT_TRUE(StatusIs(ParseCommit(log, kFile), absl::StatusCode::kInvalidArgument,
                       "_delta_log/00000000000000000003.json line 2: add.size is not an integer"));
  EXPECT_TRUE(StatusIs(ParseCommit(R"({"add":{"path":"a","size":1,"modificationTime":1}})", kFile),
                       absl::StatusCode::kInvalidArgument, "line 1: add.dataChange is missing"));
  EXPECT_TRUE(StatusIs(ParseCommit("{\"protocol\":{}}\n{not json", kFile), absl::StatusCode::kInvalidArgument,
                       "line 1: protocol.minReaderVersion is missing"));
  EXPECT_TRUE(StatusIs(ParseCommit("\n{not json", kFile), absl::StatusCode::kInvalidArgument,
                       "_delta_log/00000000000000000003.json line 2: malformed JSON"));
  EXPECT_TRUE(StatusIs(ParseCommit("[1,2]", kFile), absl::StatusCode::kInvalidArgument, "line 1: action is not a JSON object"));
  EXPECT_TRUE(StatusIs(ParseCommit(R"({"add":{"path":"a","partitionValues":{"p":3},"size":1,"modificationTime":1,"dataChange":true}})", kFile),
                       absl::StatusCode::kInvalidArgument, "add.partitionValues.p is not a string or null"));
  EXPECT_TRUE(StatusIs(ParseCommit(R"({"metaData":{"id":"x","configuration":{"a":1}}})", kFile),
                       absl::StatusCode::kInvalidArgument, "metaData.configuration.a is not a string"));
  EXPECT_TRUE(StatusIs(ParseCommit(R"({"txn":{"appId":"a","version":1},"add":{}})", kFile),
                       absl::StatusCode::kInvalidArgument, "two actions"));
  EXPECT_TRUE(StatusIs(ParseCommit(R"({"protocol":{"minReaderVersion":99999999999,"minWriterVersion":2}})", kFile),
                       absl::StatusCode::kInvalidArgument, "protocol.minReaderVersion is out of range"));
}

TEST(ActionsTest, EmptyCommitAndWhitespaceLines) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto actions, ParseCommit("\n  \n\r\n", kFile));
  EXPECT_TRUE(actions.empty());
}

TEST(ActionsTest, PathDecodingAndEncoding) {
  EXPECT_EQ(*DecodeLogPath("part=2020-01-01%2008%253A09/x.parquet"), "part=2020-01-01 08%3A09/x.parquet");
  EXPECT_TRUE(StatusIs(DecodeLogPath("bad%2"), absl::StatusCode::kInvalidArgument, "malformed %-escape"));
  EXPECT_TRUE(StatusIs(DecodeLogPath("bad%zz"), absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(EncodeLogPath("a b/c%d=é"), "a%20b/c%25d=%C3%A9");
  EXPECT_EQ(*DecodeLogPath(EncodeLogPath("x y%z/ü?#")), "x y%z/ü?#");
}

TEST(ActionsTest, ReplayKeyIncludesDeletionVector) {
  AddFile a;
  a.path = "f.parquet";
  EXPECT_EQ(a.ReplayKey(), "f.parquet");
  a.deletion_vector = DeletionVectorDescriptor{"i", "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", std::nullopt, 40, 6};
  EXPECT_NE(a.ReplayKey(), "f.parquet");
  RemoveFile r;
  r.path = "f.parquet";
  r.deletion_vector = a.deletion_vector;
  EXPECT_EQ(r.ReplayKey(), a.ReplayKey());
}

TEST(StatsTest, ParsesCountsAndKeepsValuesAsJson) {
  PLINTH_ASSERT_OK_AND_ASSIGN(
      FileStats s, FileStats::Parse(R"({"numRecords":3,"minValues":{"a":1,"s":{"x":"q"}},"maxValues":{"a":9.5},"nullCount":{"a":0,"s":{"x":1}},"tightBounds":true})"));
  EXPECT_EQ(s.num_records, 3);
  EXPECT_EQ(*s.Min("a"), 1);
  EXPECT_EQ((*s.Min("s"))["x"], "q");
  EXPECT_EQ(*s.Max("a"), 9.5);
  EXPECT_EQ(s.Max("missing"), nullptr);
  EXPECT_EQ(s.NullCount("a"), 0);
  EXPECT_EQ(s.NullCount("s"), std::nullopt);  // struct: nested counts, not a top-level number
  EXPECT_EQ(s.tight_bounds, true);
  EXPECT_TRUE(StatusIs(FileStats::Parse(R"({"numRecords":"3"})"), absl::StatusCode::kInvalidArgument,
                       "stats.numRecords is not an integer"));
  EXPECT_TRUE(StatusIs(FileStats::Parse(R"({"minValues":[]})"), absl::StatusCode::kInvalidArgument,
                       "stats.minValues is not an object"));
  EXPECT_TRUE(StatusIs(FileStats::Parse("{"), absl::StatusCode::kInvalidArgument, "stats:"));
}

}  // namespace
}  // namespace plinth::delta
