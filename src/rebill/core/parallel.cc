#include "rebill/core/parallel.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <thread>

namespace rebill {
namespace {

#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older headers lack it
#endif

// Below this, one thread's faults cost less than starting a second.
constexpr size_t kPrefaultFrom = size_t{8} << 20;

}  // namespace

void PrefaultForWrite(void* data, size_t bytes) {
  if (data == nullptr || bytes < kPrefaultFrom) return;
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
  auto end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
  if (end <= begin) return;
  uintptr_t middle = begin + (end - begin) / 2 / page * page;
  // Failure (an old kernel) leaves the pages to be faulted in on first write.
  auto populate = [](uintptr_t from, uintptr_t to) {
    (void)madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
  };
  std::thread other(populate, middle, end);
  populate(begin, middle);
  other.join();
}

void YieldToProducer(int steps) {
  // On Linux a thread's nice value is its own: PRIO_PROCESS with a thread id sets only it.
  const auto self = static_cast<id_t>(gettid());
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, self);
  if (nice == -1 && errno != 0) return;
  (void)setpriority(PRIO_PROCESS, self, std::min(nice + steps, 19));
}

}  // namespace rebill
