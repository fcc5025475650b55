#include "rebill/attribute/attribute.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace rebill::attribute {
namespace {

constexpr char kPayer1[] = "111111111111";
constexpr char kPayer2[] = "222222222222";

AllocatedLine Allocated(Bucket bucket, const std::string& customer, const std::string& payer,
                        const std::string& account, const std::string& service,
                        ChargeCategory category, const char* cost) {
  AllocatedLine line;
  line.bucket = bucket;
  line.customer = customer;
  line.payer_account = payer;
  line.usage_account = account;
  line.service = service;
  line.category = category;
  line.cost_basis = D(cost);
  return line;
}

PricedLine Priced(const std::string& customer, const std::string& account,
                  const std::string& service, const char* amount) {
  PricedLine line;
  line.customer = customer;
  line.usage_account = account;
  line.service = service;
  line.amount = D(amount);
  line.currency = "USD";
  return line;
}

Statement MakeStatement(const std::string& customer, const std::string& currency,
                        std::vector<std::pair<std::string, const char*>> lines) {
  Statement s;
  s.customer = customer;
  s.currency = currency;
  for (const auto& [service, amount] : lines) {
    StatementLine line;
    line.service = service;
    line.amount = D(amount);
    line.precise = line.amount;
    s.lines.push_back(line);
    s.total += line.amount;
  }
  s.subtotal = s.total;
  return s;
}

RunContext Context() {
  RunContext ctx;
  ctx.period = BillingPeriod::Parse("2023-11").value();
  return ctx;
}

// A small month, computed by hand:
//   allocated (amortized):          priced (precise):          statements (rounded):
//     acme   A1 AmazonEC2 10.00       acme   A1 EC2 11.00          acme:   EC2 11.00, S3 2.30
//     acme   A1 AmazonS3   2.00       acme   A1 S3   2.30                  total 13.30
//     globex A2 AmazonEC2  5.005      globex A2 EC2  5.5055        globex: EC2 5.51 (5.5055
//     half-up) reseller-retained A1 EC2 1.00 and unassigned A9 S3 0.50: no customer, no margin row.
// by customer:  acme   13.30 - 12.00  = 1.30    globex 5.51 - 5.005 = 0.505
// total:        18.81 - 17.005 = 1.805 (= 1.30 + 0.505)
// by service:   AmazonEC2 11.00 + 5.51 = 16.51 - (10.00 + 5.005) = 1.505
//               AmazonS3  2.30 - 2.00 = 0.30
// by account (precise revenue): A1 13.30 - 12.00 = 1.30; A2 5.5055 - 5.005 = 0.5005
// by customer/service: acme/AmazonEC2 1.00, acme/AmazonS3 0.30, globex/AmazonEC2 0.505
// margin %: acme 1.30 / 13.30 = 9.774..% -> 9.77; globex 0.505 / 5.51 = 9.165..% -> 9.17;
//           total 1.805 / 18.81 = 9.5960..% -> 9.60
struct Example {
  AllocatedLines allocated;
  PricedLines priced;
  StatementSet statements;
};

Example SmallExample() {
  Example e;
  e.allocated.cost_view = CostView::kAmortized;
  e.allocated.lines = {
      Allocated(Bucket::kCustomer, "acme", kPayer1, "A1", "AmazonEC2", ChargeCategory::kUsage,
                "10.00"),
      Allocated(Bucket::kCustomer, "acme", kPayer1, "A1", "AmazonS3", ChargeCategory::kUsage,
                "2.00"),
      Allocated(Bucket::kCustomer, "globex", kPayer1, "A2", "AmazonEC2", ChargeCategory::kUsage,
                "5.005"),
      Allocated(Bucket::kResellerRetained, "", kPayer1, "A1", "AmazonEC2",
                ChargeCategory::kCommitment, "1.00"),
      Allocated(Bucket::kUnassigned, "", kPayer1, "A9", "AmazonS3", ChargeCategory::kUsage, "0.50"),
  };
  e.priced.lines = {Priced("acme", "A1", "AmazonEC2", "11.00"),
                    Priced("acme", "A1", "AmazonS3", "2.30"),
                    Priced("globex", "A2", "AmazonEC2", "5.5055")};
  e.statements.period = BillingPeriod::Parse("2023-11").value();
  e.statements.statements = {
      MakeStatement("globex", "USD", {{"AmazonEC2", "5.51"}}),
      MakeStatement("acme", "USD", {{"AmazonEC2", "11.00"}, {"AmazonS3", "2.30"}})};
  e.statements.statements[0].lines[0].precise = D("5.5055");
  return e;
}

void ExpectRow(const MarginRow& row, const std::string& key, const char* revenue, const char* cost,
               const char* margin) {
  EXPECT_EQ(row.key, key);
  EXPECT_EQ(row.revenue, D(revenue)) << key;
  EXPECT_EQ(row.cost, D(cost)) << key;
  EXPECT_EQ(row.margin, D(margin)) << key;
  EXPECT_EQ(row.revenue - row.cost, row.margin) << key;
}

TEST(AttributeMarginTest, HandComputedExample) {
  Example e = SmallExample();
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  EXPECT_EQ(r.period.ToString(), "2023-11");
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.cost_view, CostView::kAmortized);

