// The Parquet reader against files written by DuckDB (tests/fixtures/parquet, made by
// make_fixtures.mjs), the real WorkshopCUR exports, hand-encoded pages and corrupt files.
#include <gtest/gtest.h>
#include <lz4.h>
#include <unistd.h>

#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rebill/ingest/parquet/encodings.h"
#include "rebill/ingest/parquet/metadata.h"
#include "rebill/ingest/parquet/reader.h"
#include "rebill/ingest/parquet/text.h"
#include "testing/random_doubles.h"
#include "testing/status_matchers.h"

namespace rebill::parquet {
namespace {

std::string SharedData(const std::string& relative) {
  const char* root = std::getenv("REBILL_SHARED_DATA");
  if (root == nullptr || *root == '\0') return "";
  std::filesystem::path path = std::filesystem::path(root) / relative;
  return std::filesystem::exists(path) ? path.string() : "";
}

std::string Fixture(const std::string& name) {
  const char* root = std::getenv("REBILL_SOURCE_DIR");
  std::string dir = root != nullptr ? root : ".";
  return dir + "/tests/fixtures/parquet/" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Expected texts, computed here without the reader's helpers.
std::string Fixed(Int128 unscaled, int scale) {
  bool negative = unscaled < 0;
  UInt128 m = negative ? -static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return (negative ? "-" : "") + digits;
}

std::string Two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string Day(int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return std::to_string(static_cast<int>(ymd.year())) + "-" +
         Two(static_cast<unsigned>(ymd.month())) + "-" + Two(static_cast<unsigned>(ymd.day()));
}

std::string Micros(int64_t micros) {
  using namespace std::chrono;
  sys_time<microseconds> t{microseconds{micros}};
  auto day = floor<days>(t);
  hh_mm_ss<microseconds> hms{t - day};
  std::string out = Day(day.time_since_epoch().count()) + "T" +
                    Two(static_cast<unsigned>(hms.hours().count())) + ":" +
                    Two(static_cast<unsigned>(hms.minutes().count())) + ":" +
                    Two(static_cast<unsigned>(hms.seconds().count()));
  auto frac = hms.subseconds().count();
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(f.begin(), 6 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + "Z";
}

// The value of column `name` in row `i` of types-*.parquet (make_fixtures.mjs), nullopt for null.
std::optional<std::string> TypesValue(const std::string& name, int64_t i) {
  if (name == "i") return std::to_string(i);
  if (name == "s") return i % 7 == 3 ? std::nullopt : std::optional("row-" + std::to_string(i));
  if (name == "cat") return std::string(i % 3 == 0 ? "Usage" : i % 3 == 1 ? "Tax" : "Credit");
  if (name == "big") return std::to_string(i * i * 1000003 - 5000000000);
  if (name == "d32") return Fixed((i - 100) * 125, 2);
  if (name == "d64") return Fixed(i * 1000001, 6);
  if (name == "d128") return Fixed(static_cast<Int128>(i - 150) * 12345678901234567, 10);
  int64_t micros = 1704067200000000 + i * 3661000123;
  if (name == "ts" || name == "ts_ns") return Micros(micros);
  if (name == "ts_ms") return Micros((micros + 500) / 1000 * 1000);  // DuckDB rounds
  if (name == "day") return Day(i - 7);
  if (name == "b") {
    if (i % 5 == 0) return std::nullopt;
    return std::string(i % 2 == 0 ? "true" : "false");
  }
  if (name == "m") {
    if (i % 4 == 0) return std::nullopt;
    if (i % 4 == 1) return std::string();
    return "{\"k" + std::to_string(i % 3) + "\":\"v" + std::to_string(i) +
           "\",\"z\\\"q\":" + (i % 6 == 2 ? "null" : "\"x\"") + "}";
  }
  return std::nullopt;
}

class TypesFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TypesFixtureTest, EveryCellMatchesItsFormula) {
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(Fixture(GetParam())));
  ASSERT_EQ(file.total_rows(), 300);
  std::vector<int> all;
  for (size_t c = 0; c < file.column_names().size(); ++c) all.push_back(static_cast<int>(c));
  int64_t base = 0;
  for (size_t g = 0; g < file.row_group_count(); ++g) {
    ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> columns, file.ReadRowGroup(g, all, 2));
    for (size_t c = 0; c < all.size(); ++c) {
      const std::string& name = file.column_names()[c];
      ASSERT_EQ(columns[c].size(), static_cast<size_t>(file.row_count(g))) << name;
      for (size_t r = 0; r < columns[c].size(); ++r) {
        int64_t i = base + static_cast<int64_t>(r);
        std::string_view cell = columns[c].cell(r);
        SCOPED_TRACE(name + " row " + std::to_string(i) + ": " + std::string(cell));
        if (name == "d" || name == "f" || name == "md") {
          // Shortest round-trip text: it reads back to the very same binary value.
          if (name == "d" && i % 11 == 5) {
            EXPECT_EQ(columns[c].is_null[r], 1);
            continue;
          }
          std::string text(cell);
          if (name == "md") {
            ASSERT_EQ(text.substr(0, 8), "{\"rate\":");
            text = text.substr(8, text.size() - 9);
          }
          double expected = name == "d"   ? static_cast<double>(i) / 7
                            : name == "f" ? static_cast<double>(static_cast<float>(i) / 4)
                                          : static_cast<double>(i) / 8;
          EXPECT_EQ(name == "f" ? static_cast<double>(std::strtof(text.c_str(), nullptr))
                                : std::strtod(text.c_str(), nullptr),
                    expected);
          continue;
        }
        std::optional<std::string> expected = TypesValue(name, i);
        EXPECT_EQ(columns[c].is_null[r], expected.has_value() ? 0 : 1);
        EXPECT_EQ(cell, expected.value_or(""));
      }
    }
    base += file.row_count(g);
  }
}

// A DOUBLE column asked for as binary gives the values its text stands for, in whatever
// encoding the file holds it; the other columns read as they do without asking.
TEST_P(TypesFixtureTest, DoublesReadAsBinaryAreTheValuesOfTheirText) {
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(Fixture(GetParam())));
  std::vector<int> all;
  for (size_t c = 0; c < file.column_names().size(); ++c) all.push_back(static_cast<int>(c));
  for (size_t g = 0; g < file.row_group_count(); ++g) {
    ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> text, file.ReadRowGroup(g, all, 1));
    ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> binary, file.ReadRowGroup(g, all, 2, all));
    for (size_t c = 0; c < all.size(); ++c) {
      const std::string& name = file.column_names()[c];
      SCOPED_TRACE(name);
      EXPECT_TRUE(text[c].doubles.empty());
      ASSERT_EQ(binary[c].is_null, text[c].is_null);
      if (name != "d") {  // the only DOUBLE column; "md" is a map of them
        EXPECT_TRUE(binary[c].doubles.empty());
        for (size_t r = 0; r < text[c].size(); ++r) EXPECT_EQ(binary[c].cell(r), text[c].cell(r));
        continue;
      }
      ASSERT_EQ(binary[c].doubles.size(), text[c].size());
      for (size_t r = 0; r < text[c].size(); ++r) {
        EXPECT_EQ(binary[c].cell(r), "");
        if (text[c].is_null[r]) {
          EXPECT_EQ(binary[c].doubles[r], 0.0);
          continue;
        }
        char buf[32];
        std::string_view written(buf,
                                 std::to_chars(buf, buf + sizeof buf, binary[c].doubles[r]).ptr);
        EXPECT_EQ(written, text[c].cell(r)) << "row " << r;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DuckDbFiles, TypesFixtureTest,
                         ::testing::Values("types-v1-uncompressed.parquet",
                                           "types-v1-snappy.parquet", "types-v1-gzip.parquet",
                                           "types-v1-zstd.parquet", "types-v1-lz4.parquet",
                                           "types-v1-plain.parquet", "types-v2-dictionary.parquet",
                                           "types-v2-plain.parquet"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param.substr(6, param.param.size() - 14);
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

TEST(ParquetReaderTest, ShortestRoundTripDoubles) {
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(Fixture("types-v1-snappy.parquet")));
  ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> c,
                       file.ReadRowGroup(0, {file.FindColumn("d"), file.FindColumn("md")}));
  EXPECT_EQ(c[0].cell(1), "0.14285714285714285");
  EXPECT_EQ(c[0].cell(7), "1");
  EXPECT_EQ(c[0].cell(0), "0");
  EXPECT_EQ(c[1].cell(1), "{\"rate\":0.125}");
}

// AppendDouble writes most values from ShortestDecimalDigits; whatever path a value takes, its
// text must be byte for byte what std::to_chars writes.
TEST(ParquetTextTest, DoublesAreWrittenAsToCharsWritesThem) {
  auto expect_same = [](double v) {
    char buf[32];
    std::string want(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    std::string got;
    AppendDouble(v, &got);
    ASSERT_EQ(got, want) << "bits " << std::hex << std::bit_cast<uint64_t>(v);
  };
  for (double v : {0.0, -0.0, 1.0, -1.0, 0.1, 1e-8, 9.999999999999999e-9, 1e15, 999999999999999.0,
                   999999999999999.9, 1e14, 100000.0, 10000.0, 1e-5, 0.0001, 123456789012345.0,
                   0.30000000000000004, 5e-324, 1.7976931348623157e308}) {
    expect_same(v);
    expect_same(std::nextafter(v, 0.0));
    expect_same(std::nextafter(v, 1e300));
  }
  std::mt19937_64 random(20261124);
  for (int i = 0; i < 300000; ++i) {
    int significant = 0;
    double v = testing::RandomBillingDouble(random, &significant);
    expect_same(v);
    expect_same(std::nextafter(v, 0.0));
  }
}

TEST(ParquetReaderTest, SeveralRowGroups) {
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(Fixture("row-groups.parquet")));
  ASSERT_GT(file.row_group_count(), 1u);
  int64_t i = 0;
  for (size_t g = 0; g < file.row_group_count(); ++g) {
    ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> c, file.ReadRowGroup(g, {0, 1}, 2));
    for (size_t r = 0; r < c[0].size(); ++r, ++i) {
      ASSERT_EQ(c[0].cell(r), std::to_string(i));
      ASSERT_EQ(c[1].cell(r), i % 7 == 3 ? "" : "row-" + std::to_string(i));
    }
  }
  EXPECT_EQ(i, 5000);
}

