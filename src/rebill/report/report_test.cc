#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rebill/report/render.h"
#include "rebill/report/statement_builder.h"
#include "testing/status_matchers.h"

namespace rebill::report {
namespace {

PricedLine Priced(const std::string& customer, const std::string& service, ChargeCategory category,
                  const char* amount, const char* list_cost = "0",
                  const std::string& rule = "std: markup 5%") {
  PricedLine line;
  line.customer = customer;
  line.usage_account = "111111111111";
  line.service = service;
  line.category = category;
  line.kind = category == ChargeCategory::kCredit || category == ChargeCategory::kRefund
                  ? StatementLineKind::kCredit
                  : StatementLineKind::kCharge;
  line.amount = D(amount);
  line.list_cost = D(list_cost);
  line.currency = "USD";
  line.rule = rule;
  return line;
}

RunContext Context() {
  RunContext ctx;
  ctx.period = BillingPeriod::Parse("2023-11").value();
  return ctx;
}

StatementSettings Settings(std::vector<CustomerInfo> customers) {
  StatementSettings settings;
  settings.reseller = "Northwind Cloud GmbH";
  settings.policy_note = "Savings Plan discounts are shared pro-rata.";
  settings.customers = std::move(customers);
  return settings;
}

// The same usage for two customers who differ only in rounding mode. AmazonEC2 sums to
// 10.004 + 2.001 + 0 = 12.005, a tie at the cent.
PricedLines TieLines(const std::string& customer) {
  PricedLines priced;
  priced.lines.push_back(Priced(customer, "AmazonS3", ChargeCategory::kUsage, "1.50", "1.40"));
  priced.lines.push_back(Priced(customer, "AmazonEC2", ChargeCategory::kUsage, "10.004", "9.00"));
  priced.lines.push_back(
      Priced(customer, "AmazonEC2", ChargeCategory::kUsage, "2.001", "2.00", "ec2: override"));
  priced.lines.push_back(Priced(customer, "AmazonEC2", ChargeCategory::kUsage, "0", "0"));
  return priced;
}

TEST(BuildStatementsTest, GroupsByServiceAndRoundsHalfUp) {
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(
      StatementSet set,
      BuildStatements(TieLines("acme"),
                      Settings({{"acme", "Acme Robotics", "USD", RoundingMode::kHalfUp}}), ctx));
  EXPECT_EQ(set.period.ToString(), "2023-11");
  EXPECT_EQ(set.reseller, "Northwind Cloud GmbH");
  ASSERT_EQ(set.statements.size(), 1u);
  const Statement& s = set.statements[0];
  EXPECT_EQ(s.customer, "acme");
  EXPECT_EQ(s.customer_name, "Acme Robotics");
  EXPECT_EQ(s.status, StatementStatus::kDraft);
  EXPECT_EQ(s.period.ToString(), "2023-11");
  EXPECT_EQ(s.policy_note, "Savings Plan discounts are shared pro-rata.");
  ASSERT_EQ(s.lines.size(), 2u);
  // Charges sort by service code.
  EXPECT_EQ(s.lines[0].service, "AmazonEC2");
  EXPECT_EQ(s.lines[0].kind, StatementLineKind::kCharge);
  EXPECT_EQ(s.lines[0].description, "Amazon Elastic Compute Cloud");
  EXPECT_EQ(s.lines[0].list_amount, D("11.00"));
  EXPECT_EQ(s.lines[0].precise, D("12.005"));
  EXPECT_EQ(s.lines[0].amount, D("12.01"));
  // Each distinct rule once, in the order it first applied.
  EXPECT_EQ(s.lines[0].rule, "std: markup 5%; ec2: override");
  EXPECT_EQ(s.lines[1].service, "AmazonS3");
  EXPECT_EQ(s.lines[1].amount, D("1.50"));
  EXPECT_EQ(s.lines[1].rule, "std: markup 5%");
  EXPECT_EQ(s.subtotal, D("13.51"));
  EXPECT_EQ(s.fees, D("0"));
  EXPECT_EQ(s.credits, D("0"));
  EXPECT_EQ(s.tax, D("0"));
  EXPECT_EQ(s.total, D("13.51"));
  // 13.505 precise, 13.51 billed.
  EXPECT_EQ(s.rounding_residue, D("-0.005"));
}

TEST(BuildStatementsTest, HalfEvenRoundsTheTieToEven) {
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(
      StatementSet set,
      BuildStatements(TieLines("globex"),
                      Settings({{"globex", "Globex", "USD", RoundingMode::kHalfEven}}), ctx));
  const Statement& s = set.statements.at(0);
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].precise, D("12.005"));
  EXPECT_EQ(s.lines[0].amount, D("12.00"));  // 12.005 -> 12.00: 0 is even
  EXPECT_EQ(s.total, D("13.50"));
  EXPECT_EQ(s.rounding_residue, D("0.005"));
}

