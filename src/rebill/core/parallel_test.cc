#include "rebill/core/parallel.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace rebill {
namespace {

struct Line {
  std::string name = "unset";
  long value = 7;
};

// Past the size from which the memory is prefaulted on two threads, as well as below it.
TEST(ParallelTest, DefaultConstructedGivesDefaultValues) {
  for (size_t n : {size_t{0}, size_t{10}, size_t{2'000'000}}) {
    std::vector<Line> lines = DefaultConstructed<Line>(n);
    ASSERT_EQ(lines.size(), n);
    for (const Line& line : lines) {
      ASSERT_EQ(line.name, "unset");
      ASSERT_EQ(line.value, 7);
    }
  }
}

TEST(ParallelTest, ReservePrefaultedKeepsWhatIsThere) {
  std::vector<Line> lines(3);
  lines[1].name = "kept";
  ReservePrefaulted(lines, 2'000'000);
  ASSERT_GE(lines.capacity(), 2'000'000u);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].name, "kept");
  for (size_t i = 3; i < 2'000'000; ++i) lines.push_back(Line{std::to_string(i), 1});
  EXPECT_EQ(lines.back().name, "1999999");
}

// Only the calling thread's priority changes, and never past the lowest.
TEST(ParallelTest, YieldToProducerLowersOnlyTheCallingThread) {
  const int before = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  int lowered = 0, lowest = 0;
  std::thread worker([&] {
    YieldToProducer(5);
    lowered = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    YieldToProducer(40);
    lowest = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  });
  worker.join();
  EXPECT_EQ(lowered, std::min(before + 5, 19));
  EXPECT_EQ(lowest, 19);
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), before);
}

}  // namespace
}  // namespace rebill
