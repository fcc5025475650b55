// Format detection and the non-legacy formats: Athena names (CSV and Hive text, with and without
// a header), CUR 2.0 with its JSON map cells, and FOCUS.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/ingest.h"
#include "rebill/ingest/json_map_internal.h"
#include "testing/gzip_file.h"
#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

using Table = std::vector<std::vector<std::string>>;

std::string TempPath(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "rebill_formats_test";
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

// Renders rows `from`.. of `table` joined by `delimiter`; CSV quoting only for ','.
std::string Render(const Table& table, char delimiter, size_t from = 0) {
  std::string out;
  for (size_t r = from; r < table.size(); ++r) {
    for (size_t i = 0; i < table[r].size(); ++i) {
      if (i > 0) out += delimiter;
      out += delimiter == ',' ? Quote(table[r][i]) : table[r][i];
    }
    out += '\n';
  }
  return out;
}

std::string Write(const std::string& name, const std::string& bytes) {
  std::string path = TempPath(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return path;
}

std::string WriteGzip(const std::string& name, const std::string& bytes) {
  std::string path = TempPath(name);
  ::rebill::testing::WriteGzipTo(path, bytes);
  return path;
}

CostViews Sum(const IngestedFile& file) {
  CostViews sum;
  for (const CurLine& line : file.lines) {
    sum.unblended += line.cost.unblended;
    sum.net_unblended += line.cost.net_unblended;
    sum.amortized += line.cost.amortized;
    sum.public_on_demand += line.cost.public_on_demand;
  }
  return sum;
}

TEST(AthenaColumnNameTest, FollowsAwsDerivationRule) {
  // reference/aws-billing-data.md §1.5
  const std::pair<const char*, const char*> kCases[] = {
      {"lineItem/UnblendedCost", "line_item_unblended_cost"},
      {"lineItem/LineItemType", "line_item_line_item_type"},
      {"bill/PayerAccountId", "bill_payer_account_id"},
      {"savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n"},
      {"reservation/ReservationARN", "reservation_reservation_a_r_n"},
      {"pricing/publicOnDemandCost", "pricing_public_on_demand_cost"},
      {"product/ProductName", "product_product_name"},
      {"product/usagetype", "product_usagetype"},
      {"product/servicecode", "product_servicecode"},
      {"resourceTags/user:CostCenter", "resource_tags_user_cost_center"},
      {"resourceTags/user:Cost Center", "resource_tags_user_cost_center"},
      {"resourceTags/aws:createdBy", "resource_tags_aws_created_by"},
      {"costCategory/BusinessUnit", "cost_category_business_unit"},
      {"discount/TotalDiscount", "discount_total_discount"},
      {"user_cost_center", "user_cost_center"},
      {"__Odd--Name__", "odd_name"},
  };
  for (const auto& [legacy, athena] : kCases) EXPECT_EQ(AthenaColumnName(legacy), athena);
}

TEST(DetectFormatTest, TellsFormatsFromTheHeaderAlone) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(DetectFormat(Names{"identity/LineItemId", "lineItem/UnblendedCost"}),
            Format::kLegacyCsv);
  EXPECT_EQ(DetectFormat(Names{"line_item_unblended_cost", "resource_tags_user_team", "year"}),
            Format::kLegacyAthena);
  EXPECT_EQ(DetectFormat(Names{"line_item_unblended_cost", "product", "resource_tags"}),
            Format::kCur2);
  EXPECT_EQ(DetectFormat(Names{"bill_payer_account_id", "bill_payer_account_name"}), Format::kCur2);
  Names focus = {"BilledCost", "BillingAccountId", "ChargeCategory", "x_ServiceCode"};
  EXPECT_EQ(DetectFormat(focus), Format::kFocus10);
  focus.push_back("SkuMeter");
  EXPECT_EQ(DetectFormat(focus), Format::kFocus11);
  focus.push_back("InvoiceId");
  EXPECT_EQ(DetectFormat(focus), Format::kFocus12);
  // Data rows are not headers.
  EXPECT_EQ(DetectFormat(Names{"abc", "123456789012", "2019-11-01 00:00:00", "0.5"}), std::nullopt);
  EXPECT_EQ(DetectFormat(Names{}), std::nullopt);

  EXPECT_EQ(FormatName(Format::kLegacyCsv), "legacy-cur-csv");
  EXPECT_EQ(FormatName(Format::kLegacyAthena), "legacy-cur-athena");
  EXPECT_EQ(FormatName(Format::kCur2), "cur2-csv");
  EXPECT_EQ(FormatName(Format::kFocus10), "focus-1.0");
  EXPECT_EQ(FormatName(Format::kFocus11), "focus-1.1");
  EXPECT_EQ(FormatName(Format::kFocus12), "focus-1.2");
}

TEST(TagKeysTest, MatchesEverySpellingUnderTheConfiguredKey) {
  TagKeys keys({"user:CostCenter", "costCategory/BusinessUnit", "user_owner"});
  EXPECT_EQ(keys.MatchLegacyHeader("resourceTags/user:CostCenter"), std::vector<size_t>{0});
  EXPECT_EQ(keys.MatchLegacyHeader("resourceTags/user:Cost Center"), std::vector<size_t>{});
  EXPECT_EQ(keys.MatchLegacyHeader("costCategory/BusinessUnit"), std::vector<size_t>{1});
  EXPECT_EQ(keys.MatchAthenaColumn("resource_tags_user_cost_center"), std::vector<size_t>{0});
  EXPECT_EQ(keys.MatchAthenaColumn("cost_category_business_unit"), std::vector<size_t>{1});
  EXPECT_EQ(keys.MatchAthenaColumn("product_cost_center"), std::vector<size_t>{});
  EXPECT_EQ(keys.MatchMapKey("user_cost_center", false), std::vector<size_t>{0});
  EXPECT_EQ(keys.MatchMapKey("user:CostCenter", false), std::vector<size_t>{0});
  EXPECT_EQ(keys.MatchMapKey("user_cost_center", true), std::vector<size_t>{});
  EXPECT_EQ(keys.MatchMapKey("business_unit", true), std::vector<size_t>{1});
  EXPECT_EQ(keys.MatchMapKey("user_owner", false), std::vector<size_t>{2});
  EXPECT_EQ(keys.key(1), "costCategory/BusinessUnit");
}

TEST(TagKeysTest, AKeyWithNoColumnIsAWarningThatNamesItsNearMisses) {
  TagKeys keys({"user:Cost_Center", "costCategory/Team", "user:Owner"});
  std::vector<std::string> legacy = {"lineItem/UnblendedCost", "resourceTags/user:CostCenter",
                                     "resourceTags/user:costcenter", "resourceTags/user:Owner"};
  std::vector<std::string> warnings =
      keys.MissingColumnWarnings("f.csv", Format::kLegacyCsv, legacy);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(
      warnings[0],
      "f.csv: has no column resourceTags/user:Cost_Center for tag user:Cost_Center, which the "
      "configuration reads; every line of this file is untagged for it (the file has "
      "resourceTags/user:CostCenter, resourceTags/user:costcenter: check the key's "
      "spelling)");
  EXPECT_EQ(warnings[1],
            "f.csv: has no column costCategory/Team for cost category costCategory/Team, which "
            "the configuration reads; every line of this file is untagged for it (is the tag "
            "activated for cost allocation?)");
  std::vector<std::string> athena = {"line_item_unblended_cost", "resource_tags_user_cost_center",
                                     "resource_tags_user_owner", "cost_category_team"};
  EXPECT_TRUE(keys.MissingColumnWarnings("f.parquet", Format::kLegacyAthena, athena).empty());
  // CUR 2.0 and FOCUS keep tags in maps: which keys a file holds is known row by row only.
  EXPECT_TRUE(keys.MissingColumnWarnings("f.csv", Format::kCur2, {"resource_tags"}).empty());
  EXPECT_TRUE(keys.MissingColumnWarnings("f.csv", Format::kFocus12, {"Tags"}).empty());
}

TEST(JsonMapTest, KeepsNumbersAsWrittenAndSkipsNulls) {
  std::vector<std::pair<std::string, std::string>> seen;
  auto collect = [&](std::string_view k, std::string_view v) { seen.emplace_back(k, v); };
  ASSERT_OK(ForEachJsonMember(
      R"({"edp_discount": -0.1234567890123456789, "n": 12, "s": "a\"b", "z": null, "t": true})",
      collect));
  EXPECT_EQ(
      seen,
      (std::vector<std::pair<std::string, std::string>>{
          {"edp_discount", "-0.1234567890123456789"}, {"n", "12"}, {"s", "a\"b"}, {"t", "true"}}));
  seen.clear();
  EXPECT_OK(ForEachJsonMember("", collect));
  EXPECT_OK(ForEachJsonMember("{}", collect));
  EXPECT_TRUE(seen.empty());
  EXPECT_STATUS(ForEachJsonMember(R"({"a": {"b": "c"}})", collect), StatusCode::kInvalidInput,
                "the value of 'a' is an object");
  EXPECT_STATUS(ForEachJsonMember(R"(["a"])", collect), StatusCode::kInvalidInput, "array");
  EXPECT_STATUS(ForEachJsonMember("\"text\"", collect), StatusCode::kInvalidInput,
                "not a JSON object");
  EXPECT_STATUS(ForEachJsonMember(R"({"a": "b")", collect), StatusCode::kInvalidInput, "parse");
}