TEST(ParquetReaderTest, ProjectionDecodesOnlyTheColumnsAskedFor) {
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(Fixture("types-v1-zstd.parquet")));
  ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> c,
                       file.ReadRowGroup(0, {file.FindColumn("d128"), file.FindColumn("i")}));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].cell(0), "-185185183.5185185050");
  EXPECT_EQ(c[1].cell(299), "299");
  EXPECT_EQ(file.FindColumn("no_such_column"), -1);
}

TEST(ParquetTextTest, Int96Timestamps) {
  // 2018-10-01T00:00:01.5Z: Julian day 2458393, 1.5 s into the day.
  uint8_t bytes[12];
  int64_t nanos = 1500000000;
  int32_t julian = 2458393;
  std::memcpy(bytes, &nanos, 8);
  std::memcpy(bytes + 8, &julian, 4);
  std::string out;
  AppendInt96Timestamp(bytes, &out);
  EXPECT_EQ(out, "2018-10-01T00:00:01.5Z");
}

TEST(ParquetTextTest, TimestampsOutsideYearsZeroTo9999) {
  std::string out;
  AppendTimestamp(INT64_MIN, TimeUnit::kMillis, &out);
  EXPECT_EQ(out, "out-of-range:-9223372036854775808");
  out.clear();
  AppendTimestamp(-1, TimeUnit::kMicros, &out);
  EXPECT_EQ(out, "1969-12-31T23:59:59.999999Z");
  uint8_t bytes[12];
  int64_t nanos = INT64_MIN;
  int32_t julian = INT32_MAX;
  std::memcpy(bytes, &nanos, 8);
  std::memcpy(bytes + 8, &julian, 4);
  out.clear();
  AppendInt96Timestamp(bytes, &out);
  EXPECT_EQ(out, "out-of-range:-9223372036854775808");
}

