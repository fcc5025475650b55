#include "rebill/core/parallel.h"

#include <gtest/gtest.h>

#include <string>
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

}  // namespace
}  // namespace rebill
