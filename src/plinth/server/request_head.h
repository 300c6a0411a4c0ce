// ParseRequestHead: the server's fast path for a plain HTTP/1.x request head, parsed in place.
//
// Almost every request a model server sees is plain: a request line, a few fields, a
// Content-Length body. Those are parsed here without copying or allocating. Anything else
// (Transfer-Encoding, Expect, an obs-folded or oddly spaced field, a bare LF, a repeated or
// non-numeric Content-Length, another HTTP version, bytes outside the plain ranges) is
// kUnusual: the server then hands the same bytes to Beast's full parser, which accepts or
// refuses them with its usual errors. So this parser only needs to be right about what it
// accepts; a differential fuzz target (fuzz/request_head_fuzz.cc) checks it against Beast.
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace plinth::server {

struct RequestHead {
  std::string_view method;
  std::string_view target;
  unsigned version = 11;      // 10 or 11
  bool keep_alive = true;     // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
  uint64_t content_length = 0;
  size_t head_bytes = 0;      // the request line and fields through the blank line
  // Field names as sent and values without surrounding blanks; views into the parsed bytes.
  std::vector<std::pair<std::string_view, std::string_view>> fields;
};

enum class HeadParse {
  kIncomplete,  // no blank line yet, and nothing unusual so far: read more
  kComplete,    // *head describes in[0, head->head_bytes)
  kUnusual,     // not a plain request head: let the full parser decide
};

// Parses the head at the start of `in`. Reuses head->fields' capacity.
HeadParse ParseRequestHead(std::string_view in, RequestHead* head);

}  // namespace plinth::server