TEST(ParquetTextTest, DecimalsFromBigEndianBytes) {
  Int128 v = 0;
  ASSERT_TRUE(BigEndianToInt128(std::string("\xff\xfe", 2), &v));  // -2
  std::string out;
  AppendDecimal(v, 3, &out);
  EXPECT_EQ(out, "-0.002");
  ASSERT_TRUE(BigEndianToInt128(std::string("\x01\x00", 2), &v));  // 256
  out.clear();
  AppendDecimal(v, 1, &out);
  EXPECT_EQ(out, "25.6");
  EXPECT_FALSE(BigEndianToInt128(std::string(17, '\x01'), &v));
}

TEST(ParquetEncodingTest, DeltaBinaryPackedByHand) {
  // Block 128, 4 miniblocks, 5 values, first 7; deltas 1, -2, 3, 0 -> min -2, widths 3.
  // Values: 7, 8, 6, 9, 9. Deltas minus min: 3, 0, 5, 2 packed in 3 bits, LSB first.
  std::vector<uint8_t> data = {0x80, 0x01, 0x04, 0x05, 0x0e, 0x03, 3, 0, 0, 0};
  uint32_t bits = 3 | (0 << 3) | (5 << 6) | (2 << 9);
  for (int b = 0; b < 12; ++b)
    data.push_back(b < 2 ? static_cast<uint8_t>(bits >> (8 * b)) : uint8_t{0});
  ByteRange in{data.data(), data.size()};
  std::vector<int64_t> out;
  std::string error;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(&in, 5, false, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int64_t>{7, 8, 6, 9, 9}));
  out.clear();
  ByteRange again{data.data(), data.size()};
  EXPECT_FALSE(DecodeDeltaBinaryPacked(&again, 6, false, &out, &error));
}

