#include "plinth/base/malloc_tuning.h"

#include <malloc.h>

namespace plinth {

void TuneMallocForBatchWork() {
  ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
  ::mallopt(M_ARENA_MAX, 1);
}

}  // namespace plinth
