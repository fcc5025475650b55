#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rebill/ingest/csv_reader_internal.h"
#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

using Records = std::vector<std::vector<std::string>>;

std::string TempPath(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "rebill_csv_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string WritePlain(const std::string& name, const std::string& bytes) {
  std::string path = TempPath(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return path;
}

// Appends one gzip member holding `text` ("ab" mode starts a new member).
void AppendGzipMember(const std::string& path, const std::string& text, const char* mode) {
  gzFile gz = gzopen(path.c_str(), mode);
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Result<Records> ReadAll(const std::string& path) {
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  CsvReader reader(std::move(source), path);
  Records records;
  std::vector<std::string_view> fields;
  for (;;) {
    REBILL_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
    if (!more) break;
    EXPECT_EQ(reader.record_index(), records.size());
    records.emplace_back(fields.begin(), fields.end());
  }
  return records;
}

// The whole message, so that a change of wording or a lost file name shows.
void ExpectGzipError(const std::string& path, const std::string& why) {
  Status status = testing::StatusOf(ReadAll(path));
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput) << status.ToString();
  EXPECT_EQ(status.message(),
            path + ": the gzip stream is truncated or corrupt (" + why + "); re-download the file");
}

Result<Records> ParseText(const std::string& text) {
  return ReadAll(WritePlain("input.csv", text));
}

TEST(CsvReaderTest, QuotedFieldsWithDelimitersAndDoubledQuotes) {
  ASSERT_OK_AND_ASSIGN(Records r, ParseText("a,\"b,c\",\"d\"\"e\",\"\"\n"));
  EXPECT_EQ(r, (Records{{"a", "b,c", "d\"e", ""}}));
}

TEST(CsvReaderTest, EmbeddedNewlinesStayInTheField) {
  ASSERT_OK_AND_ASSIGN(Records r, ParseText("h1,h2\n\"line 1\nline 2\",x\n\"a\r\nb\",y\n"));
  EXPECT_EQ(r, (Records{{"h1", "h2"}, {"line 1\nline 2", "x"}, {"a\r\nb", "y"}}));
}

TEST(CsvReaderTest, CrlfLineEnds) {
  ASSERT_OK_AND_ASSIGN(Records r, ParseText("a,b\r\nc,\"d\"\r\ne,f"));
  EXPECT_EQ(r, (Records{{"a", "b"}, {"c", "d"}, {"e", "f"}}));
}

TEST(CsvReaderTest, EmptyFields) {
  ASSERT_OK_AND_ASSIGN(Records r, ParseText(",,\nx,\n,y\n\n"));
  EXPECT_EQ(r, (Records{{"", "", ""}, {"x", ""}, {"", "y"}, {""}}));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsText) {
  // Only a quote at the start of a field opens a quoted field; this one must not swallow the
  // line break.
  ASSERT_OK_AND_ASSIGN(Records r, ParseText("5\" disk,b\nc,d\n"));
  EXPECT_EQ(r, (Records{{"5\" disk", "b"}, {"c", "d"}}));
}

TEST(CsvReaderTest, EmptyFileHasNoRecords) {
  ASSERT_OK_AND_ASSIGN(Records r, ParseText(""));
  EXPECT_TRUE(r.empty());
}

TEST(CsvReaderTest, RecordsLargerThanTheBuffer) {
  // 3 MiB fields force refills in the middle of a quoted field and a buffer that grows.
  std::string big(3 << 20, 'x');
  big[100] = '\n';
  big[200] = ',';
  std::string text = "h\n\"" + big + "\"," + big.substr(300) + "\nlast\n";
  ASSERT_OK_AND_ASSIGN(Records r, ParseText(text));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].size(), 2u);
  EXPECT_EQ(r[1][0], big);
  EXPECT_EQ(r[2], (std::vector<std::string>{"last"}));
}

