// Test oracle for ParseRequestHead: what Beast's full parser (the server's other path) makes of
// the same bytes. Used by request_head_test.cc and fuzz/request_head_fuzz.cc; not by the server.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "plinth/server/request_head.h"

namespace plinth::server {

// Empty when Beast parses in[0, head.head_bytes) as a complete header with the same method,
// target, version, keep-alive, body length and fields as `head`; otherwise what differs.
inline std::string RequestHeadDisagreement(std::string_view in, const RequestHead& head) {
  namespace http = boost::beast::http;
  auto sv = [](boost::beast::string_view s) { return std::string_view(s.data(), s.size()); };
  http::request_parser<http::empty_body> parser;
  parser.header_limit(1u << 30);
  parser.eager(false);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // as the server does
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(in.data(), head.head_bytes), ec);
  if (ec) return "beast refused the head: " + ec.message();
  if (!parser.is_header_done()) return "beast found no complete head";
  if (used != head.head_bytes) return "beast used " + std::to_string(used) + " bytes, not " + std::to_string(head.head_bytes);
  const auto& m = parser.get();
  if (sv(m.method_string()) != head.method) return "method differs";
  if (sv(m.target()) != head.target) return "target differs";
  if (m.version() != head.version) return "version differs";
  if (m.keep_alive() != head.keep_alive) return "keep-alive differs";
  if (parser.chunked()) return "beast sees a chunked body";
  const uint64_t length = parser.content_length().value_or(0);
  if (length != head.content_length) return "content length differs";
  // Beast keeps a repeated field next to its first occurrence; compare per name, in order.
  using Field = std::tuple<std::string, std::string, std::string>;  // lower-cased name, name, value
  auto lower = [](std::string_view name) {
    std::string out(name);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::vector<Field> theirs, ours;
  for (const auto& field : m) theirs.emplace_back(lower(sv(field.name_string())), sv(field.name_string()), sv(field.value()));
  for (const auto& [name, value] : head.fields) ours.emplace_back(lower(name), name, value);
  auto by_name = [](const Field& a, const Field& b) { return std::get<0>(a) < std::get<0>(b); };
  std::stable_sort(theirs.begin(), theirs.end(), by_name);
  std::stable_sort(ours.begin(), ours.end(), by_name);
  if (theirs.size() != ours.size()) return "beast has " + std::to_string(theirs.size()) + " fields, not " + std::to_string(ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    if (theirs[i] != ours[i]) {
      return "field differs: " + std::get<1>(theirs[i]) + ": " + std::get<2>(theirs[i]) + " vs " + std::get<1>(ours[i]) + ": " +
             std::get<2>(ours[i]);
    }
  }
  return "";
}

}  // namespace plinth::server
