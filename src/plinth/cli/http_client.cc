#include "plinth/cli/http_client.h"

#include <cstdio>
#include <filesystem>
#include <limits>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "plinth/base/sha256.h"

namespace plinth::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  std::string port;
  std::string token;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  absl::Status Connect() {
    if (stream && stream->socket().is_open()) return absl::OkStatus();
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, port, ec);
    if (ec) return absl::UnavailableError(StrCat("cannot resolve ", host, ": ", ec.message()));
    stream.emplace(ioc);
    stream->connect(results, ec);
    if (ec) {
      stream.reset();
      return absl::UnavailableError(StrCat("cannot connect to http://", host, ":", port, ": ", ec.message(),
                                           " (is `plinth server` running? set --server or PLINTH_SERVER)"));
    }
    buffer.clear();
    return absl::OkStatus();
  }

  template <typename Body>
  void Prepare(http::request<Body>& req, const std::string& method, const std::string& target) {
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "plinth-cli");
    req.keep_alive(true);
    if (!token.empty()) req.set(http::field::authorization, StrCat("Bearer ", token));
  }

  // Reads one response with a string body; drops the connection on error or when the
  // server will not keep it alive.
  absl::StatusOr<HttpResult> ReadResponse() {
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none is broken in Beast 1.74
    http::read(*stream, buffer, parser, ec);
    if (ec) {
      stream.reset();
      return absl::UnavailableError(StrCat("request to server failed: ", ec.message()));
    }
    auto& res = parser.get();
    HttpResult out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& f : res) out.headers[ToLower(std::string(f.name_string()))] = std::string(f.value());
    if (!res.keep_alive()) stream.reset();
    return out;
  }

  // Sends `req` and reads a string response, reconnecting once if a kept-alive
  // connection turned out to be closed.
  template <typename Body>
  absl::StatusOr<HttpResult> RoundTrip(http::request<Body>& req, bool retry_safe) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      PLINTH_RETURN_IF_ERROR(Connect());
      beast::error_code ec;
      http::write(*stream, req, ec);
      absl::StatusOr<HttpResult> res = ec ? absl::UnavailableError(StrCat("request to server failed: ", ec.message()))
                                          : ReadResponse();
      if (!res.ok()) {
        stream.reset();
        if (attempt == 0 && retry_safe) continue;
      }
      return res;
    }
    return absl::UnavailableError("request to server failed");
  }
};

absl::Status StatusFromResponse(int http_status, const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  std::string message = body.substr(0, 500);
  std::string code;
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const Json& e = j["error"];
    if (e.is_object()) {
      message = e.value("message", message);
      code = e.value("code", "");
    } else if (e.is_string()) {
      message = e.get<std::string>();
    }
  }
  message = StrCat(message, " (HTTP ", http_status, code.empty() ? "" : StrCat(" ", code), ")");
  switch (http_status) {
    case 400: return absl::InvalidArgumentError(message);
    case 401: return absl::UnauthenticatedError(message);
    case 403: return absl::PermissionDeniedError(message);
    case 404: return absl::NotFoundError(message);
    case 409: return code == "ALREADY_EXISTS" ? absl::AlreadyExistsError(message) : absl::FailedPreconditionError(message);
    case 413:
    case 429: return absl::ResourceExhaustedError(message);
    case 503: return absl::UnavailableError(message);
    default: return http_status >= 500 ? absl::InternalError(message) : absl::UnknownError(message);
  }
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& server, const std::string& token) {
  std::string_view s = server;
  if (StartsWith(s, "https://")) return absl::InvalidArgumentError("https is not supported yet; put a TLS proxy in front and use http:// locally");
  if (!StartsWith(s, "http://")) return absl::InvalidArgumentError(StrCat("invalid server URL '", server, "': use http://HOST:PORT"));
  s.remove_prefix(7);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  auto impl = std::make_unique<Impl>();
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || (s.find(']') != std::string_view::npos && colon < s.find(']'))) {
    impl->host = std::string(s);
    impl->port = "80";
  } else {
    impl->host = std::string(s.substr(0, colon));
    impl->port = std::string(s.substr(colon + 1));
  }
  if (impl->host.size() > 2 && impl->host.front() == '[') impl->host = impl->host.substr(1, impl->host.size() - 2);
  if (impl->host.empty() || !ParseInt64(impl->port)) return absl::InvalidArgumentError(StrCat("invalid server URL '", server, "'"));
  impl->token = token;
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

absl::StatusOr<Json> HttpClient::Call(const std::string& method, const std::string& target, const std::optional<Json>& body) {
  http::request<http::string_body> req;
  impl_->Prepare(req, method, target);
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = DumpJson(*body);
  }
  req.prepare_payload();
  PLINTH_ASSIGN_OR_RETURN(HttpResult res, impl_->RoundTrip(req, method == "GET"));
  if (res.status >= 300) return StatusFromResponse(res.status, res.body);
  if (res.body.empty()) return Json::object();
  auto j = ParseJson(res.body);
  if (!j.ok()) return Json(res.body);  // non-JSON (e.g. /metrics)
  return *j;
}

