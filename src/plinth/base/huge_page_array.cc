#include "plinth/base/huge_page_array.h"

#include <sys/mman.h>

#include <cstdlib>

namespace plinth {

namespace {

constexpr size_t kHugePage = kHugePageBytes;

size_t MappedBytes(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* AllocateHugePages(size_t bytes) {
  if (bytes < kHugePage) return std::calloc(1, bytes);
  // Map one huge page more than needed and trim both ends to a 2 MiB-aligned block.
  const size_t size = MappedBytes(bytes);
  void* raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  const uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, size, MADV_HUGEPAGE);  // advice only: without THP the pages are just small
  return p;
}

void FreeHugePages(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes < kHugePage) {
    std::free(p);
    return;
  }
  ::munmap(p, MappedBytes(bytes));
}

}  // namespace plinth