// A legacy CUR with Athena names, as Athena's text export writes it: \x01 between fields, \N
// for null, timestamps with a space, no quoting (the description starts with a quote).
const Table& AthenaTable() {
  static const Table kTable = {
      {"line_item_unblended_cost", "bill_payer_account_id", "bill_billing_period_start_date",
       "bill_invoice_id", "line_item_usage_account_id", "line_item_line_item_type",
       "line_item_usage_start_date", "line_item_usage_end_date", "line_item_product_code",
       "line_item_usage_amount", "line_item_line_item_description", "product_region",
       "pricing_public_on_demand_cost", "reservation_reservation_a_r_n",
       "reservation_effective_cost", "resource_tags_user_cost_center", "cost_category_team", "year",
       "month"},
      {"0.0960000000", "836060457634", "2019-11-01 00:00:00", "\\N", "011254002932", "Usage",
       "2019-11-26 00:00:00", "2019-11-26 01:00:00", "AmazonEC2", "1.0", "\"quoted\" text, 1",
       "us-east-1", "0.096", "\\N", "\\N", "cc-100", "Platform", "2019", "11"},
      {"0.0", "836060457634", "2019-11-01 00:00:00", "\\N", "836060457634", "DiscountedUsage",
       "2019-11-26 00:00:00", "2019-11-26 01:00:00", "AmazonEC2", "1.0", "RI hour", "us-east-1",
       "0.17", "arn:aws:ec2:us-east-1:836060457634:reserved-instances/abc", "0.1067", "\\N", "",
       "2019", "11"},
  };
  return kTable;
}

