#include "rebill/ingest/ingest.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "testing/gzip_file.h"
#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

using Table = std::vector<std::vector<std::string>>;

// A small legacy CUR: quoted fields, scientific notation, tags, an unknown line item type.
const Table& SampleTable() {
  static const Table kTable = {
      {"identity/LineItemId",
       "bill/PayerAccountId",
       "bill/BillingPeriodStartDate",
       "bill/InvoiceId",
       "lineItem/UsageAccountId",
       "lineItem/LineItemType",
       "lineItem/UsageStartDate",
       "lineItem/UsageEndDate",
       "lineItem/ProductCode",
       "lineItem/UsageType",
       "lineItem/UsageAmount",
       "lineItem/CurrencyCode",
       "lineItem/UnblendedCost",
       "lineItem/LineItemDescription",
       "product/ProductName",
       "product/region",
       "pricing/publicOnDemandCost",
       "pricing/unit",
       "resourceTags/user:CostCenter",
       "resourceTags/user:Ignored",
       "costCategory/Team"},
      {"a1",
       "123456789012",
       "2023-11-01T00:00:00Z",
       "",
       "011254002932",
       "Usage",
       "2023-11-03T10:00:00Z",
       "2023-11-03T11:00:00Z",
       "AmazonEC2",
       "USE1-BoxUsage:m5.large",
       "1",
       "USD",
       "0.0960000000",
       "$0.096 per On Demand Linux m5.large Instance Hour",
       "Amazon Elastic Compute Cloud",
       "us-east-1",
       "0.096",
       "Hrs",
       "cc-100",
       "x",
       "Platform"},
      {"a2",
       "123456789012",
       "2023-11-01T00:00:00Z",
       "",
       "011254002932",
       "Usage",
       "2023-11-03T10:00:00Z",
       "2023-11-03T11:00:00Z",
       "AmazonS3",
       "Requests-Tier1",
       "1",
       "USD",
       "4.0E-7",
       "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
       "Amazon Simple Storage Service",
       "us-east-1",
       "4.0E-7",
       "Requests",
       "",
       "",
       ""},
      {"a3",
       "123456789012",
       "2023-11-01T00:00:00Z",
       "",
       "222222222222",
       "Credit",
       "2023-11-01T00:00:00Z",
       "2023-12-01T00:00:00Z",
       "AmazonS3",
       "",
       "",
       "USD",
       "-1.3E-9",
       "Promotional credit \"Startup\", applied",
       "Amazon Simple Storage Service",
       "",
       "",
       "",
       "cc-200",
       "",
       ""},
      {"a4",
       "123456789012",
       "2023-11-01T00:00:00Z",
       "",
       "222222222222",
       "NewFancyCharge",
       "2023-11-05T00:00:00Z",
       "2023-11-06T00:00:00Z",
       "AWSNewService",
       "Seats",
       "2",
       "USD",
       "0.50",
       "Line one\nline two",
       "AWS New Service",
       "eu-west-1",
       "0.50",
       "Seats",
       "",
       "",
       "Data"},
  };
  return kTable;
}

std::string TempPath(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "rebill_ingest_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string Quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Renders `table` as CSV, with its columns in the order `order` when one is given.
std::string ToCsv(const Table& table, const std::vector<size_t>& order = {}) {
  std::string out;
  for (const auto& row : table) {
    size_t count = order.empty() ? row.size() : order.size();
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) out += ',';
      out += Quote(row.at(order.empty() ? i : order[i]));
    }
    out += "\r\n";
  }
  return out;
}

