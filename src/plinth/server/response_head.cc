#include "plinth/server/response_head.h"

#include <boost/beast/http/status.hpp>

#include "plinth/base/strings.h"

namespace plinth::server {

namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

void AppendResponseHead(std::string* out, unsigned version, int status, std::string_view content_type,
                        const std::vector<std::pair<std::string, std::string>>& headers, size_t content_length,
                        bool keep_alive) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  StrAppend(out, "HTTP/", version / 10, ".", version % 10, " ", status, " ", std::string_view(reason.data(), reason.size()),
            "\r\n");
  // Fields in the order Beast keeps them: each set() moves its field to the end.
  auto set_from = [&](size_t from, std::string_view name) {
    for (size_t j = from; j < headers.size(); ++j) {
      if (SameName(headers[j].first, name)) return true;
    }
    return false;
  };
  if (!set_from(0, "Content-Type")) StrAppend(out, "Content-Type: ", content_type, "\r\n");
  for (size_t i = 0; i < headers.size(); ++i) {
    if (!set_from(i + 1, headers[i].first)) StrAppend(out, headers[i].first, ": ", headers[i].second, "\r\n");
  }
  if (version >= 11 && !keep_alive) out->append("Connection: close\r\n");
  if (version < 11 && keep_alive) out->append("Connection: keep-alive\r\n");
  StrAppend(out, "Content-Length: ", content_length, "\r\n\r\n");
}

}  // namespace plinth::server