IngestOptions AthenaOptions() {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter", "costCategory/Team"};
  return options;
}

void ExpectAthenaLines(const IngestedFile& file) {
  ASSERT_EQ(file.lines.size(), 2u);
  const CurLine& usage = file.lines[0];
  EXPECT_EQ(usage.period.ToString(), "2019-11");
  EXPECT_EQ(usage.payer_account, "836060457634");
  EXPECT_EQ(usage.usage_account, "011254002932");
  EXPECT_EQ(usage.invoice_id, "");
  EXPECT_EQ(usage.description, "\"quoted\" text, 1");
  EXPECT_EQ(usage.region, "us-east-1");
  EXPECT_EQ(usage.usage_start, TimestampFromCivil(2019, 11, 26, 0));
  EXPECT_EQ(usage.tags, (Tags{{"user:CostCenter", "cc-100"}, {"costCategory/Team", "Platform"}}));
  EXPECT_EQ(usage.source_row, 1u);
  const CurLine& ri = file.lines[1];
  EXPECT_EQ(ri.type, LineItemType::kDiscountedUsage);
  EXPECT_EQ(ri.commitment_arn, "arn:aws:ec2:us-east-1:836060457634:reserved-instances/abc");
  EXPECT_EQ(ri.cost.amortized, D("0.1067"));
  EXPECT_TRUE(ri.tags.empty());
  EXPECT_EQ(ri.source_row, 2u);
  CostViews sum = Sum(file);
  EXPECT_EQ(sum.unblended, D("0.096"));
  EXPECT_EQ(sum.amortized, D("0.2027"));
  EXPECT_EQ(sum.public_on_demand, D("0.266"));
  EXPECT_EQ(file.display_scale, 10);
}

// An RI's fees carry its ARN and are amortized into the covered usage, so their own amortized
// cost is zero; any other fee is amortized as it is billed (reference §4.2).
TEST(LegacyFormatTest, OnlyAFeeWithAReservationArnIsAmortizedAway) {
  const Table table = {
      {"lineItem/LineItemType", "lineItem/UsageAccountId", "lineItem/UsageStartDate",
       "lineItem/UnblendedCost", "lineItem/ProductCode", "lineItem/UsageType",
       "reservation/ReservationARN", "bill/BillingPeriodStartDate", "bill/PayerAccountId"},
      {"Fee", "111111111111", "2023-11-01T00:00:00Z", "120", "AmazonEC2", "HeavyUsage:m5",
       "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1", "2023-11-01T00:00:00Z",
       "999999999999"},
      {"Fee", "111111111111", "2023-11-01T00:00:00Z", "30", "AWSSupportBusiness", "Dollar", "",
       "2023-11-01T00:00:00Z", "999999999999"},
      {"Usage", "111111111111", "2023-11-02T00:00:00Z", "5", "AmazonEC2", "BoxUsage:m5",
       "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1", "2023-11-01T00:00:00Z",
       "999999999999"},
  };
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(Write("fees.csv", Render(table, ',')),
                                                          IngestOptions(), rejects));
  ASSERT_EQ(file.lines.size(), 3u);
  EXPECT_EQ(file.lines[0].cost.unblended, D("120"));
  EXPECT_EQ(file.lines[0].cost.amortized, D("0"));
  EXPECT_EQ(file.lines[1].cost.amortized, D("30"));
  EXPECT_EQ(file.lines[2].cost.amortized, D("5"));
}

// A copied bucket, tarred: the member's first line is a CUR header, but the file is not a CUR.
TEST(OddFileTest, ATarArchiveIsToldApartAndNamedSo) {
  std::string csv = "bill/PayerAccountId,lineItem/UnblendedCost\n999999999999,1.00\n";
  std::string tar(512, '\0');
  tar.replace(0, 24, "reports/cur/cur-1.csv.gz");
  tar.replace(100, 7, "0000644");
  tar.replace(124, 11, "00000000046");  // the member's size, in octal
  tar.replace(257, 6, std::string("ustar\0", 6));
  tar += csv;
  tar.resize(tar.size() + (512 - csv.size()) + 1024, '\0');
  RejectSink rejects;
  for (const std::string& path : {Write("bucket.tar", tar), WriteGzip("bucket.tar.gz", tar)}) {
    EXPECT_STATUS(ReadBillingFile(path, {}, rejects), StatusCode::kInvalidInput,
                  path + ": is a tar archive, not a billing file; extract it");
  }
}

TEST(OddFileTest, SpacesAroundColumnNamesAreNotPartOfThem) {
  std::string path =
      Write("spaced.csv",
            " bill/PayerAccountId ,bill/BillingPeriodStartDate,\tlineItem/UsageAccountId,"
            "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
            "lineItem/ProductCode,lineItem/UnblendedCost ,lineItem/CurrencyCode\r\n"
            "999999999999,2026-10-01T00:00:00Z,333333333333,Usage,"
            "2026-10-04T00:00:00Z,2026-10-04T01:00:00Z,AmazonEC2,1.25,USD\r\n");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  ASSERT_EQ(file.lines.size(), 1u);
  EXPECT_EQ(std::string_view(file.lines[0].payer_account), "999999999999");
  EXPECT_EQ(file.lines[0].cost.unblended, D("1.25"));
}

