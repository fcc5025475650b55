// A short, deterministic run of the ingest fuzzer's entry point in every build, so that it
// cannot rot: the CSV and manifest fixtures and the Parquet billing files, prefixes of them, and
// byte flips at pseudo-random places.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int FuzzOne(char mode, const std::string& bytes) {
  std::string input = std::string(1, mode) + bytes;
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(IngestFuzzSmokeTest, FixturesAndMutationsOfThem) {
  const char* root = std::getenv("REBILL_SOURCE_DIR");
  std::filesystem::path fixtures =
      std::filesystem::path(root != nullptr ? root : ".") / "tests/fixtures";
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures / "ingest")) {
    paths.push_back(entry.path());
  }
  // Billing files stored as Parquet: a damaged one must give an error, never a crash, through
  // the whole of ingest (row groups read by shape included).
  for (const char* name : {"cur2.parquet", "focus12.parquet", "month-snappy.parquet",
                           "month-x16.parquet", "month-x8-invoices.parquet"}) {
    paths.push_back(fixtures / "parquet" / name);
  }
  std::mt19937 random(20261123);
  int files = 0;
  for (const std::filesystem::path& path : paths) {
    char mode = path.extension() == ".json" ? 1 : 0;
    std::ifstream in(path, std::ios::binary);
    std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    EXPECT_EQ(FuzzOne(mode, good), 0);
    for (size_t cut = 1; cut < good.size(); cut = cut * 3 + 1) {
      EXPECT_EQ(FuzzOne(mode, good.substr(0, cut)), 0);
    }
    for (int i = 0; i < 60; ++i) {
      std::string bad = good;
      for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
        bad[random() % bad.size()] = static_cast<char>(random());
      }
      EXPECT_EQ(FuzzOne(mode, bad), 0);
    }
  }
  EXPECT_GE(files, 9);
}

}  // namespace
