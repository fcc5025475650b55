// A short, deterministic run of the fuzzer's entry point in every build, so that it cannot rot:
// each fixture, every prefix length class, and byte flips at pseudo-random places.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int FuzzOne(const std::string& bytes) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(ParquetFuzzSmokeTest, FixturesAndMutationsOfThem) {
  const char* root = std::getenv("REBILL_SOURCE_DIR");
  std::filesystem::path dir =
      std::filesystem::path(root != nullptr ? root : ".") / "tests/fixtures/parquet";
  std::mt19937 random(20261123);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".parquet" || entry.file_size() > 64 * 1024) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    EXPECT_EQ(FuzzOne(good), 0);
    for (size_t cut = 1; cut < good.size(); cut = cut * 3 + 1) {
      EXPECT_EQ(FuzzOne(good.substr(0, cut)), 0);
      EXPECT_EQ(FuzzOne(good.substr(good.size() - cut)), 0);
    }
    for (int i = 0; i < 40; ++i) {
      std::string bad = good;
      for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
        bad[random() % bad.size()] = static_cast<char>(random());
      }
      EXPECT_EQ(FuzzOne(bad), 0);
    }
  }
  EXPECT_GE(files, 10);
}

// Inputs the fuzzer once failed on (tests/fuzz/regressions/parquet, each named for what it
// caught), read again under the sanitizers of every test build.
TEST(ParquetFuzzSmokeTest, InputsThatOnceFailed) {
  const char* root = std::getenv("REBILL_SOURCE_DIR");
  std::filesystem::path dir =
      std::filesystem::path(root != nullptr ? root : ".") / "tests/fuzz/regressions/parquet";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    EXPECT_EQ(FuzzOne(bytes), 0) << entry.path();
  }
  EXPECT_GE(files, 1);
}

}  // namespace
