// Allocator settings for a short-lived process that streams large buffers (a CLI batch job
// such as `plinth features training-set`): glibc otherwise maps every block over 128 KiB (up to
// 32 MiB once it adapts) afresh and returns freed heap tops to the kernel, so each decoded page,
// column and output buffer pays its page faults again - a fifth of a training-set run's CPU.
// Not for the long-running server, whose resident memory should shrink after a burst.
#pragma once

namespace plinth {

// Keeps blocks under 64 MiB on the heap and freed memory in the process (up to 1 GiB free
// before trimming). Call once, before the work starts.
void TuneMallocForBatchWork();

}  // namespace plinth