absl::StatusOr<Json> HttpClient::Upload(const std::string& target, const std::string& file, const std::string& sha256) {
  http::request<http::file_body> req;
  impl_->Prepare(req, "POST", target);
  beast::error_code ec;
  req.body().open(file.c_str(), beast::file_mode::scan, ec);
  if (ec) return absl::NotFoundError(StrCat("cannot open ", file, ": ", ec.message()));
  req.set(http::field::content_type, "application/octet-stream");
  req.set("X-Plinth-Sha256", sha256);
  req.set(http::field::expect, "100-continue");
  req.prepare_payload();
  // Send the header, wait for "100 Continue" (or an early refusal such as 413), then the body.
  PLINTH_RETURN_IF_ERROR(impl_->Connect());
  http::request_serializer<http::file_body> sr{req};
  http::write_header(*impl_->stream, sr, ec);
  if (ec) {
    impl_->stream.reset();  // a kept-alive connection the server had closed: retry once
    PLINTH_RETURN_IF_ERROR(impl_->Connect());
    http::write_header(*impl_->stream, sr, ec);
    if (ec) return absl::UnavailableError(StrCat("upload failed: ", ec.message()));
  }
  PLINTH_ASSIGN_OR_RETURN(HttpResult first, impl_->ReadResponse());
  if (first.status == 100) {
    http::write(*impl_->stream, sr, ec);
    if (ec) {
      impl_->stream.reset();
      return absl::UnavailableError(StrCat("upload failed: ", ec.message()));
    }
    PLINTH_ASSIGN_OR_RETURN(HttpResult res, impl_->ReadResponse());
    if (res.status >= 300) return StatusFromResponse(res.status, res.body);
    return ParseJson(res.body);
  }
  // Refused before the body was sent: the server closes the connection.
  impl_->stream.reset();
  if (first.status >= 300) return StatusFromResponse(first.status, first.body);
  return absl::InternalError(StrCat("unexpected answer to an upload: HTTP ", first.status));
}

absl::StatusOr<HttpResult> HttpClient::Download(const std::string& target, const std::string& out_file) {
  http::request<http::empty_body> req;
  impl_->Prepare(req, "GET", target);
  PLINTH_RETURN_IF_ERROR(impl_->Connect());
  beast::error_code ec;
  http::write(*impl_->stream, req, ec);
  if (ec) {
    impl_->stream.reset();
    PLINTH_RETURN_IF_ERROR(impl_->Connect());
    http::write(*impl_->stream, req, ec);
    if (ec) return absl::UnavailableError(StrCat("request failed: ", ec.message()));
  }
  http::response_parser<http::empty_body> header_parser;
  header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none is broken in Beast 1.74
  http::read_header(*impl_->stream, impl_->buffer, header_parser, ec);
  if (ec) return absl::UnavailableError(StrCat("reading response failed: ", ec.message()));
  HttpResult out;
  out.status = header_parser.get().result_int();
  for (const auto& f : header_parser.get()) out.headers[ToLower(std::string(f.name_string()))] = std::string(f.value());
  if (out.status >= 300) {
    http::response_parser<http::string_body> p{std::move(header_parser)};
    http::read(*impl_->stream, impl_->buffer, p, ec);
    impl_->stream.reset();
    return StatusFromResponse(out.status, p.get().body());
  }
  std::string tmp = StrCat(out_file, ".part");
  auto length = header_parser.content_length();
  if (!length || header_parser.chunked()) {
    impl_->stream.reset();
    return absl::InternalError("artifact download without a Content-Length");
  }
  // Copy the body straight from the socket to the file in large pieces, hashing as it goes
  // (Beast's file_body moves 4 KiB at a time).
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return absl::InternalError(StrCat("cannot write ", tmp));
  Sha256 hasher;
  uint64_t remaining = *length;
  bool write_failed = false;
  auto sink = [&](const char* data, size_t n) {
    hasher.Update(std::string_view(data, n));
    if (std::fwrite(data, 1, n, f) != n) write_failed = true;
  };
  size_t buffered = static_cast<size_t>(std::min<uint64_t>(impl_->buffer.size(), remaining));
  if (buffered > 0) {
    sink(static_cast<const char*>(impl_->buffer.data().data()), buffered);
    impl_->buffer.consume(buffered);
    remaining -= buffered;
  }
  std::vector<char> chunk(1 << 20);
  while (remaining > 0 && !write_failed) {
    size_t n = impl_->stream->socket().read_some(
        asio::buffer(chunk.data(), static_cast<size_t>(std::min<uint64_t>(remaining, chunk.size()))), ec);
    if (ec) break;
    sink(chunk.data(), n);
    remaining -= n;
  }
  bool close_failed = std::fclose(f) != 0;
  if (ec || write_failed || close_failed) {
    std::remove(tmp.c_str());
    impl_->stream.reset();
    if (ec) return absl::UnavailableError(StrCat("download interrupted: ", ec.message()));
    return absl::InternalError(StrCat("cannot write ", tmp));
  }
  if (!header_parser.get().keep_alive()) impl_->stream.reset();
  auto expected = out.headers.find("x-plinth-sha256");
  if (expected != out.headers.end()) {
    // End-to-end check: what landed on disk is what the registry recorded.
    std::string actual = hasher.FinishHex();
    if (actual != expected->second) {
      std::remove(tmp.c_str());
      return absl::DataLossError(StrCat("downloaded bytes hash to ", actual, " but the registry recorded ", expected->second));
    }
  }
  std::error_code fec;
  std::filesystem::rename(tmp, out_file, fec);
  if (fec) return absl::InternalError(StrCat("cannot rename to ", out_file, ": ", fec.message()));
  return out;
}

}  // namespace plinth::cli
