#include "plinth/server/response_head.h"

#include <sstream>

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace plinth::server {
namespace {

namespace http = boost::beast::http;

using Headers = std::vector<std::pair<std::string, std::string>>;

// What Beast writes for the response the server used to build (http_server.cc, Respond).
std::string ThroughBeast(unsigned version, int status, const std::string& type, const Headers& headers,
                         const std::string& body, bool keep) {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::content_type, type);
  for (const auto& [k, v] : headers) res.set(k, v);
  res.body() = body;
  res.keep_alive(keep);
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

TEST(ResponseHeadTest, SameBytesAsBeast) {
  const std::vector<Headers> header_sets = {
      {},
      {{"Retry-After", "1"}},
      {{"WWW-Authenticate", "Bearer"}, {"X-Plinth-Sha256", "abc"}, {"ETag", "\"abc\""}},
      {{"content-type", "text/plain"}, {"Location", "/x"}},  // replaces the content type
      {{"X-A", "1"}, {"x-a", "2"}},                             // the later one wins
  };
  for (unsigned version : {10u, 11u}) {
    for (int status : {200, 201, 204, 304, 400, 404, 413, 429, 431, 500, 503, 299}) {
      for (const Headers& headers : header_sets) {
        for (bool keep : {false, true}) {
          for (const std::string& body : {std::string(), std::string("{\"predictions\":[0.5]}\n")}) {
            if ((status == 204 || status == 304) && !body.empty()) continue;  // (Beast refuses a body there)
            std::string ours;
            AppendResponseHead(&ours, version, status, "application/json", headers, body.size(), keep);
            ours += body;
            EXPECT_EQ(ours, ThroughBeast(version, status, "application/json", headers, body, keep))
                << version << " " << status << " keep=" << keep << " headers=" << headers.size();
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace plinth::server