std::string Write(const std::string& name, const std::string& bytes) {
  std::string path = TempPath(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return path;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

IngestOptions TagOptions() {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter", "costCategory/Team"};
  return options;
}

Decimal Total(const IngestedFile& file, CostView view) {
  Decimal total;
  for (const CurLine& line : file.lines) total += line.cost.Get(view);
  return total;
}

TEST(IngestTest, ReadsEveryFieldOfTheSample) {
  std::string csv = ToCsv(SampleTable());
  std::string path = Write("sample.csv", csv);
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, TagOptions(), rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.path, path);
  EXPECT_EQ(file.source.format, "legacy-cur-csv");
  EXPECT_EQ(file.source.rows, 4u);
  EXPECT_EQ(file.source.sha256, Sha256Hex(csv));
  EXPECT_EQ(file.display_scale, 10);
  ASSERT_EQ(file.lines.size(), 4u);

  const CurLine& ec2 = file.lines[0];
  EXPECT_EQ(ec2.period.ToString(), "2023-11");
  EXPECT_EQ(ec2.payer_account, "123456789012");
  EXPECT_EQ(ec2.usage_account, "011254002932");
  EXPECT_EQ(ec2.type, LineItemType::kUsage);
  EXPECT_EQ(ec2.type_text, "Usage");
  EXPECT_EQ(ec2.product_code, "AmazonEC2");
  EXPECT_EQ(ec2.product_name, "Amazon Elastic Compute Cloud");
  EXPECT_EQ(ec2.usage_type, "USE1-BoxUsage:m5.large");
  EXPECT_EQ(ec2.region, "us-east-1");
  EXPECT_EQ(ec2.usage_start, TimestampFromCivil(2023, 11, 3, 10));
  EXPECT_EQ(ec2.usage_end, TimestampFromCivil(2023, 11, 3, 11));
  EXPECT_EQ(ec2.usage_amount, D("1"));
  EXPECT_EQ(ec2.pricing_unit, "Hrs");
  EXPECT_EQ(ec2.currency, "USD");
  EXPECT_EQ(ec2.cost.unblended, D("0.096"));
  EXPECT_EQ(ec2.cost.net_unblended, D("0.096"));
  EXPECT_EQ(ec2.cost.amortized, D("0.096"));
  EXPECT_EQ(ec2.cost.public_on_demand, D("0.096"));
  EXPECT_EQ(ec2.invoice_id, "");
  EXPECT_EQ(ec2.source_row, 1u);
  EXPECT_EQ(ec2.tags, (Tags{{"user:CostCenter", "cc-100"}, {"costCategory/Team", "Platform"}}));

  const CurLine& s3 = file.lines[1];
  EXPECT_EQ(s3.description, "$0.005 per 1,000 PUT, COPY, POST, or LIST requests");
  EXPECT_EQ(s3.cost.unblended, D("0.0000004"));
  EXPECT_TRUE(s3.tags.empty());

  const CurLine& credit = file.lines[2];
  EXPECT_EQ(credit.type, LineItemType::kCredit);
  EXPECT_EQ(credit.description, "Promotional credit \"Startup\", applied");
  EXPECT_EQ(credit.cost.unblended, D("-0.0000000013"));
  EXPECT_EQ(credit.cost.public_on_demand, D("0"));
  EXPECT_EQ(credit.usage_amount, D("0"));
  EXPECT_EQ(credit.tags, (Tags{{"user:CostCenter", "cc-200"}}));

  const CurLine& unknown = file.lines[3];
  EXPECT_EQ(unknown.type, LineItemType::kUnknown);
  EXPECT_EQ(unknown.type_text, "NewFancyCharge");
  EXPECT_EQ(unknown.description, "Line one\nline two");
  EXPECT_EQ(unknown.cost.amortized, D("0.50"));
  EXPECT_EQ(unknown.source_row, 4u);

  EXPECT_EQ(Total(file, CostView::kUnblended), D("0.5960003987"));
  EXPECT_EQ(Total(file, CostView::kPublicOnDemand), D("0.5960004"));
}

TEST(IngestTest, ColumnOrderDoesNotMatter) {
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(
      IngestedFile plain,
      ReadBillingFile(Write("in_order.csv", ToCsv(SampleTable())), TagOptions(), rejects));
  std::vector<size_t> order;
  for (size_t i = SampleTable()[0].size(); i-- > 0;) order.push_back(i);
  std::rotate(order.begin(), order.begin() + 7, order.end());
  ASSERT_OK_AND_ASSIGN(
      IngestedFile reordered,
      ReadBillingFile(Write("reordered.csv", ToCsv(SampleTable(), order)), TagOptions(), rejects));
  EXPECT_EQ(reordered.lines, plain.lines);
  EXPECT_EQ(reordered.display_scale, plain.display_scale);
  EXPECT_NE(reordered.source.sha256, plain.source.sha256);
}

std::string WriteGzipFile(const std::string& name, const std::string& bytes) {
  std::string path = TempPath(name);
  ::rebill::testing::WriteGzipTo(path, bytes);
  return path;
}

TEST(IngestTest, GzipFilesAreDetectedFromTheirBytes) {
  std::string csv = ToCsv(SampleTable());
  std::string path = WriteGzipFile("compressed.csv", csv);  // the name does not say gzip
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, TagOptions(), rejects));
  EXPECT_EQ(file.source.format, "legacy-cur-csv.gz");
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(file.source.sha256, Sha256Hex(std::string(std::istreambuf_iterator<char>(in), {})));
  EXPECT_EQ(Total(file, CostView::kUnblended), D("0.5960003987"));
}

