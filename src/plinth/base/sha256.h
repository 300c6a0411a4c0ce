// Streaming SHA-256 (OpenSSL EVP) and hex helpers.
// Thread-safety: a Sha256 instance is not thread-safe; distinct instances are independent.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace plinth {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // Lowercase hex digest (64 chars). The hasher must not be updated afterwards.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view data);
bool IsSha256Hex(std::string_view s);
std::string HexEncode(std::string_view bytes);

}  // namespace plinth
