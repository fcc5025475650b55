// Real billing files published by others (shared/data/README.md lists them with their exact
// totals). REBILL_SHARED_DATA is set by CTest; a test is skipped when its file is not there.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rebill/ingest/ingest.h"
#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

std::string DataPath(const std::string& relative) {
  const char* root = std::getenv("REBILL_SHARED_DATA");
  if (root == nullptr || *root == '\0') return "";
  std::filesystem::path path = std::filesystem::path(root) / relative;
  return std::filesystem::exists(path) ? path.string() : "";
}

#define REQUIRE_DATA(var, relative)     \
  std::string var = DataPath(relative); \
  if (var.empty()) GTEST_SKIP() << relative << " is not in REBILL_SHARED_DATA"

struct Sums {
  Decimal unblended;
  Decimal net_unblended;
  Decimal amortized;
  Decimal public_on_demand;
  std::map<LineItemType, Decimal> unblended_by_type;
  std::set<std::string> periods;
  std::set<std::string> payers;
  std::set<std::string> currencies;
  std::map<std::string, Decimal> unblended_by_account;
};

// Ingest aggregates rows to the billing grain; every row read must be in some line.
uint64_t RowsOf(const IngestedFile& file) {
  uint64_t rows = 0;
  for (const CurLine& line : file.lines) rows += line.rows;
  return rows;
}

Sums Sum(const IngestedFile& file) {
  Sums s;
  for (const CurLine& line : file.lines) {
    s.unblended += line.cost.unblended;
    s.net_unblended += line.cost.net_unblended;
    s.amortized += line.cost.amortized;
    s.public_on_demand += line.cost.public_on_demand;
    s.unblended_by_type[line.type] += line.cost.unblended;
    s.periods.insert(line.period.ToString());
    s.payers.insert(line.payer_account);
    s.currencies.insert(line.currency);
    s.unblended_by_account[line.usage_account] += line.cost.unblended;
  }
  return s;
}

TEST(RealFilesTest, FocusConvertersAnonymizedCur) {
  REQUIRE_DATA(path,
               "focus_converters/focus_converter_base/tests/provider_config_tests/aws/"
               "sample-anonymous-aws-export-dataset.csv");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-csv");
  EXPECT_EQ(file.source.rows, 1281u);
  EXPECT_EQ(file.source.sha256.size(), 64u);
  ASSERT_EQ(RowsOf(file), 1281u);
  Sums s = Sum(file);
  EXPECT_EQ(s.unblended, D("1.68230869740"));
  EXPECT_EQ(s.unblended.ToString(file.display_scale), "1.68230869740");
  EXPECT_EQ(s.unblended_by_type[LineItemType::kUsage], D("1.60230869740"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kTax], D("0.08"));
  EXPECT_EQ(s.unblended_by_type.size(), 2u);
  EXPECT_EQ(s.public_on_demand, D("3.35617269490"));
  // No commitments and no net column: every view but list is the cash view.
  EXPECT_EQ(s.amortized, s.unblended);
  EXPECT_EQ(s.net_unblended, s.unblended);
  EXPECT_EQ(s.periods, std::set<std::string>{"2023-11"});
  EXPECT_EQ(s.payers, std::set<std::string>{"123412340534"});
  EXPECT_EQ(s.currencies, std::set<std::string>{"USD"});
  // Totals print with as many digits as the file's most precise value, like the README's.
  EXPECT_EQ(file.display_scale, 11);

  ASSERT_OK_AND_ASSIGN(BillingPeriod period, BillingPeriod::Parse("2023-11"));
  NormalizedMonth month = BuildMonth(period, {file});
  EXPECT_EQ(month.lines.size(), 1281u);
  EXPECT_EQ(month.Total(CostView::kUnblended), D("1.68230869740"));
  EXPECT_FALSE(month.IsFinal());
}