TEST(IngestTest, NonNumericCostIsRejectedNamingFileRowAndColumn) {
  Table table = SampleTable();
  table[3][12] = "12,5 EUR";
  std::string path = Write("bad_cost.csv", ToCsv(table));
  RejectSink rejects;
  Result<IngestedFile> file = ReadBillingFile(path, {}, rejects);
  EXPECT_STATUS(file, StatusCode::kInvalidInput,
                "bad_cost.csv: row 3, column lineItem/UnblendedCost: ");
  ASSERT_EQ(rejects.rejects().size(), 1u);
  const Reject& reject = rejects.rejects()[0];
  EXPECT_EQ(reject.stage, "ingest");
  EXPECT_EQ(reject.file, path);
  EXPECT_EQ(reject.row, 3u);
  EXPECT_EQ(reject.column, "lineItem/UnblendedCost");
  EXPECT_EQ(reject.raw_text, "12,5 EUR");
  EXPECT_FALSE(reject.reason.empty());
  EXPECT_FALSE(reject.hint.empty());
}

TEST(IngestTest, SkipPolicyKeepsGoodRowsAndRecordsTheBadOnes) {
  Table table = SampleTable();
  table[1][6] = "03/11/2023 10:00";  // lineItem/UsageStartDate
  table[2][1] = "";                  // bill/PayerAccountId
  table[4].pop_back();               // one field short
  RejectSink rejects(RejectPolicy::SkipUpTo(5));
  ASSERT_OK_AND_ASSIGN(IngestedFile file,
                       ReadBillingFile(Write("skips.csv", ToCsv(table)), {}, rejects));
  EXPECT_EQ(file.source.rows, 4u);
  ASSERT_EQ(file.lines.size(), 1u);
  EXPECT_EQ(file.lines[0].source_row, 3u);
  ASSERT_EQ(rejects.rejects().size(), 3u);
  EXPECT_EQ(rejects.rejects()[0].row, 1u);
  EXPECT_EQ(rejects.rejects()[0].column, "lineItem/UsageStartDate");
  EXPECT_EQ(rejects.rejects()[0].raw_text, "03/11/2023 10:00");
  EXPECT_EQ(rejects.rejects()[1].row, 2u);
  EXPECT_EQ(rejects.rejects()[1].column, "bill/PayerAccountId");
  EXPECT_EQ(rejects.rejects()[2].row, 4u);
  EXPECT_EQ(rejects.rejects()[2].reason, "the row has 20 fields but the header has 21");
}

TEST(IngestTest, EmptyUnblendedCostIsRejected) {
  Table table = SampleTable();
  table[2][12] = "";
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(Write("empty_cost.csv", ToCsv(table)), {}, rejects),
                StatusCode::kInvalidInput, "empty_cost.csv: row 2, column lineItem/UnblendedCost");
}

TEST(IngestTest, MissingRequiredColumnNamesFileAndColumn) {
  for (size_t column : {1, 2, 4, 5, 12}) {
    Table table = SampleTable();
    std::string name = table[0][column];
    SCOPED_TRACE(name);
    for (auto& row : table) row.erase(row.begin() + static_cast<std::ptrdiff_t>(column));
    RejectSink rejects;
    EXPECT_STATUS(ReadBillingFile(Write("no_column.csv", ToCsv(table)), {}, rejects),
                  StatusCode::kInvalidInput, "no_column.csv: the header has no column " + name);
  }
}