TEST(CsvReaderTest, FieldCountsAreReportedAsRead) {
  ASSERT_OK_AND_ASSIGN(Records r, ParseText("a,b,c\n1,2\n1,2,3,4\n"));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].size(), 2u);
  EXPECT_EQ(r[2].size(), 4u);
}

TEST(CsvReaderTest, FieldCountMismatchRejectNamesRowAndCounts) {
  Reject reject = FieldCountReject("cur.csv", 2, 3, 4);
  EXPECT_EQ(reject.file, "cur.csv");
  EXPECT_EQ(reject.row, 2u);
  RejectSink sink;
  Status status = sink.Add(reject);
  EXPECT_STATUS(status, StatusCode::kInvalidInput,
                "cur.csv: row 2: the row has 4 fields but the header has 3");
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheRow) {
  std::string path = WritePlain("open_quote.csv", "h1,h2\n1,2\n3,\"never closed\n4,5\n");
  Result<Records> r = ReadAll(path);
  EXPECT_STATUS(r, StatusCode::kInvalidInput, "open_quote.csv: row 2: a quoted field is never");
}

TEST(CsvReaderTest, MissingFileIsAnIoError) {
  EXPECT_STATUS(ReadAll(TempPath("no_such_file.csv")), StatusCode::kIo, "no_such_file.csv");
}