  ASSERT_EQ(r.by_customer.size(), 2u);  // sorted by key, whatever the statement order
  ExpectRow(r.by_customer[0], "acme", "13.30", "12.00", "1.30");
  ExpectRow(r.by_customer[1], "globex", "5.51", "5.005", "0.505");
  ExpectRow(r.total, "total", "18.81", "17.005", "1.805");
  EXPECT_EQ(r.by_customer[0].margin + r.by_customer[1].margin, r.total.margin);

  ASSERT_EQ(r.by_service.size(), 2u);
  ExpectRow(r.by_service[0], "AmazonEC2", "16.51", "15.005", "1.505");
  ExpectRow(r.by_service[1], "AmazonS3", "2.30", "2.00", "0.30");

  ASSERT_EQ(r.by_account.size(), 2u);
  ExpectRow(r.by_account[0], "A1", "13.30", "12.00", "1.30");
  ExpectRow(r.by_account[1], "A2", "5.5055", "5.005", "0.5005");

  ASSERT_EQ(r.by_customer_service.size(), 3u);
  ExpectRow(r.by_customer_service[0], "acme/AmazonEC2", "11.00", "10.00", "1.00");
  ExpectRow(r.by_customer_service[1], "acme/AmazonS3", "2.30", "2.00", "0.30");
  ExpectRow(r.by_customer_service[2], "globex/AmazonEC2", "5.51", "5.005", "0.505");
}