TEST(IngestTest, EmptyAndMissingFiles) {
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(Write("empty.csv", ""), {}, rejects), StatusCode::kInvalidInput,
                "empty.csv: the file is empty");
  EXPECT_STATUS(ReadBillingFile(TempPath("absent.csv"), {}, rejects), StatusCode::kIo,
                "absent.csv");
}

TEST(IngestTest, BuildMonthMergesOnePeriodFromSeveralFiles) {
  Table october = SampleTable();
  for (size_t r = 1; r < october.size(); ++r) october[r][2] = "2023-10-01T00:00:00Z";
  october[4][2] = "2023-11-01T00:00:00Z";  // one November row in the October file
  october[4][12] = "0.123456789012";
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile nov,
                       ReadBillingFile(Write("nov.csv", ToCsv(SampleTable())), {}, rejects));
  ASSERT_OK_AND_ASSIGN(IngestedFile oct,
                       ReadBillingFile(Write("oct.csv", ToCsv(october)), {}, rejects));
  EXPECT_EQ(oct.display_scale, 12);

  ASSERT_OK_AND_ASSIGN(BillingPeriod period, BillingPeriod::Parse("2023-11"));
  NormalizedMonth month = BuildMonth(period, {oct, nov});
  EXPECT_EQ(month.period, period);
  ASSERT_EQ(month.sources.size(), 2u);
  EXPECT_EQ(month.sources[0], oct.source);
  EXPECT_EQ(month.sources[1], nov.source);
  ASSERT_EQ(month.lines.size(), 5u);
  EXPECT_EQ(month.lines[0].source_file, 0u);
  EXPECT_EQ(month.lines[0].source_row, 4u);
  for (size_t i = 1; i < 5; ++i) EXPECT_EQ(month.lines[i].source_file, 1u);
  EXPECT_EQ(month.display_scale, 12);
  EXPECT_EQ(month.Total(CostView::kUnblended), D("0.719457187712"));

  // A file with no line in the period is not a source of it.
  ASSERT_OK_AND_ASSIGN(period, BillingPeriod::Parse("2023-10"));
  month = BuildMonth(period, {nov, oct});
  ASSERT_EQ(month.sources.size(), 1u);
  EXPECT_EQ(month.sources[0].path, oct.source.path);
  EXPECT_EQ(month.lines.size(), 3u);
  EXPECT_EQ(month.lines[0].source_file, 0u);
}

// Many rows of the sample: quoted line breaks, quotes and commas in descriptions, a trailing
// blank line, and rows that are rejected (a bad cost, a missing field).
std::string ManyRows(int count, const std::function<void(int, std::vector<std::string>&)>& edit) {
  Table sample = SampleTable();
  Table table = {sample[0]};
  for (int i = 0; i < count; ++i) {
    std::vector<std::string> row = sample[1 + static_cast<size_t>(i) % (sample.size() - 1)];
    row[0] = "id" + std::to_string(i);
    row[12] = std::to_string(i) + ".0" + std::to_string(i % 7);
    if (i % 5 == 0) row[13] = "line one\nline \"two\", with a comma";
    if (i % 37 == 0) row[12] = "bad";
    if (i % 53 == 0) row.pop_back();
    edit(i, row);
    table.push_back(row);
  }
  return ToCsv(table) + "\r\n";
}

struct Read {
  Result<IngestedFile> file;
  std::vector<Reject> rejects;
};

Read ReadInPieces(const std::string& path, size_t piece_bytes,
                  size_t max_record_bytes = IngestOptions().max_record_bytes) {
  IngestOptions options = TagOptions();
  options.piece_bytes = piece_bytes;
  options.max_record_bytes = max_record_bytes;
  RejectSink rejects(RejectPolicy::SkipUpTo(1000));
  Result<IngestedFile> file = ReadBillingFile(path, options, rejects);
  return {std::move(file), rejects.rejects()};
}

