#include "plinth/storage/columnar/text_io.h"

#include <sstream>

#include "plinth/testing/test_util.h"

namespace plinth::columnar {
namespace {

SchemaPtr TestSchema() {
  return std::make_shared<const Schema>(
      *Schema::Parse("id int64 not null, name string, price decimal(6,2), ts timestamp, raw binary"));
}

std::string PrintAll(const RecordBatch& b, PrintFormat f) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  BatchPrinter p(mem, f, *b.schema);
  p.Print(b);
  p.Finish();
  std::fclose(mem);
  std::string out(buf, len);
  free(buf);
  return out;
}

TEST(TextIoTest, ReadsCsvWithQuotesAndNulls) {
  std::istringstream in(
      "name,id,price,ts,raw\n"
      "\"a, \"\"quoted\"\"\",1,1.5,2024-01-01T00:00:00Z,AAE=\n"
      ",2,,,\n"
      "\"multi\nline\",3,-0.25,2024-01-02 01:02:03.5,\n");
  TextBatchReader r(&in, TextFormat::kCsv, TestSchema());
  RecordBatch b;
  auto more = r.Next(&b);
  ASSERT_TRUE(more.ok()) << more.status();
  ASSERT_TRUE(*more);
  ASSERT_EQ(b.num_rows, 3);
  EXPECT_EQ(b.columns[1].GetBytes(0), "a, \"quoted\"");
  EXPECT_TRUE(b.columns[1].IsNull(1));
  EXPECT_EQ(b.columns[1].GetBytes(2), "multi\nline");
  EXPECT_TRUE(b.columns[2].IsNull(1));
  EXPECT_EQ(b.columns[4].GetBytes(0), std::string("\x00\x01", 2));
  EXPECT_EQ(PrintAll(b, PrintFormat::kJsonl),
            "{\"id\":1,\"name\":\"a, \\\"quoted\\\"\",\"price\":\"1.50\",\"ts\":\"2024-01-01T00:00:00.000000Z\",\"raw\":\"AAE=\"}\n"
            "{\"id\":2,\"name\":null,\"price\":null,\"ts\":null,\"raw\":null}\n"
            "{\"id\":3,\"name\":\"multi\\nline\",\"price\":\"-0.25\",\"ts\":\"2024-01-02T01:02:03.500000Z\",\"raw\":null}\n");
  EXPECT_EQ(PrintAll(b, PrintFormat::kCsv).substr(0, 42), "id,name,price,ts,raw\n1,\"a, \"\"quoted\"\"\",1.5");
  more = r.Next(&b);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST(TextIoTest, CsvErrorsNameLineAndColumn) {
  auto run = [](const std::string& text) {
    std::istringstream in(text);
    TextBatchReader r(&in, TextFormat::kCsv, TestSchema());
    RecordBatch b;
    return r.Next(&b).status();
  };
  EXPECT_THAT(std::string(run("id,nope\n1,2\n").message()), ::testing::HasSubstr("unknown column 'nope'"));
  EXPECT_THAT(std::string(run("id,price\nx,1\n").message()), ::testing::HasSubstr("line 2: column 'id'"));
  EXPECT_THAT(std::string(run("name\nbob\n").message()), ::testing::HasSubstr("'id' is not nullable"));
  EXPECT_THAT(std::string(run("id,price\n1,2,3\n").message()), ::testing::HasSubstr("3 fields"));
  EXPECT_THAT(std::string(run("id,price\n1,1.234\n").message()), ::testing::HasSubstr("decimal places"));
  EXPECT_FALSE(run("").ok());
}

TEST(TextIoTest, ReadsJsonLines) {
  std::istringstream in(
      "{\"id\": 1, \"name\": \"x\", \"price\": 2.5, \"ts\": \"2024-01-01\"}\n"
      "\n"
      "{\"id\": 2, \"name\": null}\n");
  TextBatchReader r(&in, TextFormat::kJsonl, TestSchema());
  RecordBatch b;
  auto more = r.Next(&b);
  ASSERT_TRUE(more.ok()) << more.status();
  ASSERT_EQ(b.num_rows, 2);
  EXPECT_EQ(PrintAll(b, PrintFormat::kTable),
            "id  name  price  ts                           raw\n"
            "1   x     2.50   2024-01-01T00:00:00.000000Z  NULL\n"
            "2   NULL  NULL   NULL                         NULL\n"
            "(2 rows)\n");
  std::istringstream bad("{\"id\": \"1\", \"name\": 5}\n");
  TextBatchReader r2(&bad, TextFormat::kJsonl, TestSchema());
  EXPECT_THAT(std::string(r2.Next(&b).status().message()), ::testing::HasSubstr("column 'name' (string) got a number"));
}

}  // namespace
}  // namespace plinth::columnar