TEST(RealFilesTest, LogzioGzippedCur) {
  REQUIRE_DATA(path, "logzio-aws-cost-and-usage/tests/reports/test-billing-report-2.csv.gz");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  EXPECT_EQ(file.source.format, "legacy-cur-csv.gz");
  EXPECT_EQ(file.source.rows, 2660u);
  ASSERT_EQ(RowsOf(file), 2660u);
  Sums s = Sum(file);
  EXPECT_EQ(s.unblended, D("1.2370359880"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kUsage], D("1.2370359880"));
  EXPECT_EQ(s.public_on_demand, D("2.3336371423"));
  EXPECT_EQ(s.amortized, s.unblended);
  EXPECT_EQ(s.periods, std::set<std::string>{"2018-03"});
  EXPECT_EQ(s.payers, std::set<std::string>{"486140753397"});
}

TEST(RealFilesTest, KokuMalformedCurIsRejectedAtRowOne) {
  for (const char* name :
       {"koku/koku/masu/test/data/test_cur.csv", "koku/koku/masu/test/data/test_cur.csv.gz"}) {
    REQUIRE_DATA(path, name);
    SCOPED_TRACE(path);
    RejectSink rejects;
    Result<IngestedFile> file = ReadBillingFile(path, {}, rejects);
    EXPECT_STATUS(file, StatusCode::kInvalidInput,
                  path + ": row 1: the row has 130 fields but the header has 131");
    ASSERT_EQ(rejects.rejects().size(), 1u);
    EXPECT_EQ(rejects.rejects()[0].row, 1u);
  }
}

TEST(RealFilesTest, KokuSavingsPlanCoveredUsageInNok) {
  REQUIRE_DATA(path, "koku/koku/masu/test/data/aws/2023-06-01.csv");
  IngestOptions options;
  options.tag_keys = {"costCategory/CostCenter", "costCategory/cost_env"};
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, options, rejects));
  EXPECT_EQ(file.source.rows, 3u);
  ASSERT_EQ(RowsOf(file), 3u);
  for (const CurLine& line : file.lines) {
    EXPECT_EQ(line.type, LineItemType::kSavingsPlanCoveredUsage);
    EXPECT_EQ(line.currency, "NOK");
    EXPECT_EQ(line.product_name, "Amazon Elastic Compute Cloud");
    EXPECT_EQ(line.region, "us-west-1");
  }
  Sums s = Sum(file);
  // Python: sum(decimal.Decimal(r["lineItem/UnblendedCost"]) for r in csv.DictReader(f)) and
  // the same over savingsPlan/SavingsPlanEffectiveCost and pricing/publicOnDemandCost gave
  // Decimal('30'), Decimal('0.3') and Decimal('30').
  EXPECT_EQ(s.unblended, D("30"));
  EXPECT_EQ(s.amortized, D("0.3"));
  EXPECT_EQ(s.public_on_demand, D("30"));
  EXPECT_EQ(s.periods, std::set<std::string>{"2023-06"});
  EXPECT_EQ(s.payers, std::set<std::string>{"0099999999999"});
  EXPECT_EQ(s.currencies, std::set<std::string>{"NOK"});
}

constexpr char kLicensingLab[] = "aws-well-architected-labs/static/Cost/200_Licensing/Code/";

