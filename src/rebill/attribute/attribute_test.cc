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
  EXPECT_EQ(RenderMarginJson(r, "customer"), R"json({
  "period": "2023-11",
  "currency": "USD",
  "cost_view": "amortized",
  "by": "customer",
  "rows": [
    {
      "key": "acme",
      "revenue": "13.30",
      "cost": "12.00",
      "margin": "1.30",
      "margin_percent": "9.77"
    },
    {
      "key": "globex",
      "revenue": "5.51",
      "cost": "5.005",
      "margin": "0.505",
      "margin_percent": "9.17"
    }
  ],
  "total": {
    "key": "total",
    "revenue": "18.81",
    "cost": "17.005",
    "margin": "1.805",
    "margin_percent": "9.60"
  }
}
)json");
}

TEST(RenderMarginTest, CsvByEachGrouping) {
  Example e = SmallExample();
  RunContext ctx = Context();
  ASSERT_OK_AND_ASSIGN(MarginReport r, AttributeMargin(e.allocated, e.priced, e.statements, ctx));
  // 1.505 / 16.51 = 9.1156..%; 0.30 / 2.30 = 13.043..%
  EXPECT_EQ(RenderMarginCsv(r, "service"),
            "key,revenue,cost,margin,margin_percent\n"
            "AmazonEC2,16.51,15.005,1.505,9.12\n"
            "AmazonS3,2.30,2.00,0.30,13.04\n"
            "total,18.81,17.005,1.805,9.60\n");
  // 0.5005 / 5.5055 = 9.0909..%
  EXPECT_EQ(RenderMarginCsv(r, "account"),
            "key,revenue,cost,margin,margin_percent\n"
            "A1,13.30,12.00,1.30,9.77\n"
            "A2,5.5055,5.005,0.5005,9.09\n"
            "total,18.81,17.005,1.805,9.60\n");
  EXPECT_EQ(RenderMarginCsv(r, "customer-service"),
            "key,revenue,cost,margin,margin_percent\n"
            "acme/AmazonEC2,11.00,10.00,1.00,9.09\n"
            "acme/AmazonS3,2.30,2.00,0.30,13.04\n"
            "globex/AmazonEC2,5.51,5.005,0.505,9.17\n"
            "total,18.81,17.005,1.805,9.60\n");
}

MarginReport ReportOf(std::vector<MarginRow> rows) {
  MarginReport r;
  r.period = BillingPeriod::Parse("2023-11").value();
  r.currency = "USD";
  r.by_customer = std::move(rows);
  r.total = {"total", D("0"), D("5"), D("-5")};
  return r;
}

TEST(RenderMarginTest, MarginPercentRoundsHalfUpOnceAndIsNullWithoutRevenue) {
  MarginReport r = ReportOf({
      {"a-tie", D("200"), D("199.99"), D("0.01")},            // 0.005% -> 0.01
      {"b-negative-tie", D("200"), D("200.01"), D("-0.01")},  // -0.005% -> -0.01
      {"c-third", D("3"), D("2"), D("1")},                    // 33.33..%
      {"d-two-thirds", D("3"), D("1"), D("2")},               // 66.66..% -> 66.67
      // 12.3449999999999999995%: half-up to 2 digits is 12.34; rounding to 18 digits first
      // would give 12.345 and then 12.35.
      {"e-double-rounding", D("1000"), D("876.550000000000000005"), D("123.449999999999999995")},
      {"f-large", D("0.01"), D("-99.99"), D("100")},  // 1000000%
      {"g-comma,key", D("1"), D("1"), D("0")},
  });
  EXPECT_EQ(RenderMarginCsv(r, "customer"),
            "key,revenue,cost,margin,margin_percent\n"
            "a-tie,200.00,199.99,0.01,0.01\n"
            "b-negative-tie,200.00,200.01,-0.01,-0.01\n"
            "c-third,3.00,2.00,1.00,33.33\n"
            "d-two-thirds,3.00,1.00,2.00,66.67\n"
            "e-double-rounding,1000.00,876.550000000000000005,123.449999999999999995,12.34\n"
            "f-large,0.01,-99.99,100.00,1000000.00\n"
            "\"g-comma,key\",1.00,1.00,0.00,0.00\n"
            "total,0.00,5.00,-5.00,\n");
  const std::string json = RenderMarginJson(r, "customer");
  EXPECT_NE(json.find(R"("margin_percent": "12.34")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("margin_percent": null)"), std::string::npos) << json;
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
