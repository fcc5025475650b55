// When a stage splits its work between two threads.
#pragma once

#include <cstddef>
#include <vector>

namespace rebill {

/// Below this many lines, a second thread costs more to start than it saves; stages that split
/// a month's lines in two (aggregation, the month file, allocation) do so from here.
inline constexpr size_t kTwoThreadsFrom = 20000;

/// Have the kernel back [data, data + bytes) with memory now, half of it on a second thread,
/// when it is big enough for that to pay. The pages' first touch (a fault and the zeroing of
/// each page) is most of the cost of filling a fresh vector of a month's lines; done here, it
/// runs on both cores. Best effort: where the kernel cannot (before Linux 5.14), nothing
/// happens and the pages are faulted in when first written, as ever.
void PrefaultForWrite(void* data, size_t bytes);

/// `n` default-constructed values in memory prefaulted on two threads (PrefaultForWrite).
template <typename T>
std::vector<T> DefaultConstructed(size_t n) {
  std::vector<T> out;
  out.reserve(n);
  PrefaultForWrite(out.data(), n * sizeof(T));
  out.resize(n);
  return out;
}

/// v.reserve(n), with the reserved memory prefaulted on two threads (PrefaultForWrite).
template <typename T>
void ReservePrefaulted(std::vector<T>& v, size_t n) {
  v.reserve(n);
  PrefaultForWrite(v.data(), v.capacity() * sizeof(T));
}

/// Lower the calling thread's scheduling priority by `steps` nice levels (up to the lowest).
/// For the consumers of a pipeline whose producer must not wait its turn: on two cores, a
/// reading thread and two parsing threads share the cores equally, and the parsers then go
/// idle waiting for pieces the reader had no core to produce. Best effort: where the kernel
/// refuses, nothing changes.
void YieldToProducer(int steps);

}  // namespace rebill
