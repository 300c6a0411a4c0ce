// libFuzzer target for the server's fast request-head parser (server/request_head.h), checked
// against Beast's full parser, the server's other path: whatever the fast parser accepts,
// Beast must accept as the same request (method, target, version, keep-alive, body length,
// fields), and the fast parser never claims more bytes than it was given.
// A crash found becomes a regression input in fuzz/corpus/request_head.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "plinth/server/request_head.h"
#include "plinth/server/request_head_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace plinth::server;  // NOLINT
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  RequestHead head;
  if (ParseRequestHead(in, &head) != HeadParse::kComplete) return 0;
  if (head.head_bytes > in.size()) {
    std::fprintf(stderr, "head of %zu bytes in %zu\n", head.head_bytes, in.size());
    std::abort();
  }
  const std::string why = RequestHeadDisagreement(in, head);
  if (!why.empty()) {
    std::fprintf(stderr, "fast parser and Beast disagree: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
