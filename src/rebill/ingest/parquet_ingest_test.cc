// Billing files as Parquet read into the same canonical lines as the same data as CSV. The
// fixtures are written by DuckDB (tests/fixtures/parquet/make_fixtures.mjs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/ingest.h"
#include "rebill/ingest/parquet_ingest_internal.h"
#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

std::string Fixture(const std::string& name) {
  const char* root = std::getenv("REBILL_SOURCE_DIR");
  return std::string(root != nullptr ? root : ".") + "/tests/fixtures/parquet/" + name;
}

IngestedFile Read(const std::string& name, const IngestOptions& options) {
  RejectSink rejects;
  Result<IngestedFile> file = ReadBillingFile(Fixture(name), options, rejects);
  EXPECT_TRUE(file.ok()) << file.status().message();
  EXPECT_TRUE(rejects.rejects().empty()) << name;
  return file.ok() ? *std::move(file) : IngestedFile{};
}

// Everything but where the lines came from must be the same.
void ExpectSameLines(const IngestedFile& csv, const IngestedFile& parquet) {
  ASSERT_EQ(csv.lines.size(), parquet.lines.size());
  for (size_t i = 0; i < csv.lines.size(); ++i) {
    ASSERT_EQ(csv.lines[i], parquet.lines[i]) << "line " << i;
  }
  EXPECT_EQ(csv.display_scale, parquet.display_scale);
  EXPECT_EQ(csv.source.rows, parquet.source.rows);
}

// A terminal's progress bar moves as row groups are read, up to the whole file.
TEST(ParquetIngestTest, ReportsProgressByRowGroup) {
  IngestOptions options;
  std::vector<uint64_t> reported;
  options.progress = [&](uint64_t bytes) { reported.push_back(bytes); };
  Read("month-x16.parquet", options);
  ASSERT_EQ(reported.size(), 3u);  // three row groups
  EXPECT_LT(reported.front(), reported.back());
  EXPECT_EQ(reported.back(), std::filesystem::file_size(Fixture("month-x16.parquet")));
}

// The month sixteen times over, in three row groups that the two workers read by shape (one of
// them two groups): each line of the CSV comes out once, with sixteen times its amounts and rows
// and the same first row.
TEST(ParquetIngestTest, RowGroupsReadByShapeAddUpAcrossGroupsAndWorkers) {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter"};
  IngestedFile csv = Read("month.csv", options);
  IngestedFile parquet = Read("month-x16.parquet", options);
  EXPECT_EQ(parquet.source.rows, 16 * csv.source.rows);
  EXPECT_EQ(parquet.display_scale, csv.display_scale);
  ASSERT_EQ(parquet.lines.size(), csv.lines.size());
  auto sixteen_times = [](Decimal d) { return Decimal::FromRaw(d.raw() * 16); };  // exact
  for (size_t i = 0; i < csv.lines.size(); ++i) {
    CurLine expected = csv.lines[i];
    expected.rows *= 16;
    expected.usage_amount = sixteen_times(expected.usage_amount);
    for (Decimal* d : {&expected.cost.unblended, &expected.cost.net_unblended,
                       &expected.cost.amortized, &expected.cost.public_on_demand}) {
      *d = sixteen_times(*d);
    }
    ASSERT_EQ(parquet.lines[i], expected) << "line " << i;
  }
}

// Two row groups whose invoice id is the same on every row of a group and differs between
// them. Read by one worker, the second group's shapes are those of the first in all but that
// column: known again across groups, they must still make lines of their own. The CSV of the
// same rows is the reference, read by one worker and by two.
TEST(ParquetIngestTest, ShapesKnownAcrossRowGroupsKeepAColumnConstantInEachApart) {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter"};
  IngestedFile csv = Read("month-x8-invoices.csv.gz", options);
  std::set<std::string> invoices;
  for (const CurLine& line : csv.lines) invoices.insert(line.invoice_id);
  EXPECT_EQ(invoices, (std::set<std::string>{"EUINV-0", "EUINV-1"}));
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    options.max_threads = threads;
    IngestedFile parquet = Read("month-x8-invoices.parquet", options);
    EXPECT_EQ(parquet.source.rows, csv.source.rows);
    ExpectSameLines(csv, parquet);
  }
}

TEST(ParquetIngestTest, LegacyCurMonthAsCsvAndAsParquet) {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter"};
  IngestedFile csv = Read("month.csv", options);
  ASSERT_EQ(csv.lines.size(), 319u);
  for (const char* name : {"month-snappy.parquet", "month-zstd.parquet"}) {
    SCOPED_TRACE(name);
    IngestedFile parquet = Read(name, options);
    EXPECT_EQ(parquet.source.format, "legacy-cur-parquet");
    EXPECT_EQ(parquet.source.sha256.size(), 64u);
    ExpectSameLines(csv, parquet);
    ASSERT_OK_AND_ASSIGN(BillingPeriod period, BillingPeriod::Parse("2026-10"));
    NormalizedMonth from_csv = BuildMonth(period, {csv});
    NormalizedMonth from_parquet = BuildMonth(period, {parquet});
    EXPECT_EQ(from_csv.lines, from_parquet.lines);
    EXPECT_EQ(from_csv.display_scale, from_parquet.display_scale);
    for (CostView view : {CostView::kUnblended, CostView::kAmortized, CostView::kNetUnblended}) {
      EXPECT_EQ(from_csv.Total(view), from_parquet.Total(view));
    }
  }
  // The tag came through the Athena column name resource_tags_user_cost_center.
  size_t tagged = 0;
  for (const CurLine& line : csv.lines) tagged += line.tags.empty() ? 0 : 1;
  EXPECT_GT(tagged, 0u);
}