TEST(CsvReaderTest, HashesTheFileBytes) {
  std::string path = WritePlain("abc.csv", "abc");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  CsvReader reader(std::move(source), path);
  std::vector<std::string_view> fields;
  ASSERT_OK_AND_ASSIGN(bool more, reader.Next(fields));
  EXPECT_TRUE(more);
  ASSERT_OK_AND_ASSIGN(more, reader.Next(fields));
  EXPECT_FALSE(more);
  EXPECT_EQ(reader.compression(), "csv");
  // FIPS 180-2's example: SHA-256("abc").
  EXPECT_EQ(reader.Sha256Hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// A plain file is read where it is mapped; another program cutting it short meanwhile must end
// the ingest with the exit code of bad input and a message, not a crash.
TEST(CsvReaderDeathTest, AFileCutShortWhileItIsReadEndsWithAMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string path = WritePlain("cut_short.csv", std::string(size_t{1} << 20, 'x'));
  EXPECT_EXIT(
      {
        Result<std::unique_ptr<ByteSource>> source = ByteSource::Open(path);
        if (!source.ok()) std::_Exit(10);
        std::string_view bytes = (*source)->InPlace();
        if (bytes.size() != size_t{1} << 20) std::_Exit(11);
        std::filesystem::resize_file(path, 0);
        volatile char last = bytes.back();  // a page the file no longer has
        (void)last;
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(3),
      "cut_short.csv: the file became shorter while it was being read");
}

TEST(CsvReaderTest, GzipRoundTripIsDetectedByContentNotName) {
  std::string text = "a,b\n\"x,1\",2\r\n";
  std::string path = TempPath("looks_plain.csv");
  AppendGzipMember(path, text, "wb");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  EXPECT_EQ(source->compression(), "csv.gz");
  ASSERT_OK_AND_ASSIGN(Records r, ReadAll(path));
  EXPECT_EQ(r, (Records{{"a", "b"}, {"x,1", "2"}}));
}

TEST(CsvReaderTest, ConcatenatedGzipMembers) {
  std::string path = TempPath("members.csv.gz");
  AppendGzipMember(path, "a,b\n1,", "wb");
  AppendGzipMember(path, "2\n3,4\n", "ab");
  AppendGzipMember(path, "", "ab");
  AppendGzipMember(path, "5,6\n", "ab");
  ASSERT_OK_AND_ASSIGN(Records r, ReadAll(path));
  EXPECT_EQ(r, (Records{{"a", "b"}, {"1", "2"}, {"3", "4"}, {"5", "6"}}));
}

TEST(CsvReaderTest, LargeGzipSpansManyReads) {
  std::string text = "id,value\n";
  for (int i = 0; i < 200000; ++i) text += std::to_string(i) + ",\"v " + std::to_string(i) + "\"\n";
  std::string path = TempPath("large.csv.gz");
  AppendGzipMember(path, text, "wb");
  ASSERT_OK_AND_ASSIGN(Records r, ReadAll(path));
  ASSERT_EQ(r.size(), 200001u);
  EXPECT_EQ(r[200000], (std::vector<std::string>{"199999", "v 199999"}));
}

TEST(CsvReaderTest, TruncatedGzipNamesTheFile) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "row," + std::to_string(i * 7919) + "\n";
  std::string full = TempPath("full.csv.gz");
  AppendGzipMember(full, text, "wb");
  std::string bytes = ReadBytes(full);
  std::string path = WritePlain("cur.csv.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_STATUS(ReadAll(path), StatusCode::kInvalidInput,
                "cur.csv.gz: the gzip stream is truncated or corrupt (");
  EXPECT_STATUS(ReadAll(path), StatusCode::kInvalidInput, "re-download the file");

  // Only the 8-byte trailer (CRC and length) missing is truncation too.
  path = WritePlain("no_trailer.csv.gz", bytes.substr(0, bytes.size() - 8));
  EXPECT_STATUS(ReadAll(path), StatusCode::kInvalidInput, "no_trailer.csv.gz: the gzip stream");
}

TEST(CsvReaderTest, CorruptGzipNamesTheFile) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "row," + std::to_string(i * 7919) + "\n";
  std::string full = TempPath("to_corrupt.csv.gz");
  AppendGzipMember(full, text, "wb");
  std::string bytes = ReadBytes(full);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = '\x55';
  std::string path = WritePlain("corrupt.csv.gz", bytes);
  EXPECT_STATUS(ReadAll(path), StatusCode::kInvalidInput,
                "corrupt.csv.gz: the gzip stream is truncated or corrupt (");

  // Garbage after a complete member is not silently ignored.
  std::string good = ReadBytes(full);
  path = WritePlain("trailing.csv.gz", good + "not gzip");
  EXPECT_STATUS(ReadAll(path), StatusCode::kInvalidInput, "trailing.csv.gz: the gzip stream");
}

// `cat a.gz b.gz`: two files compressed on their own, concatenated; each member is larger than
// one read, so the boundary falls inside a buffer and neither member starts one.
TEST(CsvReaderTest, TwoConcatenatedGzipFiles) {
  std::string first = "id,value\n";
  std::string second;
  for (int i = 0; i < 60000; ++i) first += std::to_string(i) + ",first " + std::to_string(i) + "\n";
  for (int i = 0; i < 60000; ++i) second += std::to_string(i) + ",second\n";
  std::string a = TempPath("a.csv.gz");
  std::string b = TempPath("b.csv.gz");
  AppendGzipMember(a, first, "wb0");  // stored blocks: more than 1 MiB on disk
  AppendGzipMember(b, second, "wb");
  std::string path = WritePlain("a_and_b.csv.gz", ReadBytes(a) + ReadBytes(b));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  EXPECT_EQ(source->compression(), "csv.gz");
  ASSERT_OK_AND_ASSIGN(Records r, ReadAll(path));
  ASSERT_EQ(r.size(), 120001u);
  EXPECT_EQ(r[0], (std::vector<std::string>{"id", "value"}));
  EXPECT_EQ(r[60000], (std::vector<std::string>{"59999", "first 59999"}));
  EXPECT_EQ(r[60001], (std::vector<std::string>{"0", "second"}));
  EXPECT_EQ(r[120000], (std::vector<std::string>{"59999", "second"}));
}

TEST(CsvReaderTest, TruncatedGzipFileMessage) {
  std::string full = TempPath("whole.csv.gz");
  AppendGzipMember(full, "a,b\n1,2\n", "wb");
  AppendGzipMember(full, "3,4\n5,6\n", "ab");
  std::string bytes = ReadBytes(full);
  // The second member loses its last trailer byte (part of the length).
  std::string path = WritePlain("cut.csv.gz", bytes.substr(0, bytes.size() - 1));
  ExpectGzipError(path, "the data ends in the middle of a gzip member");
  // Only the first bytes of a second member's header.
  std::string first = TempPath("first.csv.gz");
  AppendGzipMember(first, "a,b\n1,2\n", "wb");
  path =
      WritePlain("cut_header.csv.gz", ReadBytes(first) + bytes.substr(ReadBytes(first).size(), 3));
  ExpectGzipError(path, "the data ends in the middle of a gzip member");
}

TEST(CsvReaderTest, FlippedGzipDataByteFailsTheCrc) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "row," + std::to_string(i) + "\n";
  std::string full = TempPath("stored.csv.gz");
  // Stored (uncompressed) deflate blocks: a flipped byte still decodes, so only the CRC-32 in
  // the trailer can catch it.
  AppendGzipMember(full, text, "wb0");
  std::string bytes = ReadBytes(full);
  bytes[bytes.size() / 2] ^= 0x01;
  std::string path = WritePlain("flipped.csv.gz", bytes);
  ExpectGzipError(path, "CRC-32 or length does not match the data");
}

