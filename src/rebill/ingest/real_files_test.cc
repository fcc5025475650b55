// Real billing files published by others (shared/data/README.md lists them with their exact
// totals). REBILL_SHARED_DATA is set by CTest; a test is skipped when its file is not there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

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
};

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
  ASSERT_EQ(file.lines.size(), 1281u);
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
  ASSERT_EQ(file.lines.size(), 2660u);
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
  ASSERT_EQ(file.lines.size(), 3u);
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

}  // namespace
}  // namespace rebill::ingest
