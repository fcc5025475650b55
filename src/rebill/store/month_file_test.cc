#include "rebill/store/month_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "rebill/core/sha256.h"
#include "testing/status_matchers.h"

namespace rebill::store {
namespace {
namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/rebill-month-file-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Spill(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

CurLine UsageLine(BillingPeriod period, int hour) {
  CurLine l;
  l.period = period;
  l.payer_account = "123412340534";
  l.usage_account = "011254002932";
  l.type = LineItemType::kUsage;
  l.type_text = "Usage";
  l.billing_entity = "AWS";
  l.bill_type = "Anniversary";
  l.product_code = "AmazonEC2";
  l.product_name = "Amazon Elastic Compute Cloud";
  l.usage_type = "USE1-BoxUsage:m5.large";
  l.operation = "RunInstances";
  l.region = "us-east-1";
  l.description = "$0.096 per On Demand Linux m5.large Instance Hour";
  l.usage_start = TimestampFromCivil(period.year(), static_cast<unsigned>(period.month()), 1, hour);
  l.usage_end = l.usage_start + 3600;
  l.usage_amount = D("1");
  l.pricing_unit = "Hrs";
  l.currency = "USD";
  l.cost = {D("0.096"), D("0.0912"), D("0.096"), D("0.096")};
  l.source_row = static_cast<uint64_t>(hour) + 1;
  return l;
}

// Lines of every shape the format has to carry: aggregated rows, tags (none, one, several),
// empty strings, an unknown type, negative and tiny amounts, a line of another period, lines from
// a second source.
NormalizedMonth VariedMonth() {
  NormalizedMonth m;
  m.period = BillingPeriod::Make(2024, 2).value();
  m.display_scale = 10;
  m.tag_keys = {"user:CostCenter", "user:Team", "costCategory:Unit"};
  m.time_cuts = {TimestampFromCivil(2024, 2, 10, 12), TimestampFromCivil(2024, 2, 20, 6, 30)};
  m.sources = {{"2024-02/cur-1.csv.gz", "aa11", "legacy-cur-csv", 700},
               {"2024-02/cur-2.parquet", "bb22", "cur2-parquet", 300}};

  CurLine aggregated = UsageLine(m.period, 0);
  aggregated.rows = 24;
  aggregated.usage_amount = D("24");
  aggregated.cost = {D("2.304"), D("2.1888"), D("2.304"), D("2.304")};
  aggregated.tags = {{"user:CostCenter", "cc-100"}, {"user:Team", "platform"}};

  CurLine empty;
  empty.period = m.period;
  empty.rows = 1;

  CurLine unknown = UsageLine(m.period, 3);
  unknown.type = LineItemType::kUnknown;
  unknown.type_text = "BrandNewType";
  unknown.description = "";
  unknown.cost = {D("-0.0000000013"), D("-1.3E-9"), D("0"), D("0")};
  unknown.commitment_arn = "arn:aws:savingsplans::123412340534:savingsplan/0a1b";
  unknown.invoice_id = "EUINGB24-123";
  unknown.tags = {{"costCategory:Unit", ""}};
  unknown.source_file = 1;
  unknown.source_row = 77;

  CurLine earlier = UsageLine(BillingPeriod::Make(2024, 1).value(), 5);
  earlier.type = LineItemType::kCredit;
  earlier.type_text = "Credit";
  earlier.tags = {{"user:Team", "data"}, {"user:CostCenter", "cc-200"}, {"costCategory:Unit", "x"}};
  earlier.source_file = 1;
  earlier.rows = 3;

  m.lines = {aggregated, empty, unknown, earlier, UsageLine(m.period, 9)};
  return m;
}

// Where things are in a version 2 body, found the way the reader finds them, so that a test can
// damage one precise field and sign the file again.
struct BodyLayout {
  size_t line_count = 0;    // offset of the u64 line count
  size_t payer_column = 0;  // offset of the first payer_account id
};

uint32_t U32At(const std::string& b, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

BodyLayout Locate(const std::string& body) {
  size_t at = 12;  // year, month, display scale
  uint32_t strings = U32At(body, at);
  at += 4;
  uint64_t blob = 0;
  if (strings > 0) std::memcpy(&blob, body.data() + at + 8 * (strings - 1), 8);
  at += 8 * strings + blob;
  at += 4 + 4 * U32At(body, at);   // tag keys
  at += 4 + 8 * U32At(body, at);   // time cuts
  at += 4 + 20 * U32At(body, at);  // sources
  BodyLayout layout;
  layout.line_count = at;
  uint64_t lines = 0;
  std::memcpy(&lines, body.data() + at, 8);
  layout.payer_column = at + 8 + 4 * lines + lines;  // after periods and types
  return layout;
}

constexpr size_t kHeader = 11 + 4 + 8;

// Replaces the body of a month file, keeping its header and signing it again.
std::string Resign(const std::string& file, const std::string& body, uint32_t version = 2) {
  std::string out = file.substr(0, 11);
  out.append(reinterpret_cast<const char*>(&version), 4);
  uint64_t size = body.size();
  out.append(reinterpret_cast<const char*>(&size), 8);
  return out + body + Sha256Hex(body);
}

std::string BodyOf(const std::string& file) {
  return file.substr(kHeader, file.size() - kHeader - 64);
}

TEST(ColumnarMonthFile, RoundTripsEveryField) {
  ScratchDir dir;
  NormalizedMonth month = VariedMonth();
  ASSERT_OK_AND_ASSIGN(std::string sha, WriteMonthFile(dir.File("m.month"), month));
  EXPECT_EQ(sha, Sha256Hex(BodyOf(Slurp(dir.File("m.month")))));
  EXPECT_FALSE(fs::exists(dir.File("m.month.tmp")));
  ASSERT_OK_AND_ASSIGN(NormalizedMonth back, ReadMonthFile(dir.File("m.month")));
  EXPECT_EQ(back, month);
  EXPECT_EQ(back.lines[0].rows, 24u);
  EXPECT_EQ(back.time_cuts, month.time_cuts);
  EXPECT_TRUE(back.IsFinal());
}

TEST(ColumnarMonthFile, RoundTripsAnEmptyMonth) {
  ScratchDir dir;
  NormalizedMonth month;
  month.period = BillingPeriod::Make(2023, 12).value();
  ASSERT_OK(::rebill::testing::StatusOf(WriteMonthFile(dir.File("m.month"), month)));
  ASSERT_OK_AND_ASSIGN(NormalizedMonth back, ReadMonthFile(dir.File("m.month")));
  EXPECT_EQ(back, month);
}

TEST(ColumnarMonthFile, StoresARepeatedStringOnce) {
  ScratchDir dir;
  NormalizedMonth month;
  month.period = BillingPeriod::Make(2024, 2).value();
  month.sources = {{"cur.csv", "aa11", "legacy-cur-csv", 2000}};
  size_t string_bytes = 0;
  for (int i = 0; i < 2000; ++i) {
    CurLine l = UsageLine(month.period, i % 24);
    l.tags = {{"user:CostCenter", "cc-100"}};
    for (Interned CurLine::*field :
         {&CurLine::payer_account, &CurLine::usage_account, &CurLine::type_text,
          &CurLine::billing_entity, &CurLine::bill_type, &CurLine::product_code,
          &CurLine::product_name, &CurLine::usage_type, &CurLine::operation, &CurLine::region,
          &CurLine::description, &CurLine::pricing_unit, &CurLine::currency}) {
      string_bytes += (l.*field).size();
    }
    string_bytes += std::string("user:CostCenter").size() + std::string("cc-100").size();
    month.lines.push_back(std::move(l));
  }
  ASSERT_OK(::rebill::testing::StatusOf(WriteMonthFile(dir.File("m.month"), month)));
  // Each line's strings, written out per line, would take more than the whole file does.
  EXPECT_LT(fs::file_size(dir.File("m.month")), string_bytes);
  std::string file = Slurp(dir.File("m.month"));
  EXPECT_EQ(file.find("USE1-BoxUsage:m5.large"), file.rfind("USE1-BoxUsage:m5.large"));
  ASSERT_OK_AND_ASSIGN(NormalizedMonth back, ReadMonthFile(dir.File("m.month")));
  EXPECT_EQ(back, month);
}

// A month file as written, for tests that damage it: `file` is its bytes, `path` where it is.
class DamagedMonthFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(::rebill::testing::StatusOf(WriteMonthFile(path, VariedMonth())));
    file = Slurp(path);
  }
  ScratchDir dir;
  std::string path = dir.File("m.month");
  std::string file;
};

TEST_F(DamagedMonthFile, RefusesAFlippedByteAndATruncatedFile) {
  for (size_t at : {kHeader + 1, file.size() / 2, file.size() - 65}) {
    std::string flipped = file;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
    Spill(path, flipped);
    EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "checksum mismatch");
  }
  // An empty file maps nothing; it must be refused like any other short one.
  for (size_t keep : {size_t{0}, size_t{5}, kHeader + 10, file.size() - 1}) {
    Spill(path, file.substr(0, keep));
    EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "m.month");
    EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "ingest the billing files again");
  }
}

