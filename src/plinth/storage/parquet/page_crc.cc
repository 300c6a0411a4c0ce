#include "plinth/storage/parquet/page_crc.h"

#include <isa-l/crc.h>

namespace plinth::parquet {

uint32_t PageCrc(const void* data, size_t size) {
  return crc32_gzip_refl(0, static_cast<const unsigned char*>(data), static_cast<uint64_t>(size));
}

}  // namespace plinth::parquet