void ExpectSameRead(const Read& pieces, const Read& whole, size_t piece_bytes) {
  SCOPED_TRACE("pieces of " + std::to_string(piece_bytes) + " bytes");
  ASSERT_EQ(pieces.file.ok(), whole.file.ok()) << pieces.file.status().message();
  if (!whole.file.ok()) {
    EXPECT_EQ(pieces.file.status().message(), whole.file.status().message());
    return;
  }
  EXPECT_EQ(pieces.file->source, whole.file->source);
  EXPECT_EQ(pieces.file->lines, whole.file->lines);
  EXPECT_EQ(pieces.file->display_scale, whole.file->display_scale);
  ASSERT_EQ(pieces.rejects.size(), whole.rejects.size());
  for (size_t i = 0; i < whole.rejects.size(); ++i) {
    EXPECT_EQ(pieces.rejects[i].row, whole.rejects[i].row);
    EXPECT_EQ(pieces.rejects[i].column, whole.rejects[i].column);
    EXPECT_EQ(pieces.rejects[i].kind, whole.rejects[i].kind);
  }
}

TEST(IngestPiecesTest, AnyPieceSizeReadsWhatOnePieceReads) {
  std::string path = Write("pieces.csv", ManyRows(300, [](int, std::vector<std::string>&) {}));
  Read whole = ReadInPieces(path, size_t{1} << 30);
  ASSERT_TRUE(whole.file.ok()) << whole.file.status().message();
  EXPECT_EQ(whole.file->source.rows, 300u);
  std::vector<uint64_t> expected_rows;
  for (int i = 0; i < 300; ++i) {
    if (i % 37 == 0 || i % 53 == 0) expected_rows.push_back(static_cast<uint64_t>(i) + 1);
  }
  std::vector<uint64_t> rows;
  for (const Reject& r : whole.rejects) rows.push_back(r.row);
  EXPECT_EQ(rows, expected_rows);
  uint64_t kept = 0;
  for (const CurLine& line : whole.file->lines) kept += line.rows;
  EXPECT_EQ(kept, 300u - expected_rows.size());
  for (size_t bytes : {1, 97, 1000, 5000}) ExpectSameRead(ReadInPieces(path, bytes), whole, bytes);

  // A plain file's pieces are read where the file is mapped; a gzip file's are inflated into
  // buffers, each piece starting with what the previous one left over.
  std::string gz_path =
      WriteGzipFile("pieces.csv.gz", ManyRows(300, [](int, std::vector<std::string>&) {}));
  for (size_t bytes : {size_t{1}, size_t{97}, size_t{5000}, size_t{1} << 30}) {
    Read gzip = ReadInPieces(gz_path, bytes);
    ASSERT_TRUE(gzip.file.ok()) << gzip.file.status().message();
    EXPECT_EQ(gzip.file->source.format, "legacy-cur-csv.gz");
    gzip.file->source = whole.file->source;  // the lines and rejects are what must agree
    ExpectSameRead(gzip, whole, bytes);
  }
}

// A quote inside an unquoted field (`x"`) is text to the reader but throws the pieces' quote
// count off; a cut inside the quoted field that follows must not change what is read.
TEST(IngestPiecesTest, AStrayQuoteInAFieldStillReadsTheSame) {
  std::string csv = ManyRows(200, [](int i, std::vector<std::string>& row) {
    if (i == 50) row[13] = "STRAY";
  });
  size_t at = csv.find("STRAY");
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, 5, "x\"");
  std::string path = Write("stray.csv", csv);
  Read whole = ReadInPieces(path, size_t{1} << 30);
  ASSERT_TRUE(whole.file.ok()) << whole.file.status().message();
  bool stray = false;
  for (const CurLine& line : whole.file->lines) stray = stray || line.description == "x\"";
  EXPECT_TRUE(stray);
  for (size_t bytes : {1, 300, 2000}) ExpectSameRead(ReadInPieces(path, bytes), whole, bytes);
}

// Cut by quote parity, every line break after a stray quote looks quoted; a piece that starts
// just before it finds no record's end. Rather than grow that piece to the end of the file, the
// reader gives up at max_record_bytes and reads the file again, cut by scanning, in pieces.
TEST(IngestPiecesTest, AStrayQuoteThatHidesEveryRecordEndIsReadAgainInPieces) {
  std::string csv = ManyRows(200, [](int i, std::vector<std::string>& row) {
    if (i == 20) row[13] = "STRAY";
  });
  std::erase(csv, '"');  // no other quote sets the parity right again
  csv.replace(csv.find("STRAY"), 5, "x\"");
  ASSERT_GT(csv.size(), 16384u);
  Read whole = ReadInPieces(Write("stray-long.csv", csv), size_t{1} << 30);
  ASSERT_TRUE(whole.file.ok()) << whole.file.status().message();
  for (const std::string& path :
       {Write("stray-long.csv", csv), WriteGzipFile("stray-long.csv.gz", csv)}) {
    SCOPED_TRACE(path);
    for (size_t bytes : {300, 2000}) {
      Read pieces = ReadInPieces(path, bytes, 4096);
      if (pieces.file.ok()) pieces.file->source = whole.file->source;  // .gz differs
      ExpectSameRead(pieces, whole, bytes);
    }
  }
}