// A CUR saved again by a spreadsheet (or read from a column typed as a number) has lost its
// account ids' leading zeros; AWS's ids have twelve digits, so the zeros are put back. Other
// providers' billing accounts in FOCUS files are left as they are.
TEST(OddFileTest, AccountIdsGetTheirLeadingZerosBack) {
  std::string path =
      Write("spreadsheet.csv",
            "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
            "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
            "lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n"
            "99999999999,2026-10-01T00:00:00Z,12345678901,Usage,"
            "2026-10-04T00:00:00Z,2026-10-04T01:00:00Z,AmazonEC2,1.25,USD\n"
            "099999999999,2026-10-01T00:00:00Z,012345678901,Usage,"
            "2026-10-04T02:00:00Z,2026-10-04T03:00:00Z,AmazonEC2,0.75,USD\n");
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, {}, rejects));
  ASSERT_EQ(file.lines.size(), 1u);  // both rows are the same account's
  EXPECT_EQ(std::string_view(file.lines[0].payer_account), "099999999999");
  EXPECT_EQ(std::string_view(file.lines[0].usage_account), "012345678901");
  EXPECT_EQ(file.lines[0].cost.unblended, D("2.00"));
  ASSERT_EQ(file.warnings.size(), 1u);
  EXPECT_NE(file.warnings[0].find("(99999999999 as 099999999999)"), std::string::npos)
      << file.warnings[0];

  std::string focus = Write("other-provider.csv",
                            "BillingAccountId,SubAccountId,ChargeCategory,BilledCost,EffectiveCost,"
                            "ListCost,BillingCurrency,BillingPeriodStart,ChargePeriodStart,"
                            "ChargePeriodEnd,ServiceName\n"
                            "8611537,123,Usage,3.00,3.00,3.00,USD,2026-10-01 00:00:00,"
                            "2026-10-04 00:00:00,2026-10-04 01:00:00,Virtual Machines\n");
  ASSERT_OK_AND_ASSIGN(IngestedFile other, ReadBillingFile(focus, {}, rejects));
  ASSERT_EQ(other.lines.size(), 1u);
  EXPECT_EQ(std::string_view(other.lines[0].payer_account), "8611537");
  EXPECT_TRUE(other.warnings.empty());
}

// A binary file's first bytes are quoted in the message as \xNN, never as raw bytes that
// would garble a terminal; UTF-8 text is kept as it is.
TEST(OddFileTest, ABinaryFirstLineIsQuotedReadably) {
  std::string bytes =
      "\x7f"
      "ELF\x02\x03";
  bytes += '\0';
  bytes += "Caf\xc3\xa9 \xe9\n1,2\n";
  std::string path = Write("binary.csv", bytes);
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(path, {}, rejects), StatusCode::kInvalidInput,
                "(it starts '\\x7fELF\\x02\\x03\\x00Caf\xc3\xa9 \\xe9')");
}

TEST(AthenaFormatTest, HiveTextWithHeader) {
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file,
                       ReadBillingFile(Write("athena.txt", Render(AthenaTable(), '\x01')),
                                       AthenaOptions(), rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "legacy-cur-athena");
  EXPECT_EQ(file.source.rows, 2u);
  ExpectAthenaLines(file);
}

TEST(AthenaFormatTest, HiveTextWithoutHeaderNeedsTheColumnList) {
  std::string path = WriteGzip("athena_no_header", Render(AthenaTable(), '\x01', 1));
  RejectSink rejects;
  EXPECT_STATUS(ReadBillingFile(path, AthenaOptions(), rejects), StatusCode::kInvalidInput,
                path +
                    ": the first line is not the header of a Cost and Usage Report, CUR 2.0 or "
                    "FOCUS file (it starts '0.0960000000|836060457634|");
  IngestOptions options = AthenaOptions();
  options.columns = AthenaTable()[0];
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, options, rejects));
  EXPECT_EQ(file.source.format, "legacy-cur-athena.gz");
  EXPECT_EQ(file.source.rows, 2u);
  ExpectAthenaLines(file);

  options.columns.pop_back();
  EXPECT_STATUS(ReadBillingFile(path, options, rejects), StatusCode::kInvalidInput,
                path + ": row 1: the row has 19 fields but the column list has 18");
  options.columns = {"a", "b"};
  EXPECT_STATUS(ReadBillingFile(path, options, rejects), StatusCode::kInvalidInput,
                "the column list given for this file names no column");
}

TEST(AthenaFormatTest, CsvWithAthenaNamesAndRejectsNamingTheColumn) {
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(
      IngestedFile file,
      ReadBillingFile(Write("athena.csv", Render(AthenaTable(), ',')), AthenaOptions(), rejects));
  EXPECT_EQ(file.source.format, "legacy-cur-athena");
  ExpectAthenaLines(file);

  Table table = AthenaTable();
  table[2][0] = "1,5";
  EXPECT_STATUS(ReadBillingFile(Write("athena_bad.csv", Render(table, ',')), {}, rejects),
                StatusCode::kInvalidInput,
                "athena_bad.csv: row 2, column line_item_unblended_cost");
  table = AthenaTable();
  table[1][1] = "\\N";
  EXPECT_STATUS(ReadBillingFile(Write("athena_null.csv", Render(table, ',')), {}, rejects),
                StatusCode::kInvalidInput, "athena_null.csv: row 1, column bill_payer_account_id");
  table = AthenaTable();
  for (auto& row : table) row.erase(row.begin());
  EXPECT_STATUS(ReadBillingFile(Write("athena_no_cost.csv", Render(table, ',')), {}, rejects),
                StatusCode::kInvalidInput,
                "athena_no_cost.csv: the header has no column line_item_unblended_cost");
}

