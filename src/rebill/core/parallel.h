// When a stage splits its work between two threads.
#pragma once

#include <cstddef>

namespace rebill {

/// Below this many lines, a second thread costs more to start than it saves; stages that split
/// a month's lines in two (aggregation, the month file, allocation) do so from here.
inline constexpr size_t kTwoThreadsFrom = 20000;

}  // namespace rebill