// A quote left open early makes the rest of the file one record. Read whole, that is the
// reader's error for the open quote; with a limit on a record's length, the limit's error,
// before the rest of the file is held in memory.
TEST(IngestPiecesTest, ARecordLongerThanTheLimitIsAnError) {
  std::string csv = ManyRows(10, [](int, std::vector<std::string>&) {});
  std::string rest = ManyRows(200, [](int, std::vector<std::string>&) {});
  std::erase(rest, '"');  // nothing after the open quote closes it
  csv += "\"never closed,1,2\n" + rest;
  std::string plain = Write("open-early.csv", csv);
  std::string gz = WriteGzipFile("open-early.csv.gz", csv);
  Read whole = ReadInPieces(plain, size_t{1} << 30);
  ASSERT_FALSE(whole.file.ok());
  EXPECT_NE(whole.file.status().message().find("row 12: a quoted field is never closed"),
            std::string::npos)
      << whole.file.status().message();
  for (const std::string& path : {plain, gz}) {
    for (size_t bytes : {300, 5000}) {
      Read limited = ReadInPieces(path, bytes, 4096);
      ASSERT_FALSE(limited.file.ok());
      EXPECT_EQ(limited.file.status().code(), StatusCode::kInvalidInput);
      EXPECT_NE(limited.file.status().message().find(path + ": the record that starts "),
                std::string::npos)
          << limited.file.status().message();
      EXPECT_NE(limited.file.status().message().find(
                    "runs on for more than 4096 bytes: a quoted field is never closed"),
                std::string::npos)
          << limited.file.status().message();
    }
  }
}

// A file with no line break at all (binary data, or a compressed file of another kind) is not
// read into memory to its end to find its header.
TEST(IngestPiecesTest, AFirstLineLongerThanTheLimitIsAnError) {
  std::string path = Write("one-line.csv", std::string((size_t{3} << 20) + 7, 'a'));
  IngestOptions options;
  options.max_record_bytes = size_t{2} << 20;
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(path, options, rejects), StatusCode::kInvalidInput,
                path +
                    ": the first line runs on for more than 2 MiB: a quoted field is never "
                    "closed, or this is not a CSV billing file");
}

TEST(IngestPiecesTest, AQuoteLeftOpenAtTheEndIsTheSameErrorInPieces) {
  std::string csv = ManyRows(100, [](int, std::vector<std::string>&) {});
  csv += "\"never closed,1,2\n";
  std::string path = Write("open.csv", csv);
  Read whole = ReadInPieces(path, size_t{1} << 30);
  ASSERT_FALSE(whole.file.ok());
  EXPECT_NE(whole.file.status().message().find("row 102: a quoted field is never closed"),
            std::string::npos)
      << whole.file.status().message();
  for (size_t bytes : {1, 700}) ExpectSameRead(ReadInPieces(path, bytes), whole, bytes);
}

TEST(IngestPiecesTest, TheFailPolicyStopsAtTheFirstRejectInFileOrder) {
  std::string path = Write("fail.csv", ManyRows(300, [](int, std::vector<std::string>&) {}));
  for (size_t bytes : {size_t{1} << 30, size_t{1}, size_t{500}}) {
    IngestOptions options;
    options.piece_bytes = bytes;
    RejectSink rejects;
    Result<IngestedFile> file = ReadBillingFile(path, options, rejects);
    ASSERT_FALSE(file.ok());
    EXPECT_NE(file.status().message().find("row 1:"), std::string::npos) << file.status().message();
  }
}

}  // namespace
}  // namespace rebill::ingest