TEST(BuildStatementsTest, RoundsToTheCurrencysMinorUnit) {
  PricedLines priced;
  priced.lines.push_back(Priced("tanaka", "AmazonEC2", ChargeCategory::kUsage, "1234.5"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(
      StatementSet set,
      BuildStatements(priced, Settings({{"tanaka", "Tanaka KK", "JPY", RoundingMode::kHalfUp}}),
                      ctx));
  EXPECT_EQ(set.statements.at(0).lines.at(0).amount, D("1235"));
  EXPECT_EQ(set.statements.at(0).total, D("1235"));
  EXPECT_EQ(set.statements.at(0).rounding_residue, D("-0.5"));
}

TEST(BuildStatementsTest, CreditsAndRefundsAreCreditLinesAfterTheCharges) {
  PricedLines priced;
  priced.lines.push_back(Priced("acme", "AmazonS3", ChargeCategory::kUsage, "5.00"));
  priced.lines.push_back(Priced("acme", "AmazonEC2", ChargeCategory::kCredit, "-3.333", "0",
                                "passed through at face value"));
  priced.lines.push_back(Priced("acme", "AmazonEC2", ChargeCategory::kRefund, "-1.00", "0",
                                "passed through at face value"));
  priced.lines.push_back(Priced("acme", "AmazonEC2", ChargeCategory::kDiscount, "-0.50"));
  priced.lines.push_back(Priced("acme", "AmazonEC2", ChargeCategory::kUsage, "20.00"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(StatementSet set,
                       BuildStatements(priced, Settings({{"acme", "Acme", "USD"}}), ctx));
  const Statement& s = set.statements.at(0);
  ASSERT_EQ(s.lines.size(), 5u);
  const std::vector<std::string> descriptions = {
      "Amazon Elastic Compute Cloud", "Amazon Elastic Compute Cloud (discount)",
      "Amazon Simple Storage Service", "AWS credits — Amazon Elastic Compute Cloud",
      "AWS refunds — Amazon Elastic Compute Cloud"};
  const std::vector<StatementLineKind> kinds = {
      StatementLineKind::kCharge, StatementLineKind::kCharge, StatementLineKind::kCharge,
      StatementLineKind::kCredit, StatementLineKind::kCredit};
  const std::vector<Decimal> amounts = {D("20.00"), D("-0.50"), D("5.00"), D("-3.33"), D("-1.00")};
  for (size_t i = 0; i < s.lines.size(); ++i) {
    EXPECT_EQ(s.lines[i].description, descriptions[i]) << i;
    EXPECT_EQ(s.lines[i].kind, kinds[i]) << i;
    EXPECT_EQ(s.lines[i].amount, amounts[i]) << i;
  }
  // subtotal 20.00 - 0.50 + 5.00; credits 3.33 + 1.00; total = 24.50 - 4.33.
  EXPECT_EQ(s.subtotal, D("24.50"));
  EXPECT_EQ(s.credits, D("4.33"));
  EXPECT_EQ(s.total, D("20.17"));
  EXPECT_EQ(s.rounding_residue, D("-0.003"));
  EXPECT_OK(CheckStatement(s));
}

// Fees and tax: tax is computed on the rounded subtotal + fees - credits and rounded half-up.
// Subtotal 100.005 -> 100.01 (half-up); fee 250.00; credit -10.00; base 340.01; VAT 19 % =
// 64.6019 -> 64.60; total 100.01 + 250.00 - 10.00 + 64.60 = 404.61.
TEST(BuildStatementsTest, FeesCreditsAndTaxAddUp) {
  RunContext ctx = Context();
  PricedLines priced;
  priced.lines = {Priced("acme", "AmazonEC2", ChargeCategory::kUsage, "100.005"),
                  Priced("acme", "AmazonEC2", ChargeCategory::kCredit, "-10")};
  PricedLine fee;
  fee.kind = StatementLineKind::kFee;
  fee.customer = "acme";
  fee.service = "Managed services";
  fee.amount = D("250");
  fee.rule = "fee price_plan[0].fees[0]: 8% of charges, minimum 250";
  priced.lines.push_back(fee);
  priced.taxes = {{"acme", D("19"), "VAT", "DE", ""}};
  ASSERT_OK_AND_ASSIGN(StatementSet set,
                       BuildStatements(priced, Settings({{"acme", "Acme", "USD"}}), ctx));
  const Statement& s = set.statements[0];
  EXPECT_EQ(s.subtotal, D("100.01"));
  EXPECT_EQ(s.fees, D("250"));
  EXPECT_EQ(s.credits, D("10"));
  EXPECT_EQ(s.tax, D("64.60"));
  EXPECT_EQ(s.total, D("404.61"));
  ASSERT_EQ(s.lines.size(), 4u);
  EXPECT_EQ(s.lines[1].kind, StatementLineKind::kFee);
  EXPECT_EQ(s.lines[1].description, "Managed services");
  EXPECT_EQ(s.lines[3].kind, StatementLineKind::kTax);
  EXPECT_EQ(s.lines[3].description, "VAT 19% (DE) on 340.01");
  EXPECT_OK(CheckStatement(s));

  priced.taxes = {{"acme", D("0"), "", "", "Reverse charge (EU B2B)"}};
  ASSERT_OK_AND_ASSIGN(set, BuildStatements(priced, Settings({{"acme", "Acme", "USD"}}), ctx));
  EXPECT_EQ(set.statements[0].tax, D("0"));
  EXPECT_EQ(set.statements[0].total, D("340.01"));
  EXPECT_EQ(set.statements[0].lines.back().description, "Exempt: Reverse charge (EU B2B)");
}

TEST(BuildStatementsTest, EveryConfiguredCustomerGetsAStatementInConfigOrder) {
  PricedLines priced;
  priced.lines.push_back(Priced("globex", "AmazonS3", ChargeCategory::kUsage, "7.25"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(
      StatementSet set,
      BuildStatements(
          priced,
          Settings({{"zeta", "Zeta", "EUR"}, {"globex", "Globex", "USD"}, {"acme", "Acme", "USD"}}),
          ctx));
  ASSERT_EQ(set.statements.size(), 3u);
  EXPECT_EQ(set.statements[0].customer, "zeta");
  EXPECT_EQ(set.statements[1].customer, "globex");
  EXPECT_EQ(set.statements[2].customer, "acme");
  const Statement& empty = set.statements[0];
  EXPECT_TRUE(empty.lines.empty());
  EXPECT_EQ(empty.currency, "EUR");
  EXPECT_EQ(empty.status, StatementStatus::kDraft);
  EXPECT_TRUE(empty.subtotal.IsZero());
  EXPECT_TRUE(empty.credits.IsZero());
  EXPECT_TRUE(empty.total.IsZero());
  EXPECT_TRUE(empty.rounding_residue.IsZero());
  EXPECT_EQ(set.statements[1].total, D("7.25"));
  EXPECT_TRUE(set.statements[2].lines.empty());
}

TEST(BuildStatementsTest, LinesOfAnUnconfiguredCustomerAreInvalidInput) {
  PricedLines priced;
  priced.lines.push_back(Priced("umbrella", "AmazonS3", ChargeCategory::kUsage, "1"));
  RunContext ctx = Context();
  EXPECT_STATUS(BuildStatements(priced, Settings({{"acme", "Acme", "USD"}}), ctx),
                StatusCode::kInvalidInput, "'umbrella'");
}

TEST(BuildStatementsTest, DuplicateCustomerIsInvalidInput) {
  RunContext ctx = Context();
  EXPECT_STATUS(
      BuildStatements({}, Settings({{"acme", "Acme", "USD"}, {"acme", "Acme 2", "USD"}}), ctx),
      StatusCode::kInvalidInput, "'acme' is configured twice");
}

TEST(BuildStatementsTest, UnknownCurrencyNamesTheCustomer) {
  RunContext ctx = Context();
  EXPECT_STATUS(BuildStatements({}, Settings({{"acme", "Acme", "XXQ"}}), ctx),
                StatusCode::kInvalidInput, "customer 'acme'");
}

TEST(CheckStatementTest, ReportsEachBrokenInvariantNamingTheCustomer) {
  PricedLines priced;
  priced.lines.push_back(Priced("acme", "AmazonS3", ChargeCategory::kUsage, "5.00"));
  priced.lines.push_back(Priced("acme", "AmazonS3", ChargeCategory::kCredit, "-1.00"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(StatementSet set,
                       BuildStatements(priced, Settings({{"acme", "Acme", "USD"}}), ctx));
  Statement s = set.statements.at(0);
  ASSERT_OK(CheckStatement(s));

  Statement wrong_total = s;
  wrong_total.total = D("4.01");
  EXPECT_STATUS(CheckStatement(wrong_total), StatusCode::kInternal, "customer 'acme'");

  // The lines still add up to the total, but the credits are on the wrong side.
  Statement wrong_credits = s;
  wrong_credits.credits = D("-1.00");
  EXPECT_STATUS(CheckStatement(wrong_credits), StatusCode::kInternal,
                "subtotal + fees - credits + tax");
}

StatementSet SmallSet() {
  StatementSet set;
  set.period = BillingPeriod::Parse("2023-11").value();
  set.reseller = "Northwind Cloud GmbH";
  Statement s;
  s.customer = "acme";
  s.customer_name = "Acme Robotics";
  s.period = set.period;
  s.currency = "USD";
  s.lines.push_back({StatementLineKind::kCharge, "AmazonEC2", "Amazon Elastic Compute Cloud",
                     D("11"), D("12.005"), D("12.01"), "std: markup 5%", "", ""});
  s.lines.push_back({StatementLineKind::kCredit, "AmazonEC2",
                     "AWS credits — Amazon Elastic Compute Cloud", D("0"), D("-2.5"), D("-2.50"),
                     "passed through at face value", "", ""});
  s.subtotal = D("12.01");
  s.credits = D("2.50");
  s.total = D("9.51");
  s.rounding_residue = D("-0.005");
  s.policy_note = "Shared pro-rata.";
  set.statements.push_back(s);
  Statement empty;
  empty.customer = "tanaka";
  empty.customer_name = "Tanaka KK";
  empty.period = set.period;
  empty.currency = "JPY";
  set.statements.push_back(empty);
  return set;
}

TEST(RenderJsonTest, WritesTheDocumentedShapeWithAmountsAsStrings) {
  const std::string expected = R"json({
  "period": "2023-11",
  "reseller": "Northwind Cloud GmbH",
  "statements": [
    {
      "customer": "acme",
      "customer_name": "Acme Robotics",
      "currency": "USD",
      "status": "draft",
      "invoice_number": null,
      "period": "2023-11",
      "lines": [
        {
          "kind": "charge",
          "service": "AmazonEC2",
          "description": "Amazon Elastic Compute Cloud",
          "list_amount": "11.00",
          "precise": "12.005",
          "amount": "12.01",
          "rule": "std: markup 5%"
        },
        {
          "kind": "credit",
          "service": "AmazonEC2",
          "description": "AWS credits — Amazon Elastic Compute Cloud",
          "list_amount": "0.00",
          "precise": "-2.50",
          "amount": "-2.50",
          "rule": "passed through at face value"
        }
      ],
      "subtotal": "12.01",
      "fees": "0.00",
      "credits": "2.50",
      "tax": "0.00",
      "total": "9.51",
      "rounding_residue": "-0.005",
      "policy_note": "Shared pro-rata.",
      "fx": null,
      "customer_credits": []
    },
    {
      "customer": "tanaka",
      "customer_name": "Tanaka KK",
      "currency": "JPY",
      "status": "draft",
      "invoice_number": null,
      "period": "2023-11",
      "lines": [],
      "subtotal": "0",
      "fees": "0",
      "credits": "0",
      "tax": "0",
      "total": "0",
      "rounding_residue": "0",
      "policy_note": "",
      "fx": null,
      "customer_credits": []
    }
  ]
}
)json";
  EXPECT_EQ(RenderJson(SmallSet()), expected);
}

TEST(RenderJsonTest, ParseReadsBackExactlyWhatWasWritten) {
  StatementSet set = SmallSet();
  set.statements[0].status = StatementStatus::kFinal;
  set.statements[0].invoice_number = "NW-2023-0001";
  // A precise amount with all 18 fractional digits, and every line kind.
  set.statements[0].lines[0].precise = D("12.005000000000000001");
  set.statements[0].lines[0].list_amount = D("-0.000000000000000001");
  set.statements[0].lines.push_back({StatementLineKind::kFee, "", "Managed services", D("0"),
                                     D("1"), D("1.00"), "fee 8%", "", ""});
  set.statements[0].lines.push_back(
      {StatementLineKind::kTax, "", "VAT \"19%\"\n<b>", D("0"), D("0.19"), D("0.19"), "", "", ""});
  set.statements[1].status = StatementStatus::kVoid;
  ASSERT_OK_AND_ASSIGN(StatementSet parsed, ParseStatementsJson(RenderJson(set)));
  EXPECT_EQ(parsed, set);
  EXPECT_EQ(parsed.statements[0].lines[0].precise, D("12.005000000000000001"));
  EXPECT_EQ(parsed.statements[0].invoice_number, "NW-2023-0001");
  // Rendering the parsed set gives the same bytes: the stored form is stable.
  EXPECT_EQ(RenderJson(parsed), RenderJson(set));
}

TEST(RenderJsonTest, ParseRejectsMalformedDocuments) {
  EXPECT_STATUS(ParseStatementsJson("{not json"), StatusCode::kInvalidInput, "not valid JSON");
  EXPECT_STATUS(ParseStatementsJson(R"({"period": "2023-11"})"), StatusCode::kInvalidInput,
                "'statements'");
  std::string json = RenderJson(SmallSet());
  std::string number_total = json;
  number_total.replace(number_total.find("\"9.51\""), 6, "9.51");
  EXPECT_STATUS(ParseStatementsJson(number_total), StatusCode::kInvalidInput,
                "statement of 'acme': 'total' must be a decimal string");
  std::string bad_status = json;
  bad_status.replace(bad_status.find("\"draft\""), 7, "\"paid\"");
  EXPECT_STATUS(ParseStatementsJson(bad_status), StatusCode::kInvalidInput, "'paid'");
  std::string bad_amount = json;
  bad_amount.replace(bad_amount.find("\"12.01\""), 7, "\"12,01\"");
  EXPECT_STATUS(ParseStatementsJson(bad_amount), StatusCode::kInvalidInput, "'amount'");
}

TEST(RenderCsvTest, OneRowPerLineWithRfc4180Quoting) {
  StatementSet set = SmallSet();
  set.statements[0].customer_name = "Acme, \"Robotics\"";
  set.statements[0].lines[0].description = "two\nlines";
  set.statements[0].invoice_number = "NW-1";
  set.statements[0].status = StatementStatus::kFinal;
  const std::string expected =
      "period,customer,customer_name,currency,status,invoice_number,kind,service,description,"
      "list_amount,amount,rule\n"
      "2023-11,acme,\"Acme, \"\"Robotics\"\"\",USD,final,NW-1,charge,AmazonEC2,\"two\nlines\","
      "11.00,12.01,std: markup 5%\n"
      "2023-11,acme,\"Acme, \"\"Robotics\"\"\",USD,final,NW-1,credit,AmazonEC2,"
      "AWS credits — Amazon Elastic Compute Cloud,0.00,-2.50,passed through at face value\n";
  EXPECT_EQ(RenderCsv(set), expected);
}

TEST(RenderCsvTest, AStatementWithoutLinesHasNoRows) {
  StatementSet set = SmallSet();
  set.statements.erase(set.statements.begin());
  EXPECT_EQ(RenderCsv(set),
            "period,customer,customer_name,currency,status,invoice_number,kind,service,"
            "description,list_amount,amount,rule\n");
}

Statement HtmlStatement() {
  Statement s = SmallSet().statements[0];
  s.customer_name = "Smith & Sons <Ltd> \"Q\" 'x'";
  s.lines[0].precise = D("1234.567");
  s.lines[0].amount = D("1234.57");
  s.subtotal = D("1234.57");
  s.total = D("1232.07");
  s.policy_note = "Discounts <shared> & pro-rata.";
  return s;
}

TEST(RenderHtmlTest, IsOneSelfContainedEscapedPage) {
  const std::string html = RenderHtml(HtmlStatement(), "Northwind Cloud GmbH");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_NE(html.find("Northwind Cloud GmbH"), std::string::npos);
  EXPECT_NE(html.find("Smith &amp; Sons &lt;Ltd&gt; &quot;Q&quot; &#39;x&#39;"), std::string::npos);
  EXPECT_EQ(html.find("<Ltd>"), std::string::npos);
  EXPECT_NE(html.find("(acme)"), std::string::npos);
  EXPECT_NE(html.find("2023-11"), std::string::npos);
  EXPECT_NE(html.find("USD"), std::string::npos);
  EXPECT_NE(html.find("1,232.07"), std::string::npos);  // the total
  EXPECT_NE(html.find("1,234.57"), std::string::npos);  // the EC2 line
  EXPECT_NE(html.find("-2.50"), std::string::npos);
  EXPECT_NE(html.find("Discounts &lt;shared&gt; &amp; pro-rata."), std::string::npos);
  EXPECT_NE(html.find("class=\"watermark\">DRAFT<"), std::string::npos);
  // The chart: one bar, the only positive service, drawn inline.
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<rect"), std::string::npos);
  // Nothing to fetch: no URL, no script, no external resource.
  for (const char* forbidden :
       {"http://", "https://", "<script", "src=", "href=", "url(", "@import", "<link"}) {
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  }
}

TEST(RenderHtmlTest, FinalStatementHasItsInvoiceNumberAndNoWatermark) {
  Statement s = HtmlStatement();
  s.status = StatementStatus::kFinal;
  s.invoice_number = "NW-2023-0007";
  const std::string html = RenderHtml(s, "Northwind");
  EXPECT_NE(html.find("NW-2023-0007"), std::string::npos);
  EXPECT_EQ(html.find("DRAFT"), std::string::npos);
}

TEST(RenderHtmlTest, ChartHasOneBarPerServiceLargestFirst) {
  Statement s = SmallSet().statements[0];
  s.lines.insert(s.lines.begin(), {StatementLineKind::kCharge, "AmazonS3", "S3", D("0"), D("30"),
                                   D("30.00"), "", "", ""});
  // A second EC2 charge line (a discount) joins the EC2 bar: 12.01 - 2.00 = 10.01.
  s.lines.push_back({StatementLineKind::kCharge, "AmazonEC2", "EC2 (discount)", D("0"), D("-2"),
                     D("-2.00"), "", "", ""});
  const std::string html = RenderHtml(s, "Northwind");
  size_t bars = 0;
  for (size_t at = html.find("<rect"); at != std::string::npos; at = html.find("<rect", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 2u);
  const size_t s3 = html.find(">Amazon Simple Storage Service</text>");
  const size_t ec2 = html.find(">Amazon Elastic Compute Cloud</text>");
  ASSERT_NE(s3, std::string::npos);
  ASSERT_NE(ec2, std::string::npos);
  EXPECT_LT(s3, ec2);
  // Full width for the largest, 10.01 / 30 * 360 = 120.12 -> 120 px for the other.
  EXPECT_NE(html.find("width=\"360\""), std::string::npos);
  EXPECT_NE(html.find("width=\"120\""), std::string::npos);
  EXPECT_NE(html.find(">10.01</text>"), std::string::npos);
}

TEST(RenderHtmlTest, StatementWithoutLinesSaysSo) {
  const std::string html = RenderHtml(SmallSet().statements[1], "Northwind");
  EXPECT_NE(html.find("No charges in this period."), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Tanaka KK"), std::string::npos);
}

}  // namespace
}  // namespace rebill::report