// DELTA_BINARY_PACKED of constant deltas: block 128 with 4 miniblocks, every width 0.
std::vector<uint8_t> ConstantDeltas(uint8_t count, uint8_t first_zigzag, uint8_t delta_zigzag) {
  return {0x80, 0x01, 0x04, count, first_zigzag, delta_zigzag, 0, 0, 0, 0};
}

TEST(ParquetEncodingTest, DeltaByteArrayByHand) {
  // "apple", "apply", "apricot": prefixes 0, 4, 2; suffixes "apple", "y", "ricot".
  // Prefix lengths: first 0, deltas 4, -2: min -2 (zigzag 3), adjusted 6 and 0 in 3 bits, in
  // a 12-byte miniblock.
  std::vector<uint8_t> data = {0x80, 0x01, 0x04, 0x03, 0x00, 0x03, 3, 0, 0, 0, 0x06};
  data.resize(data.size() + 11, 0);
  // Suffix lengths 5, 1, 5: first 5 (zigzag 10), deltas -4, 4: min -4 (zigzag 7), adjusted 0
  // and 8 in 4 bits, in a 16-byte miniblock.
  std::vector<uint8_t> lengths = {0x80, 0x01, 0x04, 0x03, 0x0a, 0x07, 4, 0, 0, 0, 0x80, 0x00};
  lengths.resize(lengths.size() + 14, 0);
  data.insert(data.end(), lengths.begin(), lengths.end());
  for (char c : std::string("appleyricot")) data.push_back(static_cast<uint8_t>(c));
  std::vector<std::string> values;
  std::string error;
  auto collect = [&](std::string_view v) {
    values.emplace_back(v);
    return true;
  };
  ASSERT_TRUE(DecodeDeltaByteArrays({data.data(), data.size()}, 3, true, 1000, &error, collect))
      << error;
  EXPECT_EQ(values, (std::vector<std::string>{"apple", "apply", "apricot"}));
  // The same values may not expand past the limit.
  values.clear();
  EXPECT_FALSE(DecodeDeltaByteArrays({data.data(), data.size()}, 3, true, 10, &error, collect));
  EXPECT_EQ(error, "the values would exceed 10 bytes");
  // DELTA_LENGTH_BYTE_ARRAY: lengths 2, 2 then "abcd".
  std::vector<uint8_t> plain = ConstantDeltas(2, 4, 0);
  for (char c : std::string("abcd")) plain.push_back(static_cast<uint8_t>(c));
  values.clear();
  ASSERT_TRUE(DecodeDeltaByteArrays({plain.data(), plain.size()}, 2, false, 1000, &error, collect))
      << error;
  EXPECT_EQ(values, (std::vector<std::string>{"ab", "cd"}));
  // A length past the end of the page.
  plain.pop_back();
  EXPECT_FALSE(
      DecodeDeltaByteArrays({plain.data(), plain.size()}, 2, false, 1000, &error, collect));
}