TEST_F(DamagedMonthFile, AMissingFileIsAnIoErrorThatSaysToIngestAgain) {
  std::filesystem::remove(path);
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kIo, "m.month");
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kIo, "run `rebill ingest` again");
}

TEST_F(DamagedMonthFile, RefusesAnOutOfRangeStringIdEvenWhenSigned) {
  std::string body = BodyOf(file);
  BodyLayout layout = Locate(body);
  uint32_t bad = 0x7fffffff;
  std::memcpy(body.data() + layout.payer_column + 4 * 2, &bad, 4);
  Spill(path, Resign(file, body));
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "payer_account entry 2");
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "ingest the billing files again");
}

TEST_F(DamagedMonthFile, RefusesCountsLargerThanTheFileWithoutAllocating) {
  std::string body = BodyOf(file);
  BodyLayout layout = Locate(body);

  std::string huge_lines = body;
  uint64_t lines = uint64_t{1} << 60;
  std::memcpy(huge_lines.data() + layout.line_count, &lines, 8);
  Spill(path, Resign(file, huge_lines));
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "line count");

  std::string huge_dictionary = body;
  uint32_t strings = 0xffffffff;
  std::memcpy(huge_dictionary.data() + 12, &strings, 4);
  Spill(path, Resign(file, huge_dictionary));
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "dictionary");

  Spill(path, Resign(file, body + "x"));
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "trailing bytes");
}

