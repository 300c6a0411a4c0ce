// The status line and header fields of a response, as text: a small answer then goes out as
// one buffer (one iovec) instead of Beast's serializer's several buffers per field, which made
// the kernel's send of a 100-byte prediction cost more than the prediction. The bytes equal
// what Beast writes for the same response (tests compare them).
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plinth::server {

// HTTP/1.<version % 10> `status` with Content-Type, then `headers` (a later field replaces an
// earlier one of the same name, case-insensitively, Content-Type included), Connection as
// keep-alive requires (close on 1.1 when !keep_alive, keep-alive on 1.0 when keep_alive) and
// Content-Length; ends with the blank line. (No answer of Plinth's is a 1xx, 204 or 304.)
void AppendResponseHead(std::string* out, unsigned version, int status, std::string_view content_type,
                        const std::vector<std::pair<std::string, std::string>>& headers, size_t content_length,
                        bool keep_alive);

}  // namespace plinth::server
