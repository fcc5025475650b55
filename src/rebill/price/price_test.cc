#include "rebill/price/price.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "testing/status_matchers.h"

namespace rebill::price {
namespace {

Timestamp Oct(unsigned day, int hour = 0) { return TimestampFromCivil(2026, 10, day, hour); }

Scope S(std::string service, std::string usage_type = "", std::string entity = "") {
  Scope s;
  s.service = std::move(service);
  s.usage_type = std::move(usage_type);
  s.billing_entity = std::move(entity);
  return s;
}

class PriceTest : public ::testing::Test {
 protected:
  // Adds a canonical line and the customer-bucket allocation of all of it.
  void Add(const char* service, const char* basis, Timestamp start, const char* usage = "1",
           ChargeCategory category = ChargeCategory::kUsage, const char* entity = "AWS") {
    CurLine line;
    line.period = BillingPeriod::Make(2026, 10).value();
    line.usage_account = "111111111111";
    line.product_code = service;
    line.usage_type = std::string(service) + "-Usage";
    line.billing_entity = entity;
    line.usage_start = start;
    line.usage_amount = D(usage);
    line.cost.amortized = D(basis);
    line.cost.public_on_demand = D(basis);
    month_.lines.push_back(line);
    AllocatedLine a;
    a.line = static_cast<uint32_t>(month_.lines.size() - 1);
    a.bucket = Bucket::kCustomer;
    a.customer = "acme";
    a.usage_account = line.usage_account;
    a.service = service;
    a.category = category;
    a.cost_basis = D(basis);
    a.list_cost = D(basis);
    allocated_.lines.push_back(a);
  }

  Plan& NewPlan(const std::string& id) {
    book_.plans[id].id = id;
    return book_.plans[id];
  }

  void OnPlans(std::vector<PlanAssignment> plans) {
    CustomerPricing c;
    c.customer = "acme";
    c.currency = "USD";
    c.plans = std::move(plans);
    book_.customers = {c};
  }

  Result<PricedLines> Run() {
    RunContext ctx;
    ctx.period = BillingPeriod::Make(2026, 10).value();
    return Price(month_, allocated_, book_, ctx);
  }

  static Rule R(const char* name, RuleType type, const char* value, Scope scope = {}) {
    Rule r;
    r.name = name;
    r.type = type;
    r.scope = std::move(scope);
    if (type == RuleType::kRate) r.rate = D(value);
    if (type == RuleType::kFree) r.allowance = D(value);
    if (type == RuleType::kMarkup || type == RuleType::kDiscount) r.percent = D(value);
    r.config_key = name;
    return r;
  }