TEST(ParquetIngestTest, Cur2MapColumnsAsJsonCsvAndAsParquetMaps) {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter", "user_team", "costCategory/business_unit"};
  IngestedFile csv = Read("cur2.csv", options);
  IngestedFile parquet = Read("cur2.parquet", options);
  EXPECT_EQ(csv.source.format, "cur2-csv");
  EXPECT_EQ(parquet.source.format, "cur2-parquet");
  ASSERT_EQ(parquet.lines.size(), 40u);
  ExpectSameLines(csv, parquet);
  // Row 3 (i = 2): tags from resource_tags and cost_category, product name from `product`.
  const CurLine& line = parquet.lines[2];
  EXPECT_EQ(line.product_name, "Amazon Relational Database Service");
  EXPECT_EQ(line.region, "us-east-1");
  Tags tags = {{"user:CostCenter", "cc-2"},
               {"user_team", "team \"2\""},
               {"costCategory/business_unit", "Retail"}};
  EXPECT_EQ(line.tags, tags);
  // i = 0: a null resource_tags map; i = 1: an empty one. Only the cost category remains.
  EXPECT_EQ(parquet.lines[0].tags.size(), 1u);
  EXPECT_EQ(parquet.lines[1].tags.size(), 1u);
}

TEST(ParquetIngestTest, Focus12AsCsvAndAsParquet) {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter"};
  IngestedFile csv = Read("focus12.csv", options);
  IngestedFile parquet = Read("focus12.parquet", options);
  EXPECT_EQ(csv.source.format, "focus-1.2");
  EXPECT_EQ(parquet.source.format, "focus-1.2-parquet");
  ASSERT_EQ(parquet.lines.size(), 24u);
  ExpectSameLines(csv, parquet);
  EXPECT_EQ(parquet.lines[1].cost.unblended, D("0.1234567"));
  EXPECT_EQ(parquet.lines[1].usage_start, parquet.lines[0].usage_start + 3600);
  Tags tags = {{"user:CostCenter", "cc-1"}};
  EXPECT_EQ(parquet.lines[1].tags, tags);
  EXPECT_TRUE(parquet.lines[0].tags.empty());
}

TEST(ParquetIngestTest, TheFileHashIsTheSha256OfItsBytes) {
  // Expected values from sha256sum. The generated file spans several 1 MiB pieces and ends
  // part way through one.
  std::string path = (std::filesystem::temp_directory_path() / "rebill-sha256-pieces.bin").string();
  {
    std::ofstream out(path, std::ios::binary);
    for (uint64_t i = 0; i < 3 * (uint64_t{1} << 20) + 12345; ++i) {
      out.put(static_cast<char>((i * i + 7 * i) % 251));
    }
  }
  ASSERT_OK_AND_ASSIGN(std::string pieces, FileSha256Hex(path));
  EXPECT_EQ(pieces, "2e2b8320b79b52d31ffdf95cbad6ba00644bac3cf61a5d077fe2aa8918dd8bcc");
  std::ofstream(path, std::ios::binary | std::ios::trunc).flush();
  ASSERT_OK_AND_ASSIGN(std::string empty, FileSha256Hex(path));
  EXPECT_EQ(empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::filesystem::remove(path);
  EXPECT_STATUS(FileSha256Hex(path), StatusCode::kIo, "cannot open");

  IngestedFile file = Read("month-snappy.parquet", IngestOptions{});
  EXPECT_EQ(file.source.sha256, "c0799cc12502b6ea9527ac49f6af34c586368d7a5ea245051586db7c4da11127");
}

TEST(ParquetIngestTest, AParquetFileThatIsNoBillingFileIsRefused) {
  RejectSink rejects;
  std::string path = Fixture("row-groups.parquet");
  EXPECT_STATUS(ReadBillingFile(path, {}, rejects), StatusCode::kInvalidInput,
                path +
                    ": the Parquet file's columns (i, s) are not those of a Cost and Usage "
                    "Report, CUR 2.0 or FOCUS export");
}

TEST(ParquetIngestTest, ATruncatedParquetFileIsRefusedByName) {
  std::string bytes;
  {
    std::ifstream in(Fixture("month-snappy.parquet"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("rebill-truncated-" + std::to_string(getpid()) + ".parquet");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(path.string(), {}, rejects), StatusCode::kInvalidInput,
                path.string() + ": the Parquet file is truncated (it does not end with PAR1)");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rebill::ingest