TEST(CsvReaderTest, ShortGarbageAfterTheLastGzipMember) {
  std::string full = TempPath("one_member.csv.gz");
  AppendGzipMember(full, "a,b\n", "wb");
  std::string path = WritePlain("junk_tail.csv.gz", ReadBytes(full) + "\n");
  ExpectGzipError(path, "the bytes after a complete gzip member are not another member");
}

TEST(CsvReaderTest, HiveTextHasNoQuoting) {
  std::string path = WritePlain("hive.txt",
                                "a\x01\"b\x01"
                                "c\"\n\"\x01\\N\n");
  REBILL_TEST_ASSIGN_IMPL_(source_result, std::unique_ptr<ByteSource> source,
                           ByteSource::Open(path));
  CsvReader reader(std::move(source), path);
  ASSERT_OK_AND_ASSIGN(std::string_view first, reader.PeekFirstLine());
  EXPECT_EQ(first,
            "a\x01\"b\x01"
            "c\"");
  reader.SetDialect('\x01', /*quoting=*/false);
  std::vector<std::string_view> fields;
  ASSERT_OK_AND_ASSIGN(bool more, reader.Next(fields));
  ASSERT_TRUE(more);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"a", "\"b", "c\""}));
  ASSERT_OK_AND_ASSIGN(more, reader.Next(fields));
  ASSERT_TRUE(more);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"\"", "\\N"}));
  ASSERT_OK_AND_ASSIGN(more, reader.Next(fields));
  EXPECT_FALSE(more);
}

TEST(CsvReaderTest, PeekFirstLineOfEmptyAndSingleLineInputs) {
  for (const auto& [text, line] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"x,y", "x,y"}, {"x,y\r\nz\r\n", "x,y"}}) {
    std::string path = WritePlain("peek.csv", text);
    REBILL_TEST_ASSIGN_IMPL_(source_result, std::unique_ptr<ByteSource> source,
                             ByteSource::Open(path));
    CsvReader reader(std::move(source), path);
    ASSERT_OK_AND_ASSIGN(std::string_view first, reader.PeekFirstLine());
    EXPECT_EQ(first, line);
  }
}