TEST(AttributeMarginTest, CustomerWithCostButNoStatementHasANegativeMargin) {
  Example e = SmallExample();
  e.allocated.lines.push_back(Allocated(Bucket::kCustomer, "initech", kPayer1, "A3", "AmazonS3",
                                        ChargeCategory::kUsage, "0.75"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  ASSERT_EQ(r.by_customer.size(), 3u);
  ExpectRow(r.by_customer[2], "initech", "0", "0.75", "-0.75");
  ExpectRow(r.total, "total", "18.81", "17.755", "1.055");
}

TEST(AttributeMarginTest, CurrencyIsMixedWhenStatementsDiffer) {
  Example e = SmallExample();
  e.statements.statements.push_back(MakeStatement("euro", "EUR", {}));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  EXPECT_EQ(r.currency, "mixed");
}

TEST(RenderMarginTest, JsonByCustomer) {
  Example e = SmallExample();
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  // DESIGN.md §6 fields first, as they were; the waterfall and the alerts follow.
  const std::string json = RenderMarginJson(r, "customer");
  EXPECT_EQ(json.substr(0, json.find("  \"waterfall\"")), R"json({
  "period": "2023-11",
  "currency": "USD",
  "cost_view": "amortized",
  "basis_cost_view": "amortized",
  "by": "customer",
  "rows": [
    {
      "key": "acme",
      "revenue": "13.30",
      "cost": "12.00",
      "margin": "1.30",
      "margin_percent": "9.77",
      "cost_basis": "12.00"
    },
    {
      "key": "globex",
      "revenue": "5.51",
      "cost": "5.005",
      "margin": "0.505",
      "margin_percent": "9.17",
      "cost_basis": "5.005"
    }
  ],
  "total": {
    "key": "total",
    "revenue": "18.81",
    "cost": "17.005",
    "margin": "1.805",
    "margin_percent": "9.60",
    "cost_basis": "17.005"
  },
)json");
  EXPECT_NE(json.find(R"("step": "price_book",
          "label": "Price-book markup / discount",
          "amount": "1.8005")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("alerts": [])"), std::string::npos) << json;
}

TEST(RenderMarginTest, CsvByEachGrouping) {
  Example e = SmallExample();
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  // 1.505 / 16.51 = 9.1156..%; 0.30 / 2.30 = 13.043..%
  EXPECT_EQ(RenderMarginCsv(r, "service"),
            "key,revenue,cost,margin,margin_percent,cost_basis\n"
            "AmazonEC2,16.51,15.005,1.505,9.12,15.005\n"
            "AmazonS3,2.30,2.00,0.30,13.04,2.00\n"
            "total,18.81,17.005,1.805,9.60,17.005\n");
  // 0.5005 / 5.5055 = 9.0909..%
  EXPECT_EQ(RenderMarginCsv(r, "account"),
            "key,revenue,cost,margin,margin_percent,cost_basis\n"
            "A1,13.30,12.00,1.30,9.77,12.00\n"
            "A2,5.5055,5.005,0.5005,9.09,5.005\n"
            "total,18.81,17.005,1.805,9.60,17.005\n");
  EXPECT_EQ(RenderMarginCsv(r, "customer-service"),
            "key,revenue,cost,margin,margin_percent,cost_basis\n"
            "acme/AmazonEC2,11.00,10.00,1.00,9.09,10.00\n"
            "acme/AmazonS3,2.30,2.00,0.30,13.04,2.00\n"
            "globex/AmazonEC2,5.51,5.005,0.505,9.17,5.005\n"
            "total,18.81,17.005,1.805,9.60,17.005\n");
}

MarginReport ReportOf(std::vector<MarginRow> rows) {
  MarginReport r;
  r.period = BillingPeriod::Parse("2023-11").value();
  r.currency = "USD";
  r.by_customer = std::move(rows);
  r.total = {"total", D("0"), D("5"), D("-5"), D("0")};
  return r;
}

TEST(RenderMarginTest, MarginPercentRoundsHalfUpOnceAndIsNullWithoutRevenue) {
  MarginReport r = ReportOf({
      {"a-tie", D("200"), D("199.99"), D("0.01"), D("0")},            // 0.005% -> 0.01
      {"b-negative-tie", D("200"), D("200.01"), D("-0.01"), D("0")},  // -0.005% -> -0.01
      {"c-third", D("3"), D("2"), D("1"), D("0")},                    // 33.33..%
      {"d-two-thirds", D("3"), D("1"), D("2"), D("0")},               // 66.66..% -> 66.67
      // 12.3449999999999999995%: half-up to 2 digits is 12.34; rounding to 18 digits first
      // would give 12.345 and then 12.35.
      {"e-double-rounding", D("1000"), D("876.550000000000000005"), D("123.449999999999999995"),
       D("0")},
      {"f-large", D("0.01"), D("-99.99"), D("100"), D("0")},  // 1000000%
      {"g-comma,key", D("1"), D("1"), D("0"), D("0")},
  });
  EXPECT_EQ(RenderMarginCsv(r, "customer"),
            "key,revenue,cost,margin,margin_percent,cost_basis\n"
            "a-tie,200.00,199.99,0.01,0.01,0.00\n"
            "b-negative-tie,200.00,200.01,-0.01,-0.01,0.00\n"
            "c-third,3.00,2.00,1.00,33.33,0.00\n"
            "d-two-thirds,3.00,1.00,2.00,66.67,0.00\n"
            "e-double-rounding,1000.00,876.550000000000000005,123.449999999999999995,12.34,0.00\n"
            "f-large,0.01,-99.99,100.00,1000000.00,0.00\n"
            "\"g-comma,key\",1.00,1.00,0.00,0.00,0.00\n"
            "total,0.00,5.00,-5.00,,0.00\n");
  const std::string json = RenderMarginJson(r, "customer");
  EXPECT_NE(json.find(R"("margin_percent": "12.34")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("margin_percent": null)"), std::string::npos) << json;
}

AllocatedLine Kept(const std::string& earned_by, const std::string& account,
                   ChargeCategory category, const char* cost) {
  AllocatedLine line =
      Allocated(Bucket::kResellerRetained, "", kPayer1, account, "AmazonEC2", category, cost);
  line.earned_by = earned_by;
  return line;
}

// The small example with what the reseller kept: acme's usage earned a Savings Plan benefit of
// 0.30 and an EDP discount of 0.20 the reseller kept; globex's account got an AWS credit of 0.10
// the reseller kept; 0.40 of support and the 1.00 commitment fee no customer carries.
//   true cost acme   = 12.00 - 0.30 - 0.20 = 11.50   margin 13.30 - 11.50 = 1.80
//   true cost globex = 5.005 - 0.10        = 4.905   margin 5.51 - 4.905  = 0.605
//   total margin 2.405; net of absorbed support 0.40 and fee 1.00: 1.005
TEST(AttributeMarginTest, TrueCostCountsWhatTheResellerKeptOfWhatACustomerEarned) {
  Example e = SmallExample();
  e.allocated.lines[0].list_cost = D("10.50");  // EC2 covered by the plan: on-demand 10.50
  e.allocated.lines[0].commitment_arn = "sp-1";
  e.allocated.lines[1].list_cost = D("2.00");
  e.allocated.lines[2].list_cost = D("5.005");
  e.allocated.lines.push_back(Kept("acme", "A1", ChargeCategory::kUsage, "-0.30"));
  e.allocated.lines.push_back(Kept("acme", "A1", ChargeCategory::kDiscount, "-0.20"));
  e.allocated.lines.push_back(Kept("globex", "A2", ChargeCategory::kCredit, "-0.10"));
  e.allocated.lines.push_back(Kept("", kPayer1, ChargeCategory::kSupport, "0.40"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  ExpectRow(r.by_customer[0], "acme", "13.30", "11.50", "1.80");
  ExpectRow(r.by_customer[1], "globex", "5.51", "4.905", "0.605");
  EXPECT_EQ(r.by_customer[0].cost_basis, D("12.00"));
  ExpectRow(r.total, "total", "18.81", "16.405", "2.405");
  ExpectRow(r.by_account[0], "A1", "13.30", "11.50", "1.80");
  ExpectRow(r.by_customer_service[0], "acme/AmazonEC2", "11.00", "9.50", "1.50");

  ASSERT_EQ(r.waterfalls.size(), 2u);
  const Waterfall& acme = r.waterfalls[0];
  EXPECT_EQ(acme.list_price, D("12.50"));
  EXPECT_EQ(acme[WaterfallStep::kCommitmentBenefitPassed], D("-0.50"));  // 10.00 - 10.50
  EXPECT_EQ(acme.cost_basis, D("12.00"));
  EXPECT_EQ(acme[WaterfallStep::kPriceBook], D("1.30"));
  EXPECT_EQ(acme.customer_price, D("13.30"));
  EXPECT_EQ(acme[WaterfallStep::kCommitmentBenefitKept], D("-0.30"));
  EXPECT_EQ(acme[WaterfallStep::kChannelDiscountsKept], D("-0.20"));
  EXPECT_EQ(acme.reseller_cost, D("11.50"));
  EXPECT_EQ(r.waterfalls[1][WaterfallStep::kCreditsKept], D("-0.10"));
  EXPECT_EQ(r.waterfalls[1][WaterfallStep::kRounding], D("0.0045"));  // 5.51 - 5.5055
  const Waterfall& total = r.total_waterfall;
  EXPECT_EQ(total.margin, D("2.405"));
  EXPECT_EQ(total[WaterfallStep::kSupportAbsorbed], D("-0.40"));
  EXPECT_EQ(total[WaterfallStep::kCommitmentFeesAbsorbed], D("-1.00"));
  EXPECT_EQ(total.net_margin, D("1.005"));
  EXPECT_OK(CheckWaterfall(total));
}

// The margin's cost view differs from the one customers were priced on: the difference is the
// cost view step, and the true cost comes from the other allocation.
TEST(AttributeMarginTest, TrueCostInAnotherCostView) {
  Example e = SmallExample();
  AllocatedLines cash = e.allocated;
  cash.cost_view = CostView::kUnblended;
  cash.lines[0].cost_basis = D("9.00");  // acme EC2 cash 9.00 against 10.00 amortized
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r,
                       AttributeMargin(e.allocated, cash, e.priced, e.statements, ctx));
  EXPECT_EQ(r.cost_view, CostView::kUnblended);
  EXPECT_EQ(r.basis_cost_view, CostView::kAmortized);
  ExpectRow(r.by_customer[0], "acme", "13.30", "11.00", "2.30");
  EXPECT_EQ(r.by_customer[0].cost_basis, D("12.00"));
  EXPECT_EQ(r.waterfalls[0][WaterfallStep::kCostView], D("-1.00"));
}

// A EUR customer billed at 1 USD = 0.9 EUR: revenue converts back at that rate; what dividing
// leaves over is the FX step, and the customer's waterfall still adds up exactly.
TEST(AttributeMarginTest, CustomerInAnotherCurrency) {
  Example e = SmallExample();
  e.allocated.lines.push_back(Allocated(Bucket::kCustomer, "euro", kPayer1, "A3", "AmazonS3",
                                        ChargeCategory::kUsage, "1.00"));
  PricedLine p = Priced("euro", "A3", "AmazonS3", "0.99");  // 1.10 USD x 0.9
  p.currency = "EUR";
  e.priced.lines.push_back(p);
  PricedLine fee = Priced("euro", "", "Managed", "0.10");
  fee.kind = StatementLineKind::kFee;
  e.priced.lines.push_back(fee);
  Statement euro = MakeStatement("euro", "EUR", {{"AmazonS3", "0.99"}, {"Managed", "0.10"}});
  euro.lines[1].kind = StatementLineKind::kFee;
  euro.fx = FxRate{"USD", "EUR", D("0.9"), "test"};
  e.statements.statements.push_back(euro);
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  EXPECT_EQ(r.currency, "USD");
  // 0.99 / 0.9 = 1.10; 0.10 / 0.9 = 0.111111111111111111 (18 digits, half-even)
  ExpectRow(r.by_customer[1], "euro", "1.211111111111111111", "1.00", "0.211111111111111111");
  const Waterfall& w = r.waterfalls[1];
  EXPECT_EQ(w[WaterfallStep::kPriceBook], D("0.10"));
  EXPECT_EQ(w[WaterfallStep::kFees], D("0.111111111111111111"));
  EXPECT_EQ(w[WaterfallStep::kFx], D("0"));
  EXPECT_OK(CheckWaterfall(w));
}

TEST(AttributeMarginTest, StatementThatDiffersFromItsPricedLinesStopsTheRun) {
  Example e = SmallExample();
  // acme's statement carries a cent its priced lines do not.
  e.statements.statements[1].lines[0].amount = D("11.01");
  e.statements.statements[1].lines[0].precise = D("11.01");
  RunContext ctx = Context();
  Result<MarginReport> r = AttributeMargin(e.allocated, e.priced, e.statements, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("waterfall adds up"), std::string::npos)
      << r.status().message();
}

TEST(CheckWaterfallTest, NamesTheLegThatDoesNotAddUp) {
  Waterfall w;
  w.key = "acme";
  w.list_price = D("10");
  w[WaterfallStep::kCommitmentBenefitPassed] = D("-2");
  w.cost_basis = D("8");
  w[WaterfallStep::kPriceBook] = D("1");
  w.customer_price = D("9");
  w.reseller_cost = D("8");
  w.margin = D("1");
  w.net_margin = D("1");
  EXPECT_OK(CheckWaterfall(w));
  w[WaterfallStep::kFees] = D("0.01");
  Status s = CheckWaterfall(w);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("customer price"), std::string::npos) << s.message();
}

TEST(RaiseAlertsTest, EveryKind) {
  Example e = SmallExample();
  e.allocated.lines.push_back(Allocated(Bucket::kCustomer, "initech", kPayer1, "A3", "AmazonS3",
                                        ChargeCategory::kUsage, "0.75"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport margin,
                       AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  Reconciliation rec;
  rec.currency = "USD";
  rec.payers.push_back(
      PayerReconciliation{kPayer1, D("20"), D("18"), D("1"), D("0.50"), D("0.50"), {}, {}});
  NormalizedMonth month;
  CurLine odd;
  odd.type = LineItemType::kUnknown;
  odd.type_text = "BrandNewType";
  odd.cost.amortized = D("3.25");
  month.lines = {odd, odd};
  // acme 9.77% and globex 9.17% are below 9.5%? Only globex is.
  std::vector<Alert> alerts = RaiseAlerts(margin, rec, month, {D("9.5")});
  ASSERT_EQ(alerts.size(), 5u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kLowMargin);
  EXPECT_EQ(alerts[0].subject, "globex");
  EXPECT_EQ(alerts[1].kind, AlertKind::kNegativeMargin);
  EXPECT_EQ(alerts[1].subject, "initech");
  EXPECT_EQ(alerts[1].amount, D("-0.75"));
  EXPECT_EQ(alerts[2].kind, AlertKind::kUnassignedSpend);
  EXPECT_EQ(alerts[2].amount, D("0.50"));
  EXPECT_EQ(alerts[3].kind, AlertKind::kUnbalancedReconciliation);
  EXPECT_EQ(alerts[4].kind, AlertKind::kQuarantinedLineItems);
  EXPECT_EQ(alerts[4].subject, "BrandNewType");
  EXPECT_EQ(alerts[4].amount, D("6.50"));
  EXPECT_NE(alerts[4].message.find("2 line(s)"), std::string::npos) << alerts[4].message;
  // Without a threshold only the negative margin is about margin.
  EXPECT_EQ(RaiseAlerts(margin, rec, month, {}).size(), 4u);
}

TEST(MarginStorageTest, RoundTripAndCombineAcrossPeriods) {
  Example e = SmallExample();
  e.allocated.lines.push_back(Kept("acme", "A1", ChargeCategory::kUsage, "-0.30"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport first,
                       AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  first.alerts.push_back({AlertKind::kUnassignedSpend, "2023-11", kPayer1, D("0.5"), "x"});
  ASSERT_OK_AND_ASSIGN(MarginReport parsed, ParseMarginReportJson(MarginReportToJson(first)));
  EXPECT_EQ(parsed.by_customer, first.by_customer);
  EXPECT_EQ(parsed.by_customer_service, first.by_customer_service);
  EXPECT_EQ(parsed.waterfalls, first.waterfalls);
  EXPECT_EQ(parsed.total_waterfall, first.total_waterfall);
  EXPECT_EQ(parsed.alerts, first.alerts);

  MarginReport second = first;
  second.period = second.through = BillingPeriod::Parse("2023-12").value();
  ASSERT_OK_AND_ASSIGN(MarginReport both, CombineMargins({first, second}));
  EXPECT_EQ(both.period.ToString(), "2023-11");
  EXPECT_EQ(both.through.ToString(), "2023-12");
  ExpectRow(both.by_customer[0], "acme", "26.60", "23.40", "3.20");
  // Each period: acme 13.30 - 11.70, globex 5.51 - 5.005; total 18.81 - 16.705 = 2.105.
  ExpectRow(both.total, "total", "37.62", "33.41", "4.21");
  EXPECT_EQ(both.total_waterfall.margin, D("4.21"));
  EXPECT_EQ(both.alerts.size(), 2u);
  EXPECT_NE(RenderMarginJson(both, "customer").find(R"("through": "2023-12")"), std::string::npos);

  second.cost_view = CostView::kUnblended;
  EXPECT_EQ(CombineMargins({first, second}).status().code(), StatusCode::kInvalidInput);
  EXPECT_FALSE(ParseMarginReportJson("{}").ok());
}

TEST(RenderMarginTest, HtmlIsSelfContainedWithCharts) {
  Example e = SmallExample();
  e.allocated.lines.push_back(Allocated(Bucket::kCustomer, "initech", kPayer1, "A3", "AmazonS3",
                                        ChargeCategory::kUsage, "0.75"));
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  r.alerts.push_back({AlertKind::kNegativeMargin, "2023-11", "initech", D("-0.75"), "a <b> & c"});
  const std::string html = RenderMarginHtml(r, "Northwind & Co");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<title>Margin by customer</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>Margin by service</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>List price to customer price</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>Cost basis to reseller cost</title>"), std::string::npos);
  EXPECT_NE(html.find("a &lt;b&gt; &amp; c"), std::string::npos);
  EXPECT_NE(html.find("Northwind &amp; Co"), std::string::npos);
  EXPECT_NE(html.find("-0.75"), std::string::npos);
  // Nothing is loaded from anywhere: no scripts, links, images or external references.
  for (const char* banned : {"<script", "<link", "<img", "src=", "href=", "url(", "@import"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  size_t http = 0, pos = 0;
  while ((pos = html.find("http", pos)) != std::string::npos) ++http, ++pos;
  size_t xmlns = 0;
  pos = 0;
  while ((pos = html.find("xmlns=\"http://www.w3.org/2000/svg\"", pos)) != std::string::npos) {
    ++xmlns, ++pos;
  }
  EXPECT_EQ(http, xmlns);  // the SVG namespace name is the only URL, and it is never fetched
}

CurLine Cur(const std::string& payer, const char* amortized, const char* unblended = "99") {
  CurLine line;
  line.payer_account = payer;
  line.currency = "USD";
  line.cost.amortized = D(amortized);
  line.cost.unblended = D(unblended);
  return line;
}

// Payer 1's CUR total 1.00000000001 + 0.68230869739 = 1.68230869740 is carried by acme
// (1.00000000001), the reseller (0.5) and Unassigned (0.18230869739); payer 2's 3.5 by globex.
struct ReconcileExample {
  NormalizedMonth month;
  AllocatedLines allocated;
};

ReconcileExample Balanced() {
  ReconcileExample e;
  e.month.period = BillingPeriod::Parse("2023-11").value();
  e.month.display_scale = 11;
  e.month.lines = {Cur(kPayer2, "3.5"), Cur(kPayer1, "1.00000000001"),
                   Cur(kPayer1, "0.68230869739")};
  e.allocated.cost_view = CostView::kAmortized;
  e.allocated.lines = {
      Allocated(Bucket::kCustomer, "acme", kPayer1, "A1", "AmazonEC2", ChargeCategory::kUsage,
                "1.00000000001"),
      Allocated(Bucket::kResellerRetained, "", kPayer1, "A1", "AmazonEC2",
                ChargeCategory::kCommitment, "0.5"),
      Allocated(Bucket::kUnassigned, "", kPayer1, "A9", "AmazonS3", ChargeCategory::kUsage,
                "0.18230869739"),
      Allocated(Bucket::kCustomer, "globex", kPayer2, "A2", "AmazonEC2", ChargeCategory::kUsage,
                "4.0"),
      Allocated(Bucket::kCustomer, "globex", kPayer2, "A2", "AmazonEC2", ChargeCategory::kCredit,
                "-0.5"),
  };
  return e;
}

TEST(ReconcileTest, BalancedMonth) {
  ReconcileExample e = Balanced();
  Reconciliation r = Reconcile(e.month, e.allocated);
  EXPECT_TRUE(r.balanced);
  EXPECT_EQ(r.period.ToString(), "2023-11");
  EXPECT_EQ(r.cost_view, CostView::kAmortized);
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.display_scale, 11);
  ASSERT_EQ(r.payers.size(), 2u);
  const PayerReconciliation& p1 = r.payers[0];
  EXPECT_EQ(p1.payer, kPayer1);
  EXPECT_EQ(p1.cur_total, D("1.68230869740"));
  EXPECT_EQ(p1.customers, D("1.00000000001"));
  EXPECT_EQ(p1.reseller_retained, D("0.5"));
  EXPECT_EQ(p1.unassigned, D("0.18230869739"));
  EXPECT_TRUE(p1.difference.IsZero());
  EXPECT_EQ(p1.components[static_cast<size_t>(ChargeCategory::kUsage)], D("1.1823086974"));
  EXPECT_EQ(p1.components[static_cast<size_t>(ChargeCategory::kCommitment)], D("0.5"));
  const PayerReconciliation& p2 = r.payers[1];
  EXPECT_EQ(p2.payer, kPayer2);
  EXPECT_EQ(p2.cur_total, D("3.5"));
  EXPECT_EQ(p2.customers, D("3.5"));
  EXPECT_EQ(p2.components[static_cast<size_t>(ChargeCategory::kCredit)], D("-0.5"));
}

// Once final, each bill/InvoiceId reconciles on its own: payer 1's rows are on two invoices.
TEST(ReconcileTest, PerInvoiceOnceFinal) {
  ReconcileExample e = Balanced();
  for (CurLine& line : e.month.lines) {
    line.invoice_id = line.payer_account == kPayer1 ? "INV-1" : "INV-9";
  }
  // The rows each part came from: acme row 1; retained and unassigned row 2; globex row 0.
  const uint32_t rows[] = {1, 2, 2, 0, 0};
  for (size_t i = 0; i < e.allocated.lines.size(); ++i) e.allocated.lines[i].line = rows[i];
  Reconciliation open = Reconcile(e.month, e.allocated);
  EXPECT_TRUE(open.balanced);
  ASSERT_EQ(open.payers[0].invoices.size(), 1u);
  EXPECT_EQ(open.payers[0].invoices[0].invoice_id, "INV-1");
  EXPECT_EQ(open.payers[0].invoices[0].cur_total, D("1.68230869740"));
  EXPECT_EQ(open.payers[0].invoices[0].allocated, D("1.68230869740"));
  EXPECT_TRUE(open.payers[0].invoices[0].difference.IsZero());
  EXPECT_NE(RenderReconcileJson(open).find(R"("invoice_id": "INV-1")"), std::string::npos);

  // An allocated part that lands on the wrong invoice unbalances both invoices, not the payer.
  e.month.lines[1].invoice_id = "INV-2";
  e.allocated.lines[0].line = 2;  // acme's part, from row 1 (INV-2), booked on row 2 (INV-1)
  Reconciliation moved = Reconcile(e.month, e.allocated);
  EXPECT_FALSE(moved.balanced);
  EXPECT_TRUE(moved.payers[0].difference.IsZero());
  ASSERT_EQ(moved.payers[0].invoices.size(), 2u);
  EXPECT_FALSE(moved.payers[0].invoices[0].difference.IsZero());
  EXPECT_EQ(moved.payers[0].invoices[0].difference, -moved.payers[0].invoices[1].difference);

  // A month still being estimated has no invoice ids: no per-invoice lines.
  e.month.lines[2].invoice_id = Interned();
  EXPECT_TRUE(Reconcile(e.month, e.allocated).payers[0].invoices.empty());
}

TEST(ReconcileTest, UsesTheAllocatedCostView) {
  ReconcileExample e = Balanced();
  e.allocated.cost_view = CostView::kUnblended;  // every CUR line's unblended cost is 99
  Reconciliation r = Reconcile(e.month, e.allocated);
  EXPECT_FALSE(r.balanced);
  EXPECT_EQ(r.payers.at(0).cur_total, D("198"));
  EXPECT_EQ(r.payers.at(0).difference, D("196.31769130260"));
}

TEST(ReconcileTest, UnbalancedPayersAreReportedNotHidden) {
  ReconcileExample e = Balanced();
  e.allocated.lines.pop_back();  // globex's credit: payer 2 now carries 0.5 too much
  e.allocated.lines.push_back(Allocated(Bucket::kCustomer, "initech", "333333333333", "A3",
                                        "AmazonS3", ChargeCategory::kUsage, "1"));
  Reconciliation r = Reconcile(e.month, e.allocated);
  EXPECT_FALSE(r.balanced);
  ASSERT_EQ(r.payers.size(), 3u);
  EXPECT_TRUE(r.payers[0].difference.IsZero());
  EXPECT_EQ(r.payers[1].difference, D("-0.5"));
  // Allocated cost for a payer the CUR does not have.
  EXPECT_EQ(r.payers[2].payer, "333333333333");
  EXPECT_TRUE(r.payers[2].cur_total.IsZero());
  EXPECT_EQ(r.payers[2].difference, D("-1"));
}

TEST(ReconcileTest, EmptyMonthIsBalanced) {
  NormalizedMonth month;
  month.period = BillingPeriod::Parse("2023-11").value();
  Reconciliation r = Reconcile(month, AllocatedLines{});
  EXPECT_TRUE(r.balanced);
  EXPECT_TRUE(r.payers.empty());
  EXPECT_EQ(r.currency, "USD");
}

TEST(ReconcileTest, CurrencyComesFromTheLines) {
  ReconcileExample e = Balanced();
  for (CurLine& line : e.month.lines) line.currency = "EUR";
  EXPECT_EQ(Reconcile(e.month, e.allocated).currency, "EUR");
}

TEST(RenderReconcileTest, JsonPrintsAmountsAtTheDisplayScale) {
  ReconcileExample e = Balanced();
  e.allocated.lines.pop_back();
  Reconciliation r = Reconcile(e.month, e.allocated);
  EXPECT_EQ(RenderReconcileJson(r), R"json({
  "period": "2023-11",
  "cost_view": "amortized",
  "currency": "USD",
  "balanced": false,
  "payers": [
    {
      "payer": "111111111111",
      "cur_total": "1.68230869740",
      "customers": "1.00000000001",
      "reseller_retained": "0.50000000000",
      "unassigned": "0.18230869739",
      "difference": "0.00000000000",
      "balanced": true,
      "components": {
        "usage": "1.18230869740",
        "commitment": "0.50000000000",
        "credit": "0.00000000000",
        "refund": "0.00000000000",
        "discount": "0.00000000000",
        "tax": "0.00000000000",
        "marketplace": "0.00000000000",
        "support": "0.00000000000"
      }
    },
    {
      "payer": "222222222222",
      "cur_total": "3.50000000000",
      "customers": "4.00000000000",
      "reseller_retained": "0.00000000000",
      "unassigned": "0.00000000000",
      "difference": "-0.50000000000",
      "balanced": false,
      "components": {
        "usage": "4.00000000000",
        "commitment": "0.00000000000",
        "credit": "0.00000000000",
        "refund": "0.00000000000",
        "discount": "0.00000000000",
        "tax": "0.00000000000",
        "marketplace": "0.00000000000",
        "support": "0.00000000000"
      }
    }
  ]
}
)json");
}

TEST(RenderReconcileTest, TextIsAnAlignedTable) {
  ReconcileExample e = Balanced();
  e.month.display_scale = 2;
  e.allocated.lines.pop_back();
  const std::string text = RenderReconcileText(Reconcile(e.month, e.allocated));
  // At display scale 2 the CUR total still prints all ten of its digits.
  EXPECT_EQ(text,
            "reconciliation 2023-11 (amortized, USD): NOT balanced\n"
            "  payer            CUR total      customers  reseller retained     unassigned  "
            "difference\n"
            "  111111111111  1.6823086974  1.00000000001               0.50  0.18230869739  "
            "      0.00  ok\n"
            "  222222222222          3.50           4.00               0.00           0.00  "
            "     -0.50  DIFFERENCE\n");
}

}  // namespace
}  // namespace rebill::attribute