TEST(ParquetMetadataTest, HostileThriftSizesFailWithoutAllocating) {
  FileMetaData meta;
  std::string error;
  // Field 2 (schema), a list of structs claiming 2^21 elements in a 7-byte footer.
  std::vector<uint8_t> huge_list = {0x29, 0xfc, 0x80, 0x80, 0x80, 0x01, 0x00};
  EXPECT_FALSE(ParseFileMetaData(huge_list.data(), huge_list.size(), &meta, &error));
  EXPECT_EQ(error, "a list in the metadata claims 2097152 elements in 1 bytes");
  // Field 6 (created_by), a string claiming 1 GB.
  std::vector<uint8_t> huge_string = {0x68, 0x80, 0x80, 0x80, 0x80, 0x04, 'x'};
  meta = FileMetaData();
  EXPECT_FALSE(ParseFileMetaData(huge_string.data(), huge_string.size(), &meta, &error));
  EXPECT_EQ(error, "a string in the metadata runs past its end");
  // Structs nested deeper than any real footer (an unknown field 1 of struct type, 100 deep).
  std::vector<uint8_t> deep(100, 0x1c);
  meta = FileMetaData();
  EXPECT_FALSE(ParseFileMetaData(deep.data(), deep.size(), &meta, &error));
  EXPECT_NE(error.find("deeper than"), std::string::npos) << error;
}

TEST(ParquetEncodingTest, RleAndBitPackedRuns) {
  // An RLE run of 3 x value 5 (width 3), then one bit-packed group of 8 values 0..7.
  std::vector<uint8_t> data = {0x06, 0x05, 0x03, 0x88, 0xc6, 0xfa};
  std::vector<uint32_t> out;
  std::string error;
  RleDecoder decoder(data.data(), data.size(), 3);
  ASSERT_TRUE(decoder.Get(11, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<uint32_t>{5, 5, 5, 0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_FALSE(decoder.Get(1, &out, &error));
}

// LZ4_RAW pages: a block as LZ4 writes it reads back; a cut block, or one whose size is not the
// page header's, is refused.
TEST(ParquetEncodingTest, Lz4RawPages) {
  std::string page;
  for (int i = 0; i < 2000; ++i) page += "line item " + std::to_string(i % 37) + ",";
  std::string block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(page.size()))), '\0');
  int size = LZ4_compress_default(page.data(), block.data(), static_cast<int>(page.size()),
                                  static_cast<int>(block.size()));
  ASSERT_GT(size, 0);
  ASSERT_LT(static_cast<size_t>(size), page.size() / 4);
  const auto* data = reinterpret_cast<const uint8_t*>(block.data());
  std::string out, error;
  ASSERT_TRUE(
      Decompress(Codec::kLz4Raw, data, static_cast<size_t>(size), page.size(), &out, &error))
      << error;
  EXPECT_EQ(out, page);
  EXPECT_FALSE(
      Decompress(Codec::kLz4Raw, data, static_cast<size_t>(size) - 7, page.size(), &out, &error));
  EXPECT_EQ(error, "the LZ4_RAW data is corrupt or its size differs from the page header");
  error.clear();
  EXPECT_FALSE(
      Decompress(Codec::kLz4Raw, data, static_cast<size_t>(size), page.size() + 1, &out, &error));
  EXPECT_FALSE(error.empty());
}

