#include "plinth/base/random.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

#include "plinth/base/sha256.h"

namespace plinth {

std::string RandomHex(size_t n) {
  std::vector<unsigned char> buf(n);
  if (RAND_bytes(buf.data(), static_cast<int>(n)) != 1) std::abort();  // no entropy: unsafe to go on
  return HexEncode(std::string_view(reinterpret_cast<const char*>(buf.data()), n));
}

}  // namespace plinth
