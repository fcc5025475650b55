#include "rebill/pipeline/demo.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/escape.h"
#include "rebill/pipeline/runner.h"

namespace rebill::pipeline {
namespace {

constexpr const char* kDemoConfig = R"toml(# Example workspace written by `rebill demo`.
[reseller]
name = "Northwind Cloud"
legal_entity = "Northwind Cloud GmbH"
currency = "USD"
accounts = ["999999999999"]   # the payer: its commitments and taxes are Northwind's own
address = ["Hafenstraße 1", "20457 Hamburg", "Germany"]
tax_id = "DE123456789"
accent_colour = "#0b6e4f"
paper = "A4"

[policy]
commitments = "pro-rata"
cost_view = "amortized"

[[price_plan]]
id = "standard"
rules = [
  { name = "list", type = "markup", percent = "8" },
  { name = "compute", service = "AmazonEC2", type = "markup", percent = "5" },
  { name = "lambda-free-tier", service = "AWSLambda", type = "free", allowance = "10000000" },
]
fees = [{ name = "Managed services", percent = "6", minimum = "25" }]

[[price_plan]]
id = "partner"
rules = [
  { name = "partner", type = "discount", percent = "3" },
  { name = "volume", service = "AmazonS3", type = "tiered", tiers = [{ up_to = "10", percent = "0" }, { percent = "-10" }] },
]

[[customer]]
id = "acme"
name = "Acme Robotics"
price_plan = "standard"
accounts = ["111111111111", "011111111112"]
tax = { rate = "8.25", category = "Sales tax", location = "US-TX" }
address = ["100 Congress Ave", "Austin, TX 78701"]

[[customer]]
id = "globex"
name = "Globex Corporation"
price_plan = "partner"
accounts = [{ id = "222222222222", from = "2026-01-01T00:00:00Z" }]
fees = [{ name = "Onboarding", amount = "150", once = "2026-10" }]
tax = { rate = "19", category = "VAT", location = "DE" }
legal_name = "Globex Deutschland GmbH"
address = ["Am Markt 5", "50667 Köln"]
tax_id = "DE987654321"
language = "de"

[[customer]]
id = "initech"
name = "Initech"
price_plan = "standard"
rounding = "half-even"
accounts = ["333333333333"]
legal_name = "艾尼泰克（上海）信息技术有限公司"
address = ["上海市浦东新区世纪大道100号"]
language = "zh-CN"
lines_by = "account"
tax_exempt = "Reseller certificate on file"

# 444444444444 has spend but no customer: it lands in the Unassigned bucket.
)toml";

constexpr const char* kPayer = "999999999999";
constexpr const char* kSpArn =
    "arn:aws:savingsplans::999999999999:savingsplan/3b1e8f2c-demo-4c6a-9d0e-compute";
constexpr const char* kRiArn =
    "arn:aws:ec2:us-east-1:999999999999:reserved-instances/7f3c2a10-demo-4b1d-a2e9-r5large";

const std::vector<std::string> kColumns = {
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/BillingEntity",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/LineItemDescription",
    "product/ProductName",
    "product/region",
    "pricing/publicOnDemandCost",
    "pricing/publicOnDemandRate",
    "pricing/unit",
    "reservation/ReservationARN",
    "reservation/EffectiveCost",
    "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedRecurringFee",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanRate",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "resourceTags/user:CostCenter",
};

Decimal Dec(const char* text) { return Decimal::Parse(text).value(); }
Decimal Times(Decimal a, Decimal b) { return Decimal::Mul(a, b).value(); }

class CurWriter {
 public:
  using Row = std::map<std::string, std::string>;
  explicit CurWriter(BillingPeriod period) : period_(period) {
    for (size_t i = 0; i < kColumns.size(); ++i) {
      out_ += (i ? "," : "") + kColumns[i];
    }
    out_ += "\n";
  }

  void Add(Row row, Timestamp start, Timestamp end) {
    row["identity/LineItemId"] = "demo" + std::to_string(++count_);
    row["identity/TimeInterval"] = FormatTimestamp(start) + "/" + FormatTimestamp(end);
    row["bill/PayerAccountId"] = kPayer;
    row["bill/BillingPeriodStartDate"] = FormatTimestamp(period_.start());
    row["bill/BillingPeriodEndDate"] = FormatTimestamp(period_.end());
    row["lineItem/UsageStartDate"] = FormatTimestamp(start);
    row["lineItem/UsageEndDate"] = FormatTimestamp(end);
    row["lineItem/CurrencyCode"] = "USD";
    if (row.count("bill/BillingEntity") == 0) row["bill/BillingEntity"] = "AWS";
    if (row.count("bill/BillType") == 0) row["bill/BillType"] = "Anniversary";
    for (size_t i = 0; i < kColumns.size(); ++i) {
      out_ += (i ? "," : "") + CsvField(row[kColumns[i]]);
    }
    out_ += "\n";
  }