TEST(ParquetEncodingTest, GatherLooksUpEachIndexAndChecksItAgainstTheTable) {
  // The same runs as above, as indexes into a table of letters.
  std::vector<uint8_t> data = {0x06, 0x05, 0x03, 0x88, 0xc6, 0xfa};
  const std::string table = "abcdefgh";
  std::string out(11, '?');
  std::string error;
  RleDecoder decoder(data.data(), data.size(), 3);
  ASSERT_TRUE(decoder.Gather(11, table.data(), table.size(), out.data(), &error)) << error;
  EXPECT_EQ(out, "fffabcdefgh");

  // Index 7 (and 6) past a table of six: the largest is named.
  RleDecoder short_table(data.data(), data.size(), 3);
  EXPECT_FALSE(short_table.Gather(11, table.data(), 6, out.data(), &error));
  EXPECT_NE(error.find("(7) is past the dictionary's 6 entries"), std::string::npos) << error;
  // The RLE run's value 5 past a table of five.
  RleDecoder run(data.data(), data.size(), 3);
  EXPECT_FALSE(run.Gather(3, table.data(), 5, out.data(), &error));
  EXPECT_NE(error.find("(5) is past the dictionary's 5 entries"), std::string::npos) << error;
  RleDecoder empty_table(data.data(), data.size(), 3);
  EXPECT_FALSE(empty_table.Gather(1, table.data(), 0, out.data(), &error));
}

TEST(ParquetEncodingTest, RepeatsForTellsARepeatedRunWithoutConsumingIt) {
  std::vector<uint8_t> data = {0x06, 0x05, 0x03, 0x88, 0xc6, 0xfa};
  std::string error;
  bool repeats = false;
  uint32_t value = 0;
  RleDecoder decoder(data.data(), data.size(), 3);
  ASSERT_TRUE(decoder.RepeatsFor(3, &repeats, &value, &error)) << error;
  EXPECT_TRUE(repeats);
  EXPECT_EQ(value, 5u);
  ASSERT_TRUE(decoder.RepeatsFor(4, &repeats, &value, &error)) << error;
  EXPECT_FALSE(repeats);  // the run holds three values only
  std::vector<uint32_t> out;
  ASSERT_TRUE(decoder.Get(11, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<uint32_t>{5, 5, 5, 0, 1, 2, 3, 4, 5, 6, 7}));

  // A bit-packed run never counts as repeated, whatever its values.
  RleDecoder packed(data.data() + 2, data.size() - 2, 3);
  ASSERT_TRUE(packed.RepeatsFor(1, &repeats, &value, &error)) << error;
  EXPECT_FALSE(repeats);
  // No data at all is an error, not a repeat.
  RleDecoder nothing(data.data(), 0, 3);
  EXPECT_FALSE(nothing.RepeatsFor(1, &repeats, &value, &error));
}

