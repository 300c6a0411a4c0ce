// CpuSlots: a limit on how many tasks run at once across several WorkerPools that share the
// machine's cores. Two pools of two threads each, gated by CpuSlots(2), keep two tasks running:
// while both pools have work they take turns instead of oversubscribing the cores, and when one
// pool runs out of work the other's second thread takes the free slot, so no core idles while
// any pool still has tasks.
//
//   CpuSlots cpu(2);
//   WorkerPool a(2, &cpu), b(2, &cpu);   // ForEachScanUnit on a and b: at most 2 units at once
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <semaphore>

namespace plinth {

class CpuSlots {
 public:
  explicit CpuSlots(int slots) : free_(slots > 0 ? slots : 1) {}
  void Acquire() { free_.acquire(); }
  void Release() { free_.release(); }

 private:
  std::counting_semaphore<> free_;
};

}  // namespace plinth