  const std::string& text() const { return out_; }

 private:
  BillingPeriod period_;
  std::string out_;
  int count_ = 0;
};

}  // namespace

std::string DemoCurCsv() {
  const BillingPeriod period = BillingPeriod::Make(2026, 10).value();
  CurWriter cur(period);
  const Decimal hours = Decimal::FromInt(24);
  const Decimal sp_commitment_per_hour = Dec("0.25");
  const Decimal ri_hours_per_day = Decimal::FromInt(20);
  Decimal ri_used_hours;

  for (int day = 1; day <= 31; ++day) {
    Timestamp start = TimestampFromCivil(2026, 10, static_cast<unsigned>(day));
    Timestamp end = start + 86400;
    // Acme: an on-demand m5.large all day, tagged by cost centre.
    Decimal m5 = Times(Dec("0.096"), hours);
    cur.Add({{"lineItem/UsageAccountId", "111111111111"},
             {"lineItem/LineItemType", "Usage"},
             {"lineItem/ProductCode", "AmazonEC2"},
             {"lineItem/UsageType", "BoxUsage:m5.large"},
             {"lineItem/Operation", "RunInstances"},
             {"lineItem/UsageAmount", "24"},
             {"lineItem/UnblendedRate", "0.096"},
             {"lineItem/UnblendedCost", m5.ToString()},
             {"lineItem/LineItemDescription", "$0.096 per On Demand Linux m5.large Instance Hour"},
             {"product/ProductName", "Amazon Elastic Compute Cloud"},
             {"product/region", "us-east-1"},
             {"pricing/publicOnDemandCost", m5.ToString()},
             {"pricing/publicOnDemandRate", "0.096"},
             {"pricing/unit", "Hrs"},
             {"resourceTags/user:CostCenter", "cc-100"}},
            start, end);

    // Savings Plan covered usage: Acme's c5.xlarge and Globex's m5.xlarge, with negations.
    Decimal used;
    struct Covered {
      const char* account;
      const char* type;
      const char* od_rate;
      const char* sp_rate;
    };
    for (const Covered& c : {Covered{"111111111111", "BoxUsage:c5.xlarge", "0.17", "0.107"},
                             Covered{"222222222222", "BoxUsage:m5.xlarge", "0.192", "0.12"}}) {
      Decimal od = Times(Dec(c.od_rate), hours);
      Decimal effective = Times(Dec(c.sp_rate), hours);
      used += effective;
      cur.Add({{"lineItem/UsageAccountId", c.account},
               {"lineItem/LineItemType", "SavingsPlanCoveredUsage"},
               {"lineItem/ProductCode", "AmazonEC2"},
               {"lineItem/UsageType", c.type},
               {"lineItem/Operation", "RunInstances"},
               {"lineItem/UsageAmount", "24"},
               {"lineItem/UnblendedRate", c.od_rate},
               {"lineItem/UnblendedCost", od.ToString()},
               {"lineItem/LineItemDescription", "Savings Plan covered usage"},
               {"product/ProductName", "Amazon Elastic Compute Cloud"},
               {"product/region", "us-east-1"},
               {"pricing/publicOnDemandCost", od.ToString()},
               {"pricing/publicOnDemandRate", c.od_rate},
               {"pricing/unit", "Hrs"},
               {"savingsPlan/SavingsPlanARN", kSpArn},
               {"savingsPlan/SavingsPlanRate", c.sp_rate},
               {"savingsPlan/SavingsPlanEffectiveCost", effective.ToString()}},
              start, end);
      cur.Add({{"lineItem/UsageAccountId", c.account},
               {"lineItem/LineItemType", "SavingsPlanNegation"},
               {"lineItem/ProductCode", "AmazonEC2"},
               {"lineItem/UsageType", c.type},
               {"lineItem/Operation", "RunInstances"},
               {"lineItem/UnblendedCost", (-od).ToString()},
               {"lineItem/LineItemDescription", "SavingsPlanNegation used by AccountId"},
               {"product/ProductName", "Amazon Elastic Compute Cloud"},
               {"savingsPlan/SavingsPlanARN", kSpArn}},
              start, end);
    }
    Decimal commitment = Times(sp_commitment_per_hour, hours);
    cur.Add({{"lineItem/UsageAccountId", kPayer},
             {"lineItem/LineItemType", "SavingsPlanRecurringFee"},
             {"lineItem/ProductCode", "ComputeSavingsPlans"},
             {"lineItem/UsageType", "ComputeSP:1yrNoUpfront"},
             {"lineItem/UsageAmount", "24"},
             {"lineItem/UnblendedCost", commitment.ToString()},
             {"lineItem/LineItemDescription", "1 year No Upfront Compute Savings Plan"},
             {"product/ProductName", "Savings Plans for AWS Compute usage"},
             {"savingsPlan/SavingsPlanARN", kSpArn},
             {"savingsPlan/TotalCommitmentToDate", commitment.ToString()},
             {"savingsPlan/UsedCommitment", used.ToString()},
             {"savingsPlan/RecurringCommitmentForBillingPeriod", commitment.ToString()},
             {"savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "0"}},
            start, end);

    // Initech: a reserved r5.large used 20 hours a day.
    Decimal ri_effective = Times(Dec("0.08"), ri_hours_per_day);
    Decimal ri_od = Times(Dec("0.126"), ri_hours_per_day);
    ri_used_hours += ri_hours_per_day;
    cur.Add({{"lineItem/UsageAccountId", "333333333333"},
             {"lineItem/LineItemType", "DiscountedUsage"},
             {"lineItem/ProductCode", "AmazonEC2"},
             {"lineItem/UsageType", "BoxUsage:r5.large"},
             {"lineItem/Operation", "RunInstances"},
             {"lineItem/UsageAmount", "20"},
             {"lineItem/UnblendedRate", "0"},
             {"lineItem/UnblendedCost", "0"},
             {"lineItem/LineItemDescription", "USD 0.03 hourly fee per Linux r5.large"},
             {"product/ProductName", "Amazon Elastic Compute Cloud"},
             {"product/region", "us-east-1"},
             {"pricing/publicOnDemandCost", ri_od.ToString()},
             {"pricing/publicOnDemandRate", "0.126"},
             {"pricing/unit", "Hrs"},
             {"reservation/ReservationARN", kRiArn},
             {"reservation/EffectiveCost", ri_effective.ToString()}},
            start, end);

    // Globex: S3 storage with the many-digit amounts real CURs carry.
    cur.Add({{"lineItem/UsageAccountId", "222222222222"},
             {"lineItem/LineItemType", "Usage"},
             {"lineItem/ProductCode", "AmazonS3"},
             {"lineItem/UsageType", "TimedStorage-ByteHrs"},
             {"lineItem/Operation", "StandardStorage"},
             {"lineItem/UsageAmount", "41.2903225806"},
             {"lineItem/UnblendedRate", "0.023"},
             {"lineItem/UnblendedCost", "0.9496774194"},
             {"lineItem/LineItemDescription", "$0.023 per GB - first 50 TB / month of storage"},
             {"product/ProductName", "Amazon Simple Storage Service"},
             {"product/region", "eu-central-1"},
             {"pricing/publicOnDemandCost", "0.9496774194"},
             {"pricing/publicOnDemandRate", "0.023"},
             {"pricing/unit", "GB-Mo"}},
            start, end);
    // Acme's second account: Lambda requests in scientific notation, as CURs write them.
    cur.Add({{"lineItem/UsageAccountId", "011111111112"},
             {"lineItem/LineItemType", "Usage"},
             {"lineItem/ProductCode", "AWSLambda"},
             {"lineItem/UsageType", "Request"},
             {"lineItem/Operation", "Invoke"},
             {"lineItem/UsageAmount", "1250000"},
             {"lineItem/UnblendedRate", "2.0E-7"},
             {"lineItem/UnblendedCost", "0.25"},
             {"lineItem/LineItemDescription", "$0.20 per 1M requests"},
             {"product/ProductName", "AWS Lambda"},
             {"product/region", "us-east-1"},
             {"pricing/publicOnDemandCost", "0.25"},
             {"pricing/publicOnDemandRate", "2.0E-7"},
             {"pricing/unit", "Requests"}},
            start, end);
    // The account nobody owns.
    cur.Add({{"lineItem/UsageAccountId", "444444444444"},
             {"lineItem/LineItemType", "Usage"},
             {"lineItem/ProductCode", "AmazonCloudWatch"},
             {"lineItem/UsageType", "MetricMonitorUsage"},
             {"lineItem/Operation", "MetricStorage"},
             {"lineItem/UsageAmount", "10"},
             {"lineItem/UnblendedRate", "0.01"},
             {"lineItem/UnblendedCost", "0.1"},
             {"lineItem/LineItemDescription", "$0.30 per metric-month"},
             {"product/ProductName", "AmazonCloudWatch"},
             {"product/region", "us-east-1"},
             {"pricing/publicOnDemandCost", "0.1"},
             {"pricing/publicOnDemandRate", "0.01"},
             {"pricing/unit", "Metrics"}},
            start, end);
  }

  const Timestamp month_start = period.start();
  const Timestamp month_end = period.end();
  // The RI's monthly fee on the payer: 744 hours at 0.03 recurring + 0.05 amortized upfront.
  Decimal month_hours = Decimal::FromInt(744);
  Decimal unused_hours = month_hours - ri_used_hours;
  cur.Add({{"lineItem/UsageAccountId", kPayer},
           {"lineItem/LineItemType", "RIFee"},
           {"lineItem/ProductCode", "AmazonEC2"},
           {"lineItem/UsageType", "HeavyUsage:r5.large"},
           {"lineItem/Operation", "RunInstances"},
           {"lineItem/UsageAmount", "744"},
           {"lineItem/UnblendedRate", "0.03"},
           {"lineItem/UnblendedCost", Times(Dec("0.03"), month_hours).ToString()},
           {"lineItem/LineItemDescription", "USD 0.03 hourly fee per Linux r5.large"},
           {"product/ProductName", "Amazon Elastic Compute Cloud"},
           {"reservation/ReservationARN", kRiArn},
           {"reservation/AmortizedUpfrontFeeForBillingPeriod",
            Times(Dec("0.05"), month_hours).ToString()},
           {"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
            Times(Dec("0.05"), unused_hours).ToString()},
           {"reservation/UnusedRecurringFee", Times(Dec("0.03"), unused_hours).ToString()}},
          month_start, month_end);
  // An AWS Marketplace subscription on Acme's second account.
  cur.Add({{"bill/BillingEntity", "AWS Marketplace"},
           {"bill/BillType", "Purchase"},
           {"lineItem/UsageAccountId", "011111111112"},
           {"lineItem/LineItemType", "Usage"},
           {"lineItem/ProductCode", "prod-7xq2demo4kd3"},
           {"lineItem/UsageType", "SoftwareUsage"},
           {"lineItem/UsageAmount", "1"},
           {"lineItem/UnblendedCost", "49"},
           {"lineItem/LineItemDescription", "Monitoring Suite monthly subscription"},
           {"product/ProductName", "Monitoring Suite (Marketplace)"}},
          month_start, month_end);
  // A promotional credit AWS applied to Globex's account.
  cur.Add({{"lineItem/UsageAccountId", "222222222222"},
           {"lineItem/LineItemType", "Credit"},
           {"lineItem/ProductCode", "AmazonEC2"},
           {"lineItem/UnblendedCost", "-25"},
           {"lineItem/LineItemDescription", "AWS Promotional Credit"},
           {"product/ProductName", "Amazon Elastic Compute Cloud"}},
          month_start, month_end);
  // A refund to Initech for an S3 outage.
  cur.Add({{"bill/BillType", "Refund"},
           {"lineItem/UsageAccountId", "333333333333"},
           {"lineItem/LineItemType", "Refund"},
           {"lineItem/ProductCode", "AmazonS3"},
           {"lineItem/UnblendedCost", "-3.5"},
           {"lineItem/LineItemDescription", "Refund for service credit request"},
           {"product/ProductName", "Amazon Simple Storage Service"}},
          month_start, month_end);
  // AWS tax per account.
  for (const auto& [account, tax] :
       std::vector<std::pair<const char*, const char*>>{{"111111111111", "12.41"},
                                                        {"011111111112", "0.62"},
                                                        {"222222222222", "9.35"},
                                                        {"333333333333", "3.06"},
                                                        {"444444444444", "0.25"}}) {
    cur.Add({{"lineItem/UsageAccountId", account},
             {"lineItem/LineItemType", "Tax"},
             {"lineItem/ProductCode", "AmazonEC2"},
             {"lineItem/UnblendedCost", tax},
             {"lineItem/LineItemDescription", "Tax for product code AmazonEC2"},
             {"product/ProductName", "Amazon Elastic Compute Cloud"}},
            month_start, month_end);
  }
  return cur.text();
}

Result<DemoResult> WriteDemoWorkspace(const std::string& dir) {
  REBILL_RETURN_IF_ERROR(InitWorkspace(dir));
  namespace fs = std::filesystem;
  {
    std::ofstream out(dir + "/rebill.toml", std::ios::binary | std::ios::trunc);
    out << kDemoConfig;
    if (!out) return IoError(dir + "/rebill.toml: cannot write");
  }
  std::error_code ec;
  fs::create_directories(dir + "/input", ec);
  if (ec) return IoError(dir + "/input: " + ec.message());
  DemoResult result{BillingPeriod::Make(2026, 10).value(), dir + "/input/cur-2026-10.csv"};
  std::ofstream out(result.cur_path, std::ios::binary | std::ios::trunc);
  out << DemoCurCsv();
  if (!out) return IoError(result.cur_path + ": cannot write");
  return result;
}

}  // namespace rebill::pipeline
