// Cryptographically secure random bytes (OpenSSL RAND_bytes), for secrets and temp names.
// Thread-safety: safe for concurrent use.
#pragma once

#include <string>

namespace plinth {

// `n` random bytes, hex-encoded (2n characters).
std::string RandomHex(size_t n);

}  // namespace plinth