// A small CUR 2.0 export: Savings Plan covered usage with its negation and recurring fee, and a
// discounted row. Product attributes, tags and cost categories are JSON-object cells.
const Table& Cur2Table() {
  static const Table kTable = {
      {"identity_line_item_id",
       "bill_payer_account_id",
       "bill_payer_account_name",
       "bill_billing_period_start_date",
       "bill_billing_entity",
       "bill_invoice_id",
       "line_item_usage_account_id",
       "line_item_usage_account_name",
       "line_item_line_item_type",
       "line_item_usage_start_date",
       "line_item_usage_end_date",
       "line_item_product_code",
       "line_item_usage_type",
       "line_item_operation",
       "line_item_usage_amount",
       "line_item_currency_code",
       "line_item_unblended_cost",
       "line_item_net_unblended_cost",
       "product",
       "product_region_code",
       "pricing_public_on_demand_cost",
       "pricing_unit",
       "savings_plan_savings_plan_a_r_n",
       "savings_plan_savings_plan_effective_cost",
       "savings_plan_total_commitment_to_date",
       "savings_plan_used_commitment",
       "resource_tags",
       "cost_category",
       "discount",
       "tags"},
      {"r1",
       "999999999999",
       "Reseller",
       "2024-05-01T00:00:00.000Z",
       "AWS",
       "",
       "111111111111",
       "Globex",
       "SavingsPlanCoveredUsage",
       "2024-05-03T10:00:00.000Z",
       "2024-05-03T11:00:00.000Z",
       "AmazonEC2",
       "USE1-BoxUsage:m5.large",
       "RunInstances",
       "1",
       "USD",
       "0.096",
       "0.096",
       R"({"product_name": "Amazon Elastic Compute Cloud", "region": "us-east-1", "vcpu": 2})",
       "us-east-1",
       "0.096",
       "Hrs",
       "arn:aws:savingsplans::999999999999:savingsplan/sp-1",
       "0.06",
       "",
       "",
       R"({"user_cost_center": "cc-100", "user_owner": "ann"})",
       R"({"team": "Platform"})",
       "",
       ""},
      {"r2",
       "999999999999",
       "Reseller",
       "2024-05-01T00:00:00.000Z",
       "AWS",
       "",
       "111111111111",
       "Globex",
       "SavingsPlanNegation",
       "2024-05-03T10:00:00.000Z",
       "2024-05-03T11:00:00.000Z",
       "AmazonEC2",
       "USE1-BoxUsage:m5.large",
       "RunInstances",
       "1",
       "USD",
       "-0.096",
       "-0.096",
       "{}",
       "us-east-1",
       "0.096",
       "Hrs",
       "arn:aws:savingsplans::999999999999:savingsplan/sp-1",
       "",
       "",
       "",
       "",
       "",
       "",
       ""},
      {"r3",
       "999999999999",
       "Reseller",
       "2024-05-01T00:00:00.000Z",
       "AWS",
       "",
       "999999999999",
       "Reseller",
       "SavingsPlanRecurringFee",
       "2024-05-03T10:00:00.000Z",
       "2024-05-03T11:00:00.000Z",
       "ComputeSavingsPlans",
       "ComputeSP:1yrNoUpfront",
       "",
       "1",
       "USD",
       "0.10",
       "0.10",
       "",
       "",
       "",
       "",
       "arn:aws:savingsplans::999999999999:savingsplan/sp-1",
       "",
       "0.10",
       "0.06",
       "",
       "",
       "",
       ""},
      {"r4",
       "999999999999",
       "Reseller",
       "2024-05-01T00:00:00.000Z",
       "AWS",
       "INV-7",
       "222222222222",
       "Initech",
       "Usage",
       "2024-05-04T00:00:00.000Z",
       "2024-05-05T00:00:00.000Z",
       "AmazonS3",
       "EU-TimedStorage-ByteHrs",
       "PutObject",
       "30.5",
       "USD",
       "1.2345678901",
       "1.1111111011",
       R"({"product_name": "Amazon Simple Storage Service"})",
       "eu-west-1",
       "1.2345678901",
       "GB-Mo",
       "",
       "",
       "",
       "",
       R"({"user:CostCenter": "cc-200"})",
       "",
       R"({"edp_discount": -0.123456789, "total_discount": -1.23456789E-1})",
       R"({"user_cost_center": "cc-999", "accountTag/Owner": "ops"})"},
  };
  return kTable;
}

IngestOptions Cur2Options() {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter", "costCategory/Team", "user_owner", "accountTag/Owner"};
  return options;
}