TEST(ParquetReaderTest, CorruptFilesFailWithTheFileName) {
  std::string good = ReadAll(Fixture("types-v1-snappy.parquet"));
  ASSERT_GT(good.size(), 100u);
  auto open = [](const std::string& bytes) { return ParquetFile::FromBuffer(bytes, "x.parquet"); };
  EXPECT_STATUS(open("PAR1"), StatusCode::kInvalidInput,
                "x.parquet: not a Parquet file (it does not start with PAR1)");
  EXPECT_STATUS(open(good.substr(0, good.size() - 1)), StatusCode::kInvalidInput,
                "x.parquet: the Parquet file is truncated (it does not end with PAR1)");
  std::string footer_too_long = good;
  footer_too_long[good.size() - 5] = '\x7f';
  EXPECT_STATUS(open(footer_too_long), StatusCode::kInvalidInput,
                "x.parquet: the Parquet footer length");
  // Damage every byte of the data pages in turn: each read either succeeds or fails with a
  // message naming the file, the row group and the column.
  ASSERT_OK_AND_ASSIGN(ParquetFile file, open(good));
  std::vector<int> all;
  for (size_t c = 0; c < file.column_names().size(); ++c) all.push_back(static_cast<int>(c));
  for (size_t at = 4; at < good.size() - 8; at += 61) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    Result<ParquetFile> damaged = open(bad);
    if (!damaged.ok()) {
      EXPECT_EQ(damaged.status().message().substr(0, 11), "x.parquet: ");
      continue;
    }
    if (damaged->row_group_count() == 0) continue;
    Result<std::vector<TextColumn>> read = damaged->ReadRowGroup(0, all);
    if (!read.ok()) {
      EXPECT_EQ(read.status().message().substr(0, 24), "x.parquet: row group 0, ")
          << read.status().message();
      EXPECT_NE(read.status().message().find("column "), std::string::npos);
    }
  }
}

// A copy of `bytes` on disk, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& bytes) {
    path_ =
        (std::filesystem::temp_directory_path() / ("rebill-parquet-" + std::to_string(::getpid()) +
                                                   "-" + std::to_string(counter_++) + ".parquet"))
            .string();
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

std::vector<int> AllColumns(const ParquetFile& file) {
  std::vector<int> all;
  for (size_t c = 0; c < file.column_names().size(); ++c) all.push_back(static_cast<int>(c));
  return all;
}

TEST(ParquetReaderTest, FileAndBufferReadTheSameCells) {
  for (const char* name : {"types-v1-snappy.parquet", "types-v2-dictionary.parquet",
                           "row-groups.parquet", "month-zstd.parquet"}) {
    SCOPED_TRACE(name);
    std::string bytes = ReadAll(Fixture(name));
    ASSERT_OK_AND_ASSIGN(ParquetFile from_file, ParquetFile::Open(Fixture(name)));
    ASSERT_OK_AND_ASSIGN(ParquetFile from_buffer, ParquetFile::FromBuffer(bytes, name));
    EXPECT_EQ(from_file.file_size(), bytes.size());
    std::vector<int> all = AllColumns(from_file);
    ASSERT_EQ(from_file.row_group_count(), from_buffer.row_group_count());
    for (size_t g = 0; g < from_file.row_group_count(); ++g) {
      ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> a, from_file.ReadRowGroup(g, all, 2));
      ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> b, from_buffer.ReadRowGroup(g, all, 1));
      for (size_t c = 0; c < all.size(); ++c) {
        ASSERT_EQ(a[c].size(), b[c].size());
        EXPECT_EQ(a[c].is_null, b[c].is_null);
        for (size_t r = 0; r < a[c].size(); ++r) ASSERT_EQ(a[c].cell(r), b[c].cell(r));
      }
    }
  }
}

TEST(ParquetReaderTest, DictionaryEntriesAreStoredOncePerColumnChunk) {
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(Fixture("month-snappy.parquet")));
  int column = file.FindColumn("line_item_usage_account_id");
  ASSERT_GE(column, 0);
  ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> c, file.ReadRowGroup(0, {column}));
  size_t cell_bytes = 0;
  for (size_t r = 0; r < c[0].size(); ++r) cell_bytes += c[0].cell(r).size();
  EXPECT_GT(cell_bytes, 0u);
  EXPECT_LT(c[0].text.size(), cell_bytes);
}