TEST_F(DamagedMonthFile, RefusesAVersionOneFileAsWrittenByAnOlderRebill) {
  Spill(path, Resign(file, BodyOf(file), 1));
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "written by an older rebill");
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "ingest the billing files again");
  Spill(path, Resign(file, BodyOf(file), 3));
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "written by a newer rebill");
}

TEST(MonthContentSha256, IgnoresSourcesAndLineageButNotAmounts) {
  NormalizedMonth from_csv = VariedMonth();
  NormalizedMonth from_parquet = from_csv;
  from_parquet.sources = {{"2024-02/cur.parquet", "cc33", "cur2-parquet", 1000}};
  for (size_t i = 0; i < from_parquet.lines.size(); ++i) {
    from_parquet.lines[i].source_file = 0;
    from_parquet.lines[i].source_row = 1000 + i;
  }
  EXPECT_EQ(MonthContentSha256(from_csv), MonthContentSha256(from_parquet));
  EXPECT_EQ(MonthContentSha256(from_csv).size(), 64u);

  NormalizedMonth changed = from_parquet;
  changed.lines[2].cost.amortized = D("0.0000000001");
  EXPECT_NE(MonthContentSha256(changed), MonthContentSha256(from_csv));
  changed = from_parquet;
  changed.lines[0].rows = 23;
  EXPECT_NE(MonthContentSha256(changed), MonthContentSha256(from_csv));
  changed = from_parquet;
  changed.time_cuts.pop_back();
  EXPECT_NE(MonthContentSha256(changed), MonthContentSha256(from_csv));
  changed = from_parquet;
  changed.lines[0].tags[1].second = "platforms";
  EXPECT_NE(MonthContentSha256(changed), MonthContentSha256(from_csv));
}

}  // namespace
}  // namespace rebill::store
