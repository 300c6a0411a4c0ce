#include "plinth/server/request_head.h"

#include <gtest/gtest.h>

#include "plinth/server/request_head_oracle.h"

namespace plinth::server {
namespace {

HeadParse Parse(std::string_view in, RequestHead* head) {
  HeadParse r = ParseRequestHead(in, head);
  if (r == HeadParse::kComplete) {
    EXPECT_EQ(RequestHeadDisagreement(in, *head), "") << in;
  }
  return r;
}

TEST(RequestHeadTest, PlainPostWithBody) {
  const std::string in =
      "POST /api/v1/deployments/d/predict HTTP/1.1\r\nHost: x:1\r\nContent-Type:application/json \r\n"
      "Content-Length: 12\r\n\r\n{\"a\": 1.5}\r\nGET";
  RequestHead head;
  ASSERT_EQ(Parse(in, &head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/api/v1/deployments/d/predict");
  EXPECT_EQ(head.version, 11u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_EQ(head.content_length, 12u);
  EXPECT_EQ(in.substr(head.head_bytes, 12), "{\"a\": 1.5}\r\n");
  ASSERT_EQ(head.fields.size(), 3u);
  EXPECT_EQ(head.fields[1].first, "Content-Type");
  EXPECT_EQ(head.fields[1].second, "application/json");
}

TEST(RequestHeadTest, KeepAliveFollowsVersionAndConnection) {
  RequestHead head;
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nConnection: upgrade, keep-alive\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(Parse("GET / HTTP/1.0\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_EQ(head.version, 10u);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(Parse("GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_TRUE(head.keep_alive);
}

TEST(RequestHeadTest, IncompleteUntilTheBlankLine) {
  const std::string in = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
  RequestHead head;
  for (size_t n = 0; n < in.size() - 3; ++n) {
    EXPECT_EQ(Parse(in.substr(0, n), &head), HeadParse::kIncomplete) << n;
  }
  EXPECT_EQ(Parse(in.substr(0, in.size() - 3), &head), HeadParse::kComplete);
  EXPECT_EQ(head.head_bytes, in.size() - 3);
}

TEST(RequestHeadTest, UnusualHeadsGoToTheFullParser) {
  const char* unusual[] = {
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close;x\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: ,close\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",        // blank before the colon
      "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",      // obs-fold
      "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",         // lone CR
      "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",        // DEL
      "GET / HTTP/1.1\nHost: x\n\n",               // bare LF: never a CRLF CRLF
      "GET /a\x80 HTTP/1.1\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / http/1.1\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
  };
  for (const char* in : unusual) {
    RequestHead head;
    EXPECT_EQ(Parse(in, &head), HeadParse::kUnusual) << in;
  }
}

TEST(RequestHeadTest, ReusesFieldStorage) {
  RequestHead head;
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &head), HeadParse::kComplete);
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nC:\r\n\r\n", &head), HeadParse::kComplete);
  ASSERT_EQ(head.fields.size(), 1u);
  EXPECT_EQ(head.fields[0].first, "C");
  EXPECT_EQ(head.fields[0].second, "");
  EXPECT_EQ(head.content_length, 0u);
}

}  // namespace
}  // namespace plinth::server