// The first line of a gzip file, split at \x01: the column list of the lab's Athena table.
std::vector<std::string> HiveHeader(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  std::string line;
  char buffer[4096];
  while (gz != nullptr && gzgets(gz, buffer, sizeof buffer) != nullptr) {
    line += buffer;
    if (!line.empty() && line.back() == '\n') break;
  }
  if (gz != nullptr) gzclose(gz);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  std::vector<std::string> columns;
  size_t start = 0;
  for (;;) {
    size_t end = line.find('\x01', start);
    columns.push_back(line.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return columns;
}

TEST(RealFilesTest, LicensingLabAthenaTextExportWithHeader) {
  REQUIRE_DATA(path, std::string(kLicensingLab) + "BeforeCUR.gz");
  IngestOptions options;
  // Configured in the legacy spelling; the file names the column resource_tags_user_cost_center.
  options.tag_keys = {"user:CostCenter"};
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, options, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-athena.gz");
  EXPECT_EQ(file.source.rows, 7850u);
  ASSERT_EQ(RowsOf(file), 7850u);
  Sums s = Sum(file);
  EXPECT_EQ(s.unblended, D("89.17063287800"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kUsage], D("89.17063287800"));
  EXPECT_EQ(s.unblended_by_type.size(), 1u);
  EXPECT_EQ(s.public_on_demand, D("89.23164249270"));
  EXPECT_EQ(s.amortized, s.unblended);
  EXPECT_EQ(s.net_unblended, s.unblended);
  EXPECT_EQ(s.unblended_by_account,
            (std::map<std::string, Decimal>{{"011254002932", D("0.367587958")},
                                            {"836060457634", D("88.80304492")}}));
  EXPECT_EQ(s.periods, std::set<std::string>{"2019-11"});
  EXPECT_EQ(s.payers, std::set<std::string>{"836060457634"});
  EXPECT_EQ(s.currencies, std::set<std::string>{"USD"});

  // \N is null, and the Hive timestamps parse.
  const CurLine& first = file.lines[0];
  EXPECT_EQ(first.usage_account, "011254002932");
  EXPECT_EQ(first.product_code, "AWSCloudTrail");
  EXPECT_EQ(first.product_name, "AWS CloudTrail");
  EXPECT_EQ(first.region, "ap-northeast-1");
  // The first row's hour, aggregated with the rest of its day.
  EXPECT_EQ(first.source_row, 1u);
  EXPECT_EQ(first.usage_start, TimestampFromCivil(2019, 11, 26, 0));
  EXPECT_GT(first.usage_end, TimestampFromCivil(2019, 11, 26, 0));
  EXPECT_LE(first.usage_end, TimestampFromCivil(2019, 11, 27, 0));
  EXPECT_EQ(first.commitment_arn, "");
  size_t tagged = 0;
  for (const CurLine& line : file.lines) {
    for (const auto& [key, value] : line.tags) {
      EXPECT_EQ(key, "user:CostCenter");
      EXPECT_FALSE(value.empty());
      ++tagged;
    }
  }
  EXPECT_GT(tagged, 0u);
}

TEST(RealFilesTest, LicensingLabAthenaTextExportWithoutHeader) {
  REQUIRE_DATA(before, std::string(kLicensingLab) + "BeforeCUR.gz");
  REQUIRE_DATA(path, std::string(kLicensingLab) + "AfterCUR.gz");
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(path, {}, rejects), StatusCode::kInvalidInput,
                path + ": the first line is not the header of a Cost and Usage Report");
  EXPECT_STATUS(ReadBillingFile(path, {}, rejects), StatusCode::kInvalidInput,
                "pass its column list");

  IngestOptions options;
  options.columns = HiveHeader(before);
  ASSERT_EQ(options.columns.size(), 148u);
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, options, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-athena.gz");
  // Every line is data: the lab's own Athena DDL skips one line and so loses a row.
  EXPECT_EQ(file.source.rows, 7600u);
  ASSERT_EQ(RowsOf(file), 7600u);
  EXPECT_EQ(file.lines.front().source_row, 1u);
  EXPECT_EQ(file.lines.back().source_row, 7600u);
  Sums s = Sum(file);
  EXPECT_EQ(s.unblended, D("75.03232827890"));
  EXPECT_EQ(s.public_on_demand, D("75.09286184820"));
  EXPECT_EQ(s.unblended_by_account,
            (std::map<std::string, Decimal>{{"011254002932", D("0.3549757403")},
                                            {"836060457634", D("74.6773525386")}}));
  EXPECT_EQ(s.periods, std::set<std::string>{"2019-11"});

  // A file with a header is read by its header, whatever column list is given.
  ASSERT_OK_AND_ASSIGN(IngestedFile with_header, ReadBillingFile(before, options, rejects));
  EXPECT_EQ(with_header.source.rows, 7850u);
}

TEST(RealFilesTest, KokuAthenaNamedCsvWithMarketplaceRows) {
  REQUIRE_DATA(path, "koku/koku/masu/test/data/aws/2022-07-01-alt-columns.csv");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-athena");
  EXPECT_EQ(file.source.rows, 2u);
  // Two hours of the same usage on the same day are one line.
  ASSERT_EQ(file.lines.size(), 1u);
  // The test file's six-digit account ids are read as AWS's twelve, and the ingest says so.
  ASSERT_EQ(file.warnings.size(), 1u);
  EXPECT_NE(file.warnings[0].find("(999999 as 000000999999)"), std::string::npos)
      << file.warnings[0];
  for (const CurLine& line : file.lines) {
    EXPECT_EQ(line.period.ToString(), "2022-07");
    EXPECT_EQ(line.payer_account, "000000999999");
    EXPECT_EQ(line.usage_account, "000000999999");
    EXPECT_EQ(line.type, LineItemType::kUsage);
    EXPECT_EQ(line.billing_entity, "AWS Marketplace");
    EXPECT_EQ(line.bill_type, "Anniversary");
    EXPECT_EQ(line.invoice_id, "1");
    EXPECT_EQ(line.product_code, "mra");
    EXPECT_EQ(line.usage_type, "SoftwareUsage:t2.nano");
    EXPECT_EQ(line.region, "us-east-1");
    EXPECT_EQ(line.pricing_unit, "Hrs");
    EXPECT_EQ(line.usage_amount, D("2"));
    EXPECT_EQ(line.cost.unblended, D("0"));
    EXPECT_EQ(line.rows, 2u);
    EXPECT_EQ(line.source_row, 1u);
  }
  EXPECT_EQ(file.lines[0].usage_start, TimestampFromCivil(2022, 7, 1, 0));
  EXPECT_EQ(file.lines[0].usage_end, TimestampFromCivil(2022, 7, 1, 2));
}

// FinOps Foundation, FOCUS-Sample-Data (CC-BY-4.0): anonymized real FOCUS 1.0 data of three
// providers.
TEST(RealFilesTest, FocusSampleOfThreeProviders) {
  REQUIRE_DATA(path, "FOCUS-Sample-Data/FOCUS-1.0/focus_sample.csv");
  IngestOptions options;
  options.tag_keys = {"application", "CostCenter"};
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, options, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "focus-1.0");
  EXPECT_EQ(file.source.rows, 1000u);
  ASSERT_EQ(RowsOf(file), 1000u);

  std::map<std::string, size_t> rows;
  std::map<std::pair<std::string, std::string>, Decimal> billed;
  std::map<std::string, std::set<std::string>> periods;
  std::set<std::string> aws_sub_accounts;
  size_t sp_covered = 0, marketplace = 0;
  for (const CurLine& line : file.lines) {
    std::string provider = line.billing_entity == "AWS Marketplace" ? "AWS" : line.billing_entity;
    rows[provider] += line.rows;
    billed[{provider, line.type_text}] += line.cost.unblended;
    periods[provider].insert(line.period.ToString());
    EXPECT_EQ(line.cost.net_unblended, line.cost.unblended);
    EXPECT_EQ(line.currency, "USD");
    if (provider == "AWS") {
      EXPECT_EQ(line.payer_account, "1234567890123");
      aws_sub_accounts.insert(line.usage_account);
    }
    if (line.type == LineItemType::kSavingsPlanCoveredUsage) {
      sp_covered += line.rows;
      EXPECT_EQ(line.type_text, "FOCUS:Usage");
      EXPECT_EQ(line.cost.unblended, D("0"));
      EXPECT_EQ(line.commitment_arn.str().substr(0, 22), "arn:aws:savingsplans::");
    }
    if (line.billing_entity == "AWS Marketplace") marketplace += line.rows;
  }
  EXPECT_EQ(rows, (std::map<std::string, size_t>{{"AWS", 942}, {"Microsoft", 51}, {"Oracle", 7}}));
  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(billed, (std::map<Key, Decimal>{
                        {{"AWS", "FOCUS:Usage"}, D("20.62033861840")},
                        {{"AWS", "FOCUS:Credit"}, D("-2.61370000000")},
                        {{"Microsoft", "FOCUS:Usage"}, D("1.97651418586")},
                        {{"Oracle", "FOCUS:Usage"}, D("0.26507392473")},
                        {{"Oracle", "FOCUS:Adjustment"}, D("0.27200000000")},
                    }));
  EXPECT_EQ(periods["AWS"], std::set<std::string>{"2024-09"});
  EXPECT_EQ(periods["Oracle"], (std::set<std::string>{"2024-09", "2024-10"}));
  EXPECT_EQ(aws_sub_accounts.size(), 66u);
  EXPECT_EQ(sp_covered, 4u);
  EXPECT_EQ(marketplace, 1u);
  EXPECT_EQ(file.display_scale, 11);
}