TEST(Cur2FormatTest, ReadsMapsAndCostViews) {
  std::string path = WriteGzip("cur2.csv.gz", Render(Cur2Table(), ','));
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile file, ReadBillingFile(path, Cur2Options(), rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "cur2-csv.gz");
  EXPECT_EQ(file.source.rows, 4u);
  ASSERT_EQ(file.lines.size(), 4u);

  const CurLine& covered = file.lines[0];
  EXPECT_EQ(covered.period.ToString(), "2024-05");
  EXPECT_EQ(covered.payer_account, "999999999999");
  EXPECT_EQ(covered.usage_account, "111111111111");
  EXPECT_EQ(covered.type, LineItemType::kSavingsPlanCoveredUsage);
  EXPECT_EQ(covered.product_name, "Amazon Elastic Compute Cloud");
  EXPECT_EQ(covered.region, "us-east-1");
  EXPECT_EQ(covered.usage_start, TimestampFromCivil(2024, 5, 3, 10));
  EXPECT_EQ(covered.commitment_arn, "arn:aws:savingsplans::999999999999:savingsplan/sp-1");
  EXPECT_EQ(covered.cost, (CostViews{D("0.096"), D("0.096"), D("0.06"), D("0.096")}));
  EXPECT_EQ(covered.tags, (Tags{{"user:CostCenter", "cc-100"},
                                {"costCategory/Team", "Platform"},
                                {"user_owner", "ann"}}));

  const CurLine& negation = file.lines[1];
  EXPECT_EQ(negation.type, LineItemType::kSavingsPlanNegation);
  EXPECT_EQ(negation.cost, (CostViews{D("-0.096"), D("-0.096"), D("0"), D("0")}));
  EXPECT_TRUE(negation.tags.empty());

  const CurLine& fee = file.lines[2];
  EXPECT_EQ(fee.type, LineItemType::kSavingsPlanRecurringFee);
  EXPECT_EQ(fee.usage_account, "999999999999");
  EXPECT_EQ(fee.cost, (CostViews{D("0.10"), D("0.10"), D("0.04"), D("0")}));

  // The discount map is not summed again: the net column already has the discount in it.
  const CurLine& discounted = file.lines[3];
  EXPECT_EQ(discounted.type, LineItemType::kUsage);
  EXPECT_EQ(discounted.invoice_id, "INV-7");
  EXPECT_EQ(discounted.product_name, "Amazon Simple Storage Service");
  EXPECT_EQ(discounted.region, "eu-west-1");  // product_region_code: the map has no region
  EXPECT_EQ(discounted.usage_amount, D("30.5"));
  EXPECT_EQ(discounted.cost, (CostViews{D("1.2345678901"), D("1.1111111011"), D("1.2345678901"),
                                        D("1.2345678901")}));
  // resource_tags wins over the same key in tags.
  EXPECT_EQ(discounted.tags, (Tags{{"user:CostCenter", "cc-200"}, {"accountTag/Owner", "ops"}}));

  CostViews sum = Sum(file);
  EXPECT_EQ(sum.unblended, D("1.3345678901"));
  EXPECT_EQ(sum.net_unblended, D("1.2111111011"));
  EXPECT_EQ(sum.amortized, D("1.3345678901"));
  EXPECT_EQ(sum.public_on_demand, D("1.3305678901"));
  EXPECT_EQ(file.display_scale, 10);
}

