// Allocator settings (glibc malloc: they do nothing when the binary links tcmalloc, whose
// mallopt is a no-op) for a short-lived process that streams large buffers (a CLI batch job
// such as `plinth features training-set`): glibc otherwise maps every block over 128 KiB (up to
// 32 MiB once it adapts) afresh and returns freed heap tops to the kernel, so each decoded page,
// column and output buffer pays its page faults again - a fifth of a training-set run's CPU.
// Not for the long-running server, whose resident memory should shrink after a burst.
//
// One arena: the batch job's buffers are decoded on worker threads and freed on others, and with
// an arena per thread each arena keeps its own free memory that the others cannot reuse (and
// non-main arenas live in 64 MiB heaps that big buffers fragment). Measured on the training-set
// benchmark (1M labels, 10M feature rows, 2 threads): 1.54-1.70 s -> 1.36-1.52 s, system time
// 0.70-0.90 -> 0.54-0.67 s, peak RSS ~310 -> ~268 MB. Small blocks come from each thread's cache
// (tcache) without taking the arena's lock.
#pragma once

namespace plinth {

// Keeps blocks under 64 MiB on the heap and freed memory in the process (up to 1 GiB free
// before trimming), all threads sharing one arena. Call once, before the work starts (before
// worker threads first allocate).
void TuneMallocForBatchWork();

}  // namespace plinth
