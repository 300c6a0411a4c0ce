// Buffer: a growable byte array that does not zero what it grows into (unlike std::vector),
// 64-byte aligned, for column values that a decoder overwrites anyway. Buffers of
// kHugeBufferBytes or more are whole 2 MiB huge pages (base/huge_page_array.h): a column of
// millions of values then costs a page fault per 2 MiB instead of per 4 KiB, to fill and to
// release.
// Thread-safety: none; a Buffer is owned by one Column.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "plinth/base/huge_page_array.h"

namespace plinth::columnar {

inline constexpr size_t kHugeBufferBytes = size_t{4} << 20;

class Buffer {
 public:
  Buffer() = default;
  ~Buffer() { Free(data_, capacity_); }
  Buffer(const Buffer& o) { *this = o; }
  Buffer& operator=(const Buffer& o) {
    if (this != &o) {
      Resize(o.size_);
      if (o.size_) std::memcpy(data_, o.data_, o.size_);
    }
    return *this;
  }
  Buffer(Buffer&& o) noexcept { Swap(o); }
  Buffer& operator=(Buffer&& o) noexcept {
    Swap(o);
    return *this;
  }
  void Swap(Buffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(capacity_, o.capacity_);
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  // New bytes are uninitialised.
  void Resize(size_t n) {
    if (n > capacity_) Reserve(n > capacity_ * 2 ? n : capacity_ * 2);
    size_ = n;
  }
  void Reserve(size_t n) {
    if (n <= capacity_) return;
    size_t rounded = (n + 63) & ~size_t{63};
    void* p;
    if (rounded >= kHugeBufferBytes) {
      rounded = (rounded + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
      p = AllocateHugePages(rounded);
    } else {
      p = std::aligned_alloc(64, rounded);
    }
    if (p == nullptr) throw std::bad_alloc();
    if (size_) std::memcpy(p, data_, size_);
    Free(data_, capacity_);
    data_ = static_cast<uint8_t*>(p);
    capacity_ = rounded;
  }
  void Clear() { size_ = 0; }

  template <typename T>
  T* As() {
    return reinterpret_cast<T*>(data_);
  }
  template <typename T>
  const T* As() const {
    return reinterpret_cast<const T*>(data_);
  }

 private:
  // Capacity tells how a block was allocated.
  static void Free(uint8_t* p, size_t capacity) {
    if (capacity >= kHugeBufferBytes) FreeHugePages(p, capacity);
    else std::free(p);
  }
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace plinth::columnar