// A map's values are unescaped into a buffer that the next value reuses, and a row's texts are
// only copied once its line is known: each line must keep its own row's texts.
TEST(Cur2FormatTest, ProductMapTextsWithEscapesStayWithTheirRow) {
  Table table = Cur2Table();
  table[1][18] = R"({"region": "ap-south-1", "product_name": "Amazon \"Quoted\" Compute"})";
  table[4][18] = R"({"product_name": "Back\\slash \/ Storage", "region": "eu-central-1"})";
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(
      IngestedFile file,
      ReadBillingFile(Write("cur2_escaped.csv", Render(table, ',')), Cur2Options(), rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  ASSERT_EQ(file.lines.size(), 4u);
  EXPECT_EQ(file.lines[0].product_name, "Amazon \"Quoted\" Compute");
  EXPECT_EQ(file.lines[0].region, "ap-south-1");
  EXPECT_EQ(file.lines[1].product_name, "");  // an empty map
  EXPECT_EQ(file.lines[1].region, "us-east-1");
  EXPECT_EQ(file.lines[3].product_name, "Back\\slash / Storage");
  EXPECT_EQ(file.lines[3].region, "eu-central-1");
}

TEST(Cur2FormatTest, ColumnOrderDoesNotMatter) {
  Table reversed = Cur2Table();
  for (auto& row : reversed) std::reverse(row.begin(), row.end());
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(
      IngestedFile plain,
      ReadBillingFile(Write("cur2.csv", Render(Cur2Table(), ',')), Cur2Options(), rejects));
  ASSERT_OK_AND_ASSIGN(
      IngestedFile other,
      ReadBillingFile(Write("cur2_rev.csv", Render(reversed, ',')), Cur2Options(), rejects));
  EXPECT_EQ(plain.source.format, "cur2-csv");
  EXPECT_EQ(other.lines, plain.lines);
}

TEST(Cur2FormatTest, MalformedMapIsRejectedNamingTheColumn) {
  Table table = Cur2Table();
  table[2][18] = R"({"product_name": )";
  RejectSink rejects(RejectPolicy::SkipUpTo(1));
  ASSERT_OK_AND_ASSIGN(IngestedFile file,
                       ReadBillingFile(Write("cur2_bad.csv", Render(table, ',')), {}, rejects));
  EXPECT_EQ(file.lines.size(), 3u);
  ASSERT_EQ(rejects.rejects().size(), 1u);
  EXPECT_EQ(rejects.rejects()[0].row, 2u);
  EXPECT_EQ(rejects.rejects()[0].column, "product");
  EXPECT_EQ(rejects.rejects()[0].raw_text, R"({"product_name": )");
}

// FOCUS 1.2 (InvoiceId) with AWS's x_ columns; NULL is null, as in the FinOps sample data.
const Table& FocusTable() {
  static const Table kTable = {
      {"BillingAccountId",
       "SubAccountId",
       "ChargeCategory",
       "ChargeClass",
       "BilledCost",
       "EffectiveCost",
       "ListCost",
       "BillingCurrency",
       "BillingPeriodStart",
       "ChargePeriodStart",
       "ChargePeriodEnd",
       "ServiceName",
       "RegionId",
       "CommitmentDiscountId",
       "CommitmentDiscountStatus",
       "CommitmentDiscountCategory",
       "InvoiceId",
       "InvoiceIssuerName",
       "PublisherName",
       "ProviderName",
       "ConsumedQuantity",
       "ConsumedUnit",
       "PricingQuantity",
       "PricingUnit",
       "Tags",
       "x_ServiceCode",
       "x_UsageType",
       "x_Operation",
       "x_CostCategories",
       "ChargeDescription"},
      {"999999999999",
       "111111111111",
       "Usage",
       "NULL",
       "0.00000000000",
       "0.06",
       "0.096",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-04 04:00:00",
       "2024-09-04 05:00:00",
       "Amazon Elastic Compute Cloud",
       "us-east-1",
       "arn:aws:savingsplans::1:savingsplan/sp",
       "Used",
       "Spend",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "1",
       "Hours",
       "1",
       "Hours",
       R"({"user:CostCenter": "cc-1"})",
       "AmazonEC2",
       "USE1-BoxUsage:m5.large",
       "RunInstances",
       R"({"Team": "Web"})",
       "SP hour"},
      {"999999999999",
       "111111111111",
       "usage",
       "NULL",
       "0",
       "0.1067",
       "0.17",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-04 04:00:00",
       "2024-09-04 05:00:00",
       "Amazon Elastic Compute Cloud",
       "us-east-1",
       "arn:aws:ec2:us-east-1:1:reserved-instances/r",
       "Used",
       "Usage",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "1",
       "Hrs",
       "NULL",
       "AmazonEC2",
       "NULL",
       "NULL",
       "NULL",
       "RI hour"},
      {"999999999999",
       "NULL",
       "Usage",
       "NULL",
       "0",
       "0.04",
       "NULL",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-04 04:00:00",
       "2024-09-04 05:00:00",
       "Savings Plans for AWS Compute usage",
       "NULL",
       "arn:aws:savingsplans::1:savingsplan/sp",
       "Unused",
       "Spend",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "ComputeSavingsPlans",
       "NULL",
       "NULL",
       "NULL",
       "unused commitment"},
      {"999999999999",
       "999999999999",
       "Purchase",
       "NULL",
       "0.10",
       "0",
       "0",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-04 04:00:00",
       "2024-09-04 05:00:00",
       "Savings Plans for AWS Compute usage",
       "NULL",
       "arn:aws:savingsplans::1:savingsplan/sp",
       "NULL",
       "Spend",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "ComputeSavingsPlans",
       "NULL",
       "NULL",
       "NULL",
       "recurring fee"},
      {"999999999999",
       "111111111111",
       "Tax",
       "NULL",
       "0.019",
       "0.019",
       "0",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-01 00:00:00",
       "2024-10-01 00:00:00",
       "Tax",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "VAT"},
      {"999999999999",
       "111111111111",
       "Credit",
       "NULL",
       "-2.6137",
       "-2.6137",
       "-2.6137",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-24 03:00:00",
       "2024-09-24 04:00:00",
       "Amazon Elastic Compute Cloud",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "AmazonEC2",
       "NULL",
       "NULL",
       "NULL",
       "promotional credit"},
      {"999999999999",
       "111111111111",
       "Adjustment",
       "Correction",
       "-0.5",
       "-0.5",
       "0",
       "USD",
       "2024-09-01 00:00:00",
       "2024-08-01 00:00:00",
       "2024-09-01 00:00:00",
       "Amazon Simple Storage Service",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "AmazonS3",
       "NULL",
       "NULL",
       "NULL",
       "refund for August"},
      {"999999999999",
       "222222222222",
       "Usage",
       "NULL",
       "0.0123456789012345",
       "0.0123456789012345",
       "0",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-05 00:00:00",
       "2024-09-05 01:00:00",
       "Example Firewall",
       "us-east-1",
       "NULL",
       "NULL",
       "NULL",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Example Software LLC",
       "AWS",
       "1",
       "Hrs",
       "1",
       "Hrs",
       "NULL",
       "prod-abc123",
       "NULL",
       "NULL",
       "NULL",
       "marketplace software"},
      {"999999999999",
       "222222222222",
       "Rebate",
       "NULL",
       "-1",
       "-1",
       "0",
       "USD",
       "2024-09-01 00:00:00",
       "2024-09-05 00:00:00",
       "2024-09-05 01:00:00",
       "Example",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "INV-1",
       "Amazon Web Services, Inc.",
       "Amazon Web Services, Inc.",
       "AWS",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "NULL",
       "new kind"},
  };
  return kTable;
}

TEST(FocusFormatTest, MapsEveryChargeCategory) {
  IngestOptions options;
  options.tag_keys = {"user:CostCenter", "costCategory/Team"};
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(
      IngestedFile file,
      ReadBillingFile(Write("focus.csv", Render(FocusTable(), ',')), options, rejects));
  EXPECT_TRUE(rejects.rejects().empty());
  EXPECT_EQ(file.source.format, "focus-1.2");
  ASSERT_EQ(file.lines.size(), 9u);

  const CurLine& sp = file.lines[0];
  EXPECT_EQ(sp.period.ToString(), "2024-09");
  EXPECT_EQ(sp.payer_account, "999999999999");
  EXPECT_EQ(sp.usage_account, "111111111111");
  EXPECT_EQ(sp.type, LineItemType::kSavingsPlanCoveredUsage);
  EXPECT_EQ(sp.type_text, "FOCUS:Usage");
  EXPECT_EQ(sp.billing_entity, "AWS");
  EXPECT_EQ(sp.bill_type, "");
  EXPECT_EQ(sp.product_code, "AmazonEC2");
  EXPECT_EQ(sp.product_name, "Amazon Elastic Compute Cloud");
  EXPECT_EQ(sp.usage_type, "USE1-BoxUsage:m5.large");
  EXPECT_EQ(sp.operation, "RunInstances");
  EXPECT_EQ(sp.region, "us-east-1");
  EXPECT_EQ(sp.description, "SP hour");
  EXPECT_EQ(sp.usage_start, TimestampFromCivil(2024, 9, 4, 4));
  EXPECT_EQ(sp.usage_end, TimestampFromCivil(2024, 9, 4, 5));
  EXPECT_EQ(sp.usage_amount, D("1"));
  EXPECT_EQ(sp.pricing_unit, "Hours");
  EXPECT_EQ(sp.currency, "USD");
  EXPECT_EQ(sp.commitment_arn, "arn:aws:savingsplans::1:savingsplan/sp");
  EXPECT_EQ(sp.invoice_id, "INV-1");
  EXPECT_EQ(sp.cost, (CostViews{D("0"), D("0"), D("0.06"), D("0.096")}));
  EXPECT_EQ(sp.tags, (Tags{{"user:CostCenter", "cc-1"}, {"costCategory/Team", "Web"}}));

  const CurLine& ri = file.lines[1];
  EXPECT_EQ(ri.type, LineItemType::kDiscountedUsage);
  EXPECT_EQ(ri.type_text, "FOCUS:usage");
  EXPECT_EQ(ri.usage_amount, D("1"));  // PricingQuantity stands in for a null ConsumedQuantity
  EXPECT_EQ(ri.pricing_unit, "Hrs");
  EXPECT_TRUE(ri.tags.empty());

  const CurLine& unused = file.lines[2];
  EXPECT_EQ(unused.type, LineItemType::kUsage);
  EXPECT_EQ(unused.usage_account, "999999999999");  // no sub-account: the billing account
  EXPECT_EQ(unused.cost, (CostViews{D("0"), D("0"), D("0.04"), D("0")}));

  EXPECT_EQ(file.lines[3].type, LineItemType::kFee);
  EXPECT_EQ(file.lines[3].product_code, "ComputeSavingsPlans");
  EXPECT_EQ(file.lines[3].cost, (CostViews{D("0.10"), D("0.10"), D("0"), D("0")}));
  EXPECT_EQ(file.lines[4].type, LineItemType::kTax);
  EXPECT_EQ(file.lines[5].type, LineItemType::kCredit);
  EXPECT_EQ(file.lines[5].cost.unblended, D("-2.6137"));
  EXPECT_EQ(file.lines[6].type, LineItemType::kRefund);
  EXPECT_EQ(file.lines[6].type_text, "FOCUS:Adjustment");
  EXPECT_EQ(file.lines[7].type, LineItemType::kUsage);
  EXPECT_EQ(file.lines[7].billing_entity, "AWS Marketplace");
  EXPECT_EQ(file.lines[7].product_code, "prod-abc123");
  EXPECT_EQ(file.lines[8].type, LineItemType::kUnknown);
  EXPECT_EQ(file.lines[8].type_text, "FOCUS:Rebate");

  CostViews sum = Sum(file);
  EXPECT_EQ(sum.unblended, D("-3.9823543210987655"));
  EXPECT_EQ(sum.net_unblended, sum.unblended);
  EXPECT_EQ(sum.amortized, D("-3.8756543210987655"));
  EXPECT_EQ(sum.public_on_demand, D("-2.3477"));
  EXPECT_EQ(file.display_scale, 16);
}

TEST(FocusFormatTest, VersionsAndRejects) {
  Table table = FocusTable();
  for (auto& row : table) row.erase(row.begin() + 16);  // InvoiceId: not in FOCUS 1.0 / 1.1
  RejectSink rejects;
  ASSERT_OK_AND_ASSIGN(IngestedFile v10,
                       ReadBillingFile(Write("focus10.csv", Render(table, ',')), {}, rejects));
  EXPECT_EQ(v10.source.format, "focus-1.0");
  EXPECT_EQ(v10.lines[0].invoice_id, "");
  for (auto& row : table) row.push_back(row == table[0] ? "SkuMeter" : "NULL");
  ASSERT_OK_AND_ASSIGN(IngestedFile v11,
                       ReadBillingFile(Write("focus11.csv", Render(table, ',')), {}, rejects));
  EXPECT_EQ(v11.source.format, "focus-1.1");

  table = FocusTable();
  table[2][4] = "NULL";
  EXPECT_STATUS(ReadBillingFile(Write("focus_null.csv", Render(table, ',')), {}, rejects),
                StatusCode::kInvalidInput, "focus_null.csv: row 2, column BilledCost");
  table = FocusTable();
  table[3][9] = "04/09/2024";
  EXPECT_STATUS(ReadBillingFile(Write("focus_time.csv", Render(table, ',')), {}, rejects),
                StatusCode::kInvalidInput, "focus_time.csv: row 3, column ChargePeriodStart");
  table = FocusTable();
  table[1][24] = "[1]";
  IngestOptions options;
  options.tag_keys = {"user:CostCenter"};
  EXPECT_STATUS(ReadBillingFile(Write("focus_tags.csv", Render(table, ',')), options, rejects),
                StatusCode::kInvalidInput, "focus_tags.csv: row 1, column Tags");
  table = FocusTable();
  for (auto& row : table) row.erase(row.begin() + 2);
  EXPECT_STATUS(ReadBillingFile(Write("focus_cols.csv", Render(table, ',')), {}, rejects),
                StatusCode::kInvalidInput,
                "focus_cols.csv: the header has no column ChargeCategory");
}

}  // namespace
}  // namespace rebill::ingest