// The Well-Architected labs' WorkshopCUR exports: legacy CUR as Parquet (parquet-mr 1.8.2,
// snappy, one row group; costs as DOUBLE, dates as INT64 TIMESTAMP_MILLIS). The two months'
// column sets differ (124 and 120 columns).
constexpr const char* kWorkshopCur =
    "aws-well-architected-labs/static/Cost/200_4_Cost_and_Usage_Analysis/Code/";

// Σ reservation_effective_cost: the amortized view of DiscountedUsage lines is that column.
Decimal ReservationEffectiveCost(const IngestedFile& file) {
  Decimal sum;
  for (const CurLine& line : file.lines) {
    if (line.type == LineItemType::kDiscountedUsage) sum += line.cost.amortized;
  }
  return sum;
}

TEST(RealFilesTest, WorkshopCurParquetOctober2018) {
  REQUIRE_DATA(path, std::string(kWorkshopCur) + "Oct2018-WorkshopCUR-00001.snappy.parquet");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-parquet");
  EXPECT_EQ(file.source.rows, 119307u);
  EXPECT_EQ(file.source.sha256.substr(0, 16), "65b45dc92c5a959a");  // sha256sum of the file
  ASSERT_EQ(RowsOf(file), 119307u);
  Sums s = Sum(file);
  EXPECT_EQ(s.unblended, D("4064.4831315379"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kUsage], D("3914.7077525379"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kRIFee], D("149.775379"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kDiscountedUsage], D("0"));
  EXPECT_EQ(s.unblended_by_type.size(), 3u);
  EXPECT_EQ(s.unblended_by_account["836060457634"], D("3993.0273261102"));
  EXPECT_EQ(s.unblended_by_account["011254002932"], D("71.4558054277"));
  EXPECT_EQ(s.unblended_by_account.size(), 2u);
  EXPECT_EQ(s.public_on_demand, D("4237.6817354175"));
  EXPECT_EQ(ReservationEffectiveCost(file), D("232.25379599"));
  EXPECT_EQ(s.periods, std::set<std::string>{"2018-10"});
  EXPECT_EQ(s.payers, std::set<std::string>{"836060457634"});
  EXPECT_EQ(s.currencies, std::set<std::string>{"USD"});
  size_t type_counts[3] = {0, 0, 0};
  for (const CurLine& line : file.lines) {
    if (line.type == LineItemType::kUsage) type_counts[0] += line.rows;
    if (line.type == LineItemType::kDiscountedUsage) type_counts[1] += line.rows;
    if (line.type == LineItemType::kRIFee) type_counts[2] += line.rows;
  }
  EXPECT_EQ(type_counts[0], 110953u);
  EXPECT_EQ(type_counts[1], 8345u);
  EXPECT_EQ(type_counts[2], 9u);
}

TEST(RealFilesTest, WorkshopCurParquetDecember2018) {
  REQUIRE_DATA(path, std::string(kWorkshopCur) + "Dec2018-WorkshopCUR-00001.snappy.parquet");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-parquet");
  ASSERT_EQ(RowsOf(file), 91264u);
  Sums s = Sum(file);
  EXPECT_EQ(s.unblended, D("408.3759924354"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kUsage], D("256.0791924354"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kRIFee], D("152.2968"));
  EXPECT_EQ(s.unblended_by_type[LineItemType::kDiscountedUsage], D("0"));
  EXPECT_EQ(s.unblended_by_account["836060457634"], D("370.0925209613"));
  EXPECT_EQ(s.unblended_by_account["011254002932"], D("38.2834714741"));
  EXPECT_EQ(s.unblended_by_account.size(), 2u);
  EXPECT_EQ(s.public_on_demand, D("580.7620730674"));
  EXPECT_EQ(ReservationEffectiveCost(file), D("230.89553138"));
  EXPECT_EQ(s.periods, std::set<std::string>{"2018-12"});
}

}  // namespace
}  // namespace rebill::ingest
