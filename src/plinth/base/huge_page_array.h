// HugePageArray<T>: a fixed-size array of trivially copyable T for large tables read and
// written at random (hash tables, per-key slots). Arrays of 2 MiB or more are 2 MiB-aligned
// anonymous mappings advised for transparent huge pages, which cut the TLB misses of random
// access; smaller ones come from the heap. Elements start zeroed.
// Thread-safety: like a plain array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace plinth {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// Memory of `bytes` zeroed bytes; large blocks huge-page advised. Released with FreeHugePages.
void* AllocateHugePages(size_t bytes);
void FreeHugePages(void* p, size_t bytes);

template <typename T>
class HugePageArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  HugePageArray() = default;
  explicit HugePageArray(size_t n) : n_(n) {
    if (n_ == 0) return;
    data_ = static_cast<T*>(AllocateHugePages(n_ * sizeof(T)));
    if (data_ == nullptr) throw std::bad_alloc();
  }
  ~HugePageArray() { Reset(); }
  HugePageArray(HugePageArray&& o) noexcept : data_(std::exchange(o.data_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  HugePageArray& operator=(HugePageArray&& o) noexcept {
    if (this != &o) {
      Reset();
      data_ = std::exchange(o.data_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  HugePageArray(const HugePageArray&) = delete;
  HugePageArray& operator=(const HugePageArray&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  void Reset() {
    if (data_ != nullptr) FreeHugePages(data_, n_ * sizeof(T));
    data_ = nullptr;
    n_ = 0;
  }
  T* data_ = nullptr;
  size_t n_ = 0;
};

}  // namespace plinth