  NormalizedMonth month_;
  AllocatedLines allocated_;
  PriceBook book_;
};

TEST_F(PriceTest, TheMostSpecificScopeWinsUnlessAPriorityDecides) {
  Plan& plan = NewPlan("std");
  plan.rules = {R("base", RuleType::kMarkup, "10"),
                R("ec2", RuleType::kDiscount, "3", S("AmazonEC2")),
                R("ec2-box", RuleType::kMarkup, "1", S("AmazonEC2", "AmazonEC2-*"))};
  OnPlans({{"std"}});
  Add("AmazonEC2", "100", Oct(1));
  Add("AmazonS3", "100", Oct(1));
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  ASSERT_EQ(priced.lines.size(), 2u);
  EXPECT_EQ(priced.lines[0].amount, D("101"));  // service + usage type beats service
  EXPECT_EQ(priced.lines[0].rule, "std/ec2-box: markup 1%");
  EXPECT_EQ(priced.lines[1].amount, D("110"));  // only the global rule matches S3

  plan.rules[1].priority = 5;  // an explicit priority beats specificity
  ASSERT_OK_AND_ASSIGN(priced, Run());
  EXPECT_EQ(priced.lines[0].amount, D("97"));
  EXPECT_EQ(priced.lines[0].rule, "std/ec2: discount 3%");
}

TEST_F(PriceTest, RateOverrideAndNoRuleAtCost) {
  NewPlan("std").rules = {R("s3", RuleType::kRate, "0.021", S("AmazonS3"))};
  OnPlans({{"std"}});
  Add("AmazonS3", "2.30", Oct(1), "100");
  Add("AmazonEC2", "5", Oct(1));
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  EXPECT_EQ(priced.lines[0].amount, D("2.1"));  // 100 units at 0.021
  EXPECT_EQ(priced.lines[1].amount, D("5"));
  EXPECT_EQ(priced.lines[1].rule, "no rule matched: at cost");
}

// A tiered discount by monthly spend: 0 % up to 1000, 5 % from 1000 to 3000, 10 % beyond. The
// month's usage crosses 1000 in the middle of its third line.
TEST_F(PriceTest, TieredDiscountCrossesATierBoundaryMidMonth) {
  Rule tiers;
  tiers.name = "volume";
  tiers.type = RuleType::kTiered;
  tiers.tiers = {{D("1000"), D("0")}, {D("3000"), D("-5")}, {std::nullopt, D("-10")}};
  NewPlan("std").rules = {tiers};
  OnPlans({{"std"}});
  Add("AmazonEC2", "400", Oct(3));
  Add("AmazonEC2", "2500", Oct(20));  // later in the month, priced after the one below
  Add("AmazonEC2", "400", Oct(10));
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  // In time order: 400 (spend 400), 400 (spend 800), then 2500: 200 at 0 %, 2000 at -5 %,
  // 300 at -10 % -> 200 + 1900 + 270 = 2370.
  EXPECT_EQ(priced.lines[0].amount, D("400"));
  EXPECT_EQ(priced.lines[1].amount, D("2370"));
  EXPECT_EQ(priced.lines[2].amount, D("400"));
}

// Lines of the same start fill the tiers in their own order; a start far outside the month
// (a late correction dated years back) still comes first.
TEST_F(PriceTest, TiersFillInTimeOrderThenInLineOrder) {
  Rule tiers;
  tiers.name = "volume";
  tiers.type = RuleType::kTiered;
  tiers.tiers = {{D("1000"), D("0")}, {std::nullopt, D("-10")}};
  NewPlan("std").rules = {tiers};
  OnPlans({{"std"}});
  Add("AmazonEC2", "600", Oct(20));
  Add("AmazonEC2", "600", Oct(5));
  Add("AmazonEC2", "600", Oct(5));
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  EXPECT_EQ(priced.lines[1].amount, D("600"));  // spend 0 -> 600
  EXPECT_EQ(priced.lines[2].amount, D("580"));  // 400 at 0 %, 200 at -10 %
  EXPECT_EQ(priced.lines[0].amount, D("540"));

  Add("AmazonEC2", "600", TimestampFromCivil(1999, 12, 31, 23));
  ASSERT_OK_AND_ASSIGN(priced, Run());
  EXPECT_EQ(priced.lines[3].amount, D("600"));
  EXPECT_EQ(priced.lines[1].amount, D("580"));
  EXPECT_EQ(priced.lines[2].amount, D("540"));
  EXPECT_EQ(priced.lines[0].amount, D("540"));

  // Centuries apart: ordered by comparison rather than by counting.
  Add("AmazonEC2", "600", TimestampFromCivil(1700, 1, 1, 0));
  ASSERT_OK_AND_ASSIGN(priced, Run());
  EXPECT_EQ(priced.lines[4].amount, D("600"));
  EXPECT_EQ(priced.lines[3].amount, D("580"));
  EXPECT_EQ(priced.lines[1].amount, D("540"));
}

TEST_F(PriceTest, FreeAllowanceThenTheNextRule) {
  NewPlan("std").rules = {R("base", RuleType::kMarkup, "10"),
                          R("lambda-free", RuleType::kFree, "1000000", S("AWSLambda"))};
  OnPlans({{"std"}});
  Add("AWSLambda", "0.40", Oct(1), "800000");
  Add("AWSLambda", "0.40", Oct(2), "800000");  // 200000 of these units are still free
  Add("AWSLambda", "0.40", Oct(3), "800000");
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  EXPECT_EQ(priced.lines[0].amount, D("0"));
  EXPECT_EQ(priced.lines[1].amount, D("0.33"));  // 3/4 of 0.40, +10 %
  EXPECT_EQ(priced.lines[2].amount, D("0.44"));
  EXPECT_NE(priced.lines[1].rule.str().find("lambda-free"), std::string::npos);
}

TEST_F(PriceTest, APlanChangeOnTheFifteenth) {
  NewPlan("old").rules = {R("base", RuleType::kMarkup, "10")};
  NewPlan("new").rules = {R("base", RuleType::kDiscount, "2")};
  OnPlans({{"old", std::numeric_limits<Timestamp>::min(), Oct(15)}, {"new", Oct(15)}});
  Add("AmazonEC2", "100", Oct(14, 23));
  Add("AmazonEC2", "100", Oct(15, 0));
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  EXPECT_EQ(priced.lines[0].amount, D("110"));
  EXPECT_EQ(priced.lines[1].amount, D("98"));
  EXPECT_EQ(priced.lines[1].rule, "new/base: discount 2%");
}

TEST_F(PriceTest, FeesWithMinimumMaximumAndOneOff) {
  Plan& plan = NewPlan("std");
  plan.rules = {R("base", RuleType::kMarkup, "0")};
  Fee managed;
  managed.name = "Managed services";
  managed.kind = Fee::Kind::kPercent;
  managed.percent = D("8");
  managed.minimum = D("250");
  managed.config_key = "price_plan[0].fees[0]";
  Fee onboarding;
  onboarding.name = "Onboarding";
  onboarding.amount = D("500");
  onboarding.once = BillingPeriod::Make(2026, 10).value();
  onboarding.config_key = "customer[0].fees[0]";
  Fee last_year = onboarding;
  last_year.once = BillingPeriod::Make(2025, 10).value();
  plan.fees = {managed};
  OnPlans({{"std"}});
  book_.customers[0].fees = {onboarding, last_year};
  Add("AmazonEC2", "1000", Oct(1));
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  ASSERT_EQ(priced.lines.size(), 3u);
  EXPECT_EQ(priced.lines[1].kind, StatementLineKind::kFee);
  EXPECT_EQ(priced.lines[1].amount, D("250"));  // 8 % of 1000 is 80, below the minimum
  EXPECT_NE(priced.lines[1].rule.str().find("minimum 250"), std::string::npos);
  EXPECT_EQ(priced.lines[2].service, "Onboarding");
  EXPECT_EQ(priced.lines[2].amount, D("500"));

  allocated_.lines[0].cost_basis = D("10000");
  book_.plans["std"].fees[0].maximum = D("700");
  ASSERT_OK_AND_ASSIGN(priced, Run());
  EXPECT_EQ(priced.lines[1].amount, D("700"));
}

TEST_F(PriceTest, CreditsAtFaceValueMarketplaceAtCostAndTax) {
  NewPlan("std").rules = {R("base", RuleType::kMarkup, "10")};
  OnPlans({{"std"}});
  book_.customers[0].tax = TaxTreatment{"acme", D("19"), "VAT", "DE", ""};
  Add("AmazonEC2", "-25", Oct(1), "0", ChargeCategory::kCredit);
  Add("prod-x", "49", Oct(1), "1", ChargeCategory::kMarketplace, "AWS Marketplace");
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
  EXPECT_EQ(priced.lines[0].kind, StatementLineKind::kCredit);
  EXPECT_EQ(priced.lines[0].amount, D("-25"));
  EXPECT_EQ(priced.lines[1].amount, D("49"));
  EXPECT_EQ(priced.lines[1].rule, "AWS Marketplace at cost");
  ASSERT_EQ(priced.taxes.size(), 1u);
  EXPECT_EQ(priced.taxes[0].rate, D("19"));

  book_.plans["std"].rules.push_back(R("mp", RuleType::kMarkup, "2", S("", "", "AWS Marketplace")));
  ASSERT_OK_AND_ASSIGN(priced, Run());
  EXPECT_EQ(priced.lines[1].amount, D("49.98"));
}

TEST_F(PriceTest, MissingPlanNamesTheCustomerAndTime) {
  NewPlan("std");
  OnPlans({{"std", Oct(10)}});
  Add("AmazonEC2", "1", Oct(2));
  EXPECT_STATUS(Run(), StatusCode::kInvalidInput,
                "customer 'acme' has no price plan for usage at 2026-10-02T00:00:00Z");
  book_.customers.clear();
  EXPECT_STATUS(Run(), StatusCode::kInvalidInput, "customer 'acme' has no pricing");
}

TEST(FindRuleConflicts, SameScopeAndPriorityIsReported) {
  PriceBook book;
  Rule a;
  a.name = "a";
  a.config_key = "price_plan[0].rules[0]";
  Rule b = a;
  b.name = "b";
  b.config_key = "price_plan[0].rules[1]";
  Rule c = a;
  c.name = "c";
  c.priority = 1;
  book.plans["p"] = {"p", {a, b, c}, {}};
  std::vector<std::string> conflicts = FindRuleConflicts(book);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_NE(conflicts[0].find("'b' never applies"), std::string::npos);
}

// Property: with random plans and lines, each line is priced once, exactly once per customer
// line, and markup/discount amounts equal basis * (100 +/- p) / 100 exactly.
TEST_F(PriceTest, EveryLinePricedOnceProperty) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 30; ++round) {
    month_ = {};
    allocated_ = {};
    book_ = {};
    Decimal pct =
        Decimal::FromRaw(static_cast<Decimal::Rep>(rng() % 5000) * 10'000'000'000'000'000);
    RuleType type = rng() % 2 ? RuleType::kMarkup : RuleType::kDiscount;
    NewPlan("p").rules = {R("r", type, pct.ToString().c_str())};
    OnPlans({{"p"}});
    for (int i = 0; i < 40; ++i) {
      Decimal basis =
          Decimal::FromRaw(static_cast<Decimal::Rep>(rng() % 100'000'000'000) * 1'000'000'000);
      Add("AmazonEC2", basis.ToString().c_str(), Oct(1 + static_cast<unsigned>(rng() % 30)));
    }
    ASSERT_OK_AND_ASSIGN(PricedLines priced, Run());
    ASSERT_EQ(priced.lines.size(), allocated_.lines.size());
    for (size_t i = 0; i < priced.lines.size(); ++i) {
      EXPECT_EQ(priced.lines[i].allocated, i);
      Decimal factor =
          type == RuleType::kMarkup ? Decimal::FromInt(100) + pct : Decimal::FromInt(100) - pct;
      Decimal expected =
          Decimal::MulDiv(allocated_.lines[i].cost_basis, factor, Decimal::FromInt(100)).value();
      EXPECT_EQ(priced.lines[i].amount, expected);
    }
  }
}

}  // namespace
}  // namespace rebill::price