// Every record of `text` in memory, split in one pass or by the general reader.
// With `wanted`, only those columns are kept (the others read as "-"), as WantOnly() promises.
// `baseline` keeps the one-pass split to SSE2 on a processor with AVX2.
Result<Records> SplitInMemory(const std::string& text, bool one_pass, bool quoting,
                              const std::vector<uint8_t>& wanted = {}, bool baseline = false) {
  CsvReader reader(std::string_view(text), "mem.csv");
  if (!quoting) reader.SetDialect('\x01', /*quoting=*/false);
  reader.SetOnePassSplit(one_pass);
  if (baseline) reader.UseBaselineVectors();
  reader.WantOnly(wanted);
  Records records;
  std::vector<std::string_view> fields;
  for (;;) {
    REBILL_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
    if (!more) break;
    if (reader.record_index() != records.size()) return Internal("record index out of step");
    std::vector<std::string>& record = records.emplace_back(fields.begin(), fields.end());
    for (size_t i = 0; i < record.size() && !wanted.empty(); ++i) {
      if (i >= wanted.size() || (wanted[i] == 0 && i != 0)) record[i] = "-";
    }
  }
  return records;
}

// The one-pass split and the general reader agree on every input, odd ones included: quotes
// inside fields, text after a closing quote, bare carriage returns, a quote left open.
TEST(CsvReaderTest, OnePassSplitAgreesWithTheGeneralReader) {
  const char kAlphabet[] = {'a', 'b', ',', '"', '\n', '\r', '\x01', ' '};
  uint64_t state = 7;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    // Every fourth input is long, with records of many short fields, as a CUR has.
    bool is_long = i % 4 == 0;
    size_t length = (state >> 33) % (is_long ? 400 : 40);
    for (size_t j = 0; j < length; ++j) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      size_t pick = (state >> 33) % (is_long ? 64 : sizeof kAlphabet);
      text += pick < sizeof kAlphabet ? kAlphabet[pick] : pick % 3 == 0 ? ',' : 'c';
    }
    // Every third column wanted, as a parser reads a few of a CUR's many; and a few columns
    // far apart, so that runs of unread fields cross 64-byte blocks, line breaks and quotes.
    std::vector<uint8_t> some(12);
    for (size_t c = 0; c < some.size(); ++c) some[c] = c % 3 == 1 ? 1 : 0;
    std::vector<uint8_t> few(60);
    for (size_t c : {5, 6, 17, 40, 59}) few[c] = 1;
    for (bool quoting : {true, false}) {
      for (const std::vector<uint8_t>& wanted : {std::vector<uint8_t>(), some, few}) {
        Result<Records> general = SplitInMemory(text, false, quoting, wanted);
        // The one-pass split finds separators with AVX2 where the processor has it: both
        // builds of it are checked.
        for (bool baseline : {false, true}) {
          Result<Records> fast = SplitInMemory(text, true, quoting, wanted, baseline);
          ASSERT_EQ(fast.ok(), general.ok()) << ::testing::PrintToString(text);
          if (fast.ok()) {
            ASSERT_EQ(*fast, *general) << ::testing::PrintToString(text) << baseline;
          } else {
            ASSERT_EQ(fast.status().message(), general.status().message());
          }
        }
      }
    }
  }
}

// Quote counting decides where pieces are cut; it must agree with a plain count at every length
// and alignment, including past the 4080 (SSE2) and 8160 (AVX2) bytes after which its byte
// counters are summed.
TEST(CsvReaderTest, CountQuotesAgreesWithAPlainCount) {
  uint64_t state = 11;
  std::string text(9000, 'x');
  for (char& c : text) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    if ((state >> 33) % 3 == 0) c = '"';
  }
  std::string all_quotes(9000, '"');
  for (const std::string* t : {&text, &all_quotes}) {
    for (size_t begin : {size_t{0}, size_t{1}, size_t{7}, size_t{15}}) {
      for (size_t length : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{255},
                            size_t{4079}, size_t{4080}, size_t{4081}, size_t{8159}, size_t{8160},
                            size_t{8161}, size_t{8191}, size_t{8900}}) {
        const char* b = t->data() + begin;
        EXPECT_EQ(CountQuotes(b, b + length), static_cast<size_t>(std::count(b, b + length, '"')))
            << begin << " " << length;
      }
    }
  }
}

}  // namespace
}  // namespace rebill::ingest