TEST(ParquetReaderTest, TruncatedFilesOnDiskFailWithTheFileName) {
  std::string good = ReadAll(Fixture("types-v1-snappy.parquet"));
  TempFile truncated(good.substr(0, good.size() / 2));
  Result<ParquetFile> file = ParquetFile::Open(truncated.path());
  EXPECT_STATUS(file, StatusCode::kInvalidInput,
                truncated.path() + ": the Parquet file is truncated (it does not end with PAR1)");
  TempFile tiny("PAR1");
  EXPECT_STATUS(ParquetFile::Open(tiny.path()), StatusCode::kInvalidInput,
                tiny.path() + ": not a Parquet file (it does not start with PAR1)");
  EXPECT_STATUS(ParquetFile::Open(truncated.path() + ".missing"), StatusCode::kIo, "cannot open");
}

TEST(ParquetReaderTest, ColumnChunksOutsideTheFileAreRejectedBeforeReading) {
  // The magic and the footer with all the data pages cut out: every column chunk's offsets
  // now point past the end of the file's data.
  std::string good = ReadAll(Fixture("types-v1-snappy.parquet"));
  uint32_t footer = 0;
  std::memcpy(&footer, good.data() + good.size() - 8, 4);
  std::string cut = good.substr(0, 4) + good.substr(good.size() - 8 - footer);
  TempFile file_on_disk(cut);
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(file_on_disk.path()));
  ASSERT_GT(file.row_group_count(), 0u);
  Result<std::vector<TextColumn>> read = file.ReadRowGroup(0, {0});
  EXPECT_STATUS(read, StatusCode::kInvalidInput,
                file_on_disk.path() + ": row group 0, column " + file.column_names()[0] +
                    ": the column chunk's offsets lie outside the file's data");
}

TEST(ParquetReaderTest, AFileThatShrinksAfterOpeningFailsCleanly) {
  std::string good = ReadAll(Fixture("types-v1-snappy.parquet"));
  TempFile on_disk(good);
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(on_disk.path()));
  std::filesystem::resize_file(on_disk.path(), 64);
  Result<std::vector<TextColumn>> read = file.ReadRowGroup(0, AllColumns(file), 2);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message().substr(0, on_disk.path().size() + 15),
            on_disk.path() + ": row group 0, ")
      << read.status().message();
  EXPECT_NE(read.status().message().find("ended early"), std::string::npos)
      << read.status().message();
}

TEST(ParquetRealFileTest, WorkshopCurSchema) {
  std::string path = SharedData(
      "aws-well-architected-labs/static/Cost/200_4_Cost_and_Usage_Analysis/Code/"
      "Oct2018-WorkshopCUR-00001.snappy.parquet");
  if (path.empty()) GTEST_SKIP() << "shared data missing";
  ASSERT_OK_AND_ASSIGN(ParquetFile file, ParquetFile::Open(path));
  EXPECT_EQ(file.column_names().size(), 124u);
  EXPECT_EQ(file.total_rows(), 119307);
  EXPECT_EQ(file.row_group_count(), 1u);
  EXPECT_EQ(file.created_by().substr(0, 24), "parquet-mr version 1.8.2");
  // Only the columns asked for are decoded: a DOUBLE, an INT64 TIMESTAMP_MILLIS and strings.
  std::vector<int> wanted = {file.FindColumn("line_item_unblended_cost"),
                             file.FindColumn("bill_billing_period_start_date"),
                             file.FindColumn("line_item_line_item_type"),
                             file.FindColumn("line_item_resource_id")};
  for (int c : wanted) ASSERT_GE(c, 0);
  ASSERT_OK_AND_ASSIGN(std::vector<TextColumn> columns, file.ReadRowGroup(0, wanted, 2));
  ASSERT_EQ(columns.size(), 4u);
  for (const TextColumn& column : columns) EXPECT_EQ(column.size(), 119307u);
  EXPECT_EQ(columns[0].cell(0), "22.32");
  EXPECT_EQ(columns[1].cell(0), "2018-10-01T00:00:00Z");
  EXPECT_EQ(columns[2].cell(0), "RIFee");
  EXPECT_EQ(columns[3].cell(0), "");
}

}  // namespace
}  // namespace rebill::parquet
