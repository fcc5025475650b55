#include "rebill/allocate/allocate.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>

#include "rebill/allocate/allocate_internal.h"
#include "testing/status_matchers.h"

namespace rebill::allocate {
namespace {

constexpr const char* kSp = "arn:aws:savingsplans::999999999999:savingsplan/sp-1";

CurLine Line(const char* account, LineItemType type, const char* unblended, const char* amortized,
             const char* list = "0", const char* arn = "") {
  CurLine line;
  line.period = BillingPeriod::Make(2025, 3).value();
  line.payer_account = "999999999999";
  line.usage_account = account;
  line.type = type;
  line.type_text = std::string(LineItemTypeName(type));
  line.product_code = "AmazonEC2";
  line.cost.unblended = D(unblended);
  line.cost.net_unblended = D(unblended);
  line.cost.amortized = D(amortized);
  line.cost.public_on_demand = D(list);
  line.commitment_arn = arn;
  return line;
}

MappedLines MapTo(const NormalizedMonth& month, const std::map<std::string, std::string>& owners) {
  MappedLines mapped;
  for (size_t i = 0; i < month.lines.size(); ++i) {
    auto it = owners.find(month.lines[i].usage_account);
    mapped.lines.push_back(
        {static_cast<uint32_t>(i), it == owners.end() ? "" : it->second, month.lines[i].cost, ""});
  }
  return mapped;
}

// Reference §4.5.1, amortized view.
NormalizedMonth WorkedExample() {
  NormalizedMonth month;
  month.lines = {
      Line("111111111111", LineItemType::kSavingsPlanCoveredUsage, "0.192", "0.120", "0.192", kSp),
      Line("111111111111", LineItemType::kSavingsPlanNegation, "-0.192", "0", "0", kSp),
      Line("222222222222", LineItemType::kSavingsPlanCoveredUsage, "0.425", "0.280", "0.425", kSp),
      Line("222222222222", LineItemType::kSavingsPlanNegation, "-0.425", "0", "0", kSp),
      Line("222222222222", LineItemType::kUsage, "0.085", "0.085", "0.085"),
      Line("999999999999", LineItemType::kSavingsPlanRecurringFee, "0.400", "0", "0", kSp),
  };
  return month;
}

std::map<std::string, Decimal> BasisByCustomer(const AllocatedLines& allocated) {
  std::map<std::string, Decimal> out;
  for (const AllocatedLine& l : allocated.lines) {
    std::string key =
        l.bucket == Bucket::kCustomer ? l.customer.str() : std::string(BucketName(l.bucket));
    out[key] += l.cost_basis;
  }
  return out;
}

struct Expected {
  CommitmentPolicy policy;
  const char* x;
  const char* y;
  const char* retained;
};

Policy With(CommitmentPolicy p, const char* share = "50") {
  Policy policy;
  policy.commitments = {p, D(share)};
  return policy;
}

// Reference §4.5.1 under every commitment policy, amortized view. Hand computation:
// originating: X keeps its SP cost 0.120; Y 0.280 + on-demand 0.085.
// pro-rata: the 0.400 pool spread 0.192 : 0.425 (X: 0.4 * 0.192 / 0.617 = 0.12447325769854132901…;
//   Y gets the remaining unit of the largest-remainder split) + Y's 0.085.
// reseller-retained: customers pay on-demand 0.192 and 0.425 + 0.085; the reseller keeps
//   0.400 - 0.617 = -0.217 (its benefit).
// split 50%: the 0.217 benefit, half (0.1085) passed on by on-demand value: X gets
//   0.033763371150729335, Y 0.074736628849270665; the reseller keeps -0.1085.
TEST(AllocateBenefits, WorkedExampleUnderEveryCommitmentPolicy) {
  NormalizedMonth month = WorkedExample();
  auto mapped = MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}});
  for (const Expected& e : {
           Expected{CommitmentPolicy::kOriginating, "0.120", "0.365", "0"},
           Expected{CommitmentPolicy::kProRata, "0.124473257698541329", "0.360526742301458671",
                    "0"},
           Expected{CommitmentPolicy::kResellerRetained, "0.192", "0.510", "-0.217"},
           Expected{CommitmentPolicy::kSplit, "0.158236628849270665", "0.435263371150729335",
                    "-0.1085"},
       }) {
    SCOPED_TRACE(std::string(CommitmentPolicyName(e.policy)));
    RunContext ctx;
    ASSERT_OK_AND_ASSIGN(AllocatedLines allocated,
                         AllocateBenefits(month, mapped, With(e.policy), ctx));
    auto basis = BasisByCustomer(allocated);
    EXPECT_EQ(basis["x"], D(e.x));
    EXPECT_EQ(basis["y"], D(e.y));
    EXPECT_EQ(basis["reseller-retained"], D(e.retained));
    EXPECT_EQ(basis["x"] + basis["y"] + basis["reseller-retained"], D("0.485"));
    EXPECT_EQ(allocated.lines[0].commitment_arn, kSp);
    EXPECT_NE(allocated.lines[0].policy.str().find(CommitmentPolicyName(e.policy)),
              std::string::npos);
  }
}

// Reference §4.5.2: the same hour bought Partial Upfront. In the amortized view customers see the
// same cost whatever the payment option; in the cash view the covered usage nets to zero with its
// negation and the 0.200 recurring fee is the commitment's cash cost.
TEST(AllocateBenefits, PartialUpfrontInBothViews) {
  NormalizedMonth month = WorkedExample();
  month.lines[5].cost.unblended = D("0.200");  // recurring fee: 0.200 cash, amortized 0
  month.lines[5].cost.net_unblended = D("0.200");
  auto mapped = MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}});
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(AllocatedLines amortized,
                       AllocateBenefits(month, mapped, With(CommitmentPolicy::kProRata), ctx));
  EXPECT_EQ(BasisByCustomer(amortized)["x"], D("0.124473257698541329"));

  Policy cash = With(CommitmentPolicy::kProRata);
  cash.cost_view = CostView::kUnblended;
  ASSERT_OK_AND_ASSIGN(AllocatedLines reseller_pays, AllocateBenefits(month, mapped, cash, ctx));
  auto basis = BasisByCustomer(reseller_pays);
  EXPECT_EQ(basis["x"], D("0"));
  EXPECT_EQ(basis["y"], D("0.085"));
  EXPECT_EQ(basis["reseller-retained"], D("0.200"));

  // Spreading the fee pro-rata: 0.200 over on-demand 0.192 : 0.425.
  cash.unused_commitment = UnusedCommitmentPolicy::kProRata;
  ASSERT_OK_AND_ASSIGN(AllocatedLines spread, AllocateBenefits(month, mapped, cash, ctx));
  basis = BasisByCustomer(spread);
  EXPECT_EQ(basis["x"], D("0.062236628849270665"));
  EXPECT_EQ(basis["y"], D("0.222763371150729335"));  // 0.137763371150729335 + 0.085
  EXPECT_EQ(basis["reseller-retained"], D("0"));
}

// Reference §4.5.3: one RI for March, 700 of 744 hours used by customer Z. Amortized: Z's usage
// costs 56.00 (on-demand 67.20), the RI fee's unused part is 3.52.
TEST(AllocateBenefits, ReservedInstanceUnderEveryPolicy) {
  constexpr const char* kRi = "arn:aws:ec2:us-east-1:999999999999:reserved-instances/ri-1";
  NormalizedMonth month;
  month.lines = {Line("333333333333", LineItemType::kDiscountedUsage, "0", "56.00", "67.20", kRi),
                 Line("999999999999", LineItemType::kRIFee, "22.32", "3.52", "0", kRi)};
  auto mapped = MapTo(month, {{"333333333333", "z"}});
  struct Case {
    CommitmentPolicy policy;
    UnusedCommitmentPolicy unused;
    const char* z;
    const char* retained;
  };
  for (const Case& c : {
           Case{CommitmentPolicy::kOriginating, UnusedCommitmentPolicy::kReseller, "56.00", "3.52"},
           Case{CommitmentPolicy::kProRata, UnusedCommitmentPolicy::kReseller, "56.00", "3.52"},
           Case{CommitmentPolicy::kResellerRetained, UnusedCommitmentPolicy::kReseller, "67.20",
                "-7.68"},  // 56.00 - 67.20 + 3.52
           Case{CommitmentPolicy::kSplit, UnusedCommitmentPolicy::kReseller, "61.60",
                "-2.08"},  // benefit 11.20, half passed on
           Case{CommitmentPolicy::kProRata, UnusedCommitmentPolicy::kProRata, "59.52", "0"},
           Case{CommitmentPolicy::kProRata, UnusedCommitmentPolicy::kOwner, "56.00", "3.52"},
       }) {
    SCOPED_TRACE(std::string(CommitmentPolicyName(c.policy)) + " / " +
                 std::string(UnusedCommitmentPolicyName(c.unused)));
    Policy policy = With(c.policy);
    policy.unused_commitment = c.unused;
    RunContext ctx;
    ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
    auto basis = BasisByCustomer(allocated);
    EXPECT_EQ(basis["z"], D(c.z));
    EXPECT_EQ(basis["reseller-retained"], D(c.retained));
    EXPECT_EQ(basis["z"] + basis["reseller-retained"], D("59.52"));  // 56.00 + 3.52
  }
}

TEST(AllocateBenefits, OverridesByCommitmentAndByCustomer) {
  NormalizedMonth month = WorkedExample();
  auto mapped = MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}});
  Policy policy = With(CommitmentPolicy::kResellerRetained);
  policy.by_customer["y"] = {CommitmentPolicy::kOriginating, D("0")};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["x"], D("0.192"));  // retained for X
  EXPECT_EQ(basis["y"], D("0.365"));  // Y's contract keeps its own benefit
  policy.by_commitment[kSp] = {CommitmentPolicy::kOriginating, D("0")};  // the ARN wins
  ASSERT_OK_AND_ASSIGN(allocated, AllocateBenefits(month, mapped, policy, ctx));
  EXPECT_EQ(BasisByCustomer(allocated)["x"], D("0.120"));
}

TEST(DescribeCommitmentPolicy, OnePlainSentence) {
  EXPECT_NE(DescribeCommitmentPolicy(With(CommitmentPolicy::kSplit, "30")).find("30%"),
            std::string::npos);
  EXPECT_NE(DescribeCommitmentPolicy(With(CommitmentPolicy::kResellerRetained)).find("on-demand"),
            std::string::npos);
}

TEST(ComparePolicies, SideBySide) {
  NormalizedMonth month = WorkedExample();
  auto mapped = MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}});
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(std::vector<PolicyOutcome> outcomes,
                       ComparePolicies(month, mapped, Policy{}, ctx));
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].rule.policy, CommitmentPolicy::kOriginating);
  EXPECT_EQ(outcomes[0].customers["x"], D("0.120"));
  EXPECT_EQ(outcomes[2].customers["y"], D("0.510"));
  EXPECT_EQ(outcomes[2].reseller_retained, D("-0.217"));
  for (PolicyOutcome& o : outcomes) {
    EXPECT_EQ(o.customers["x"] + o.customers["y"] + o.reseller_retained + o.unassigned, D("0.485"));
  }
}

TEST(AllocateBenefits, UnusedCommitmentOnTheResellersPayerIsRetained) {
  // §4.5.1 under-utilized variant: Y absent; 0.280 of the 0.400 commitment is unused.
  NormalizedMonth month;
  month.lines = {
      Line("111111111111", LineItemType::kSavingsPlanCoveredUsage, "0.192", "0.120", "0.192", kSp),
      Line("111111111111", LineItemType::kSavingsPlanNegation, "-0.192", "0", "0", kSp),
      Line("999999999999", LineItemType::kSavingsPlanRecurringFee, "0.400", "0.280", "0", kSp),
  };
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(
      AllocatedLines allocated,
      AllocateBenefits(month, MapTo(month, {{"111111111111", "x"}}), Policy{}, ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["x"], D("0.120"));
  EXPECT_EQ(basis["reseller-retained"], D("0.280"));
}

TEST(AllocateBenefits, TaxAndChannelDiscountsStayWithTheReseller) {
  NormalizedMonth month;
  month.lines = {Line("111111111111", LineItemType::kUsage, "10", "10", "10"),
                 Line("111111111111", LineItemType::kTax, "1.3", "1.3"),
                 Line("111111111111", LineItemType::kSppDiscount, "-0.5", "-0.5"),
                 Line("111111111111", LineItemType::kCredit, "-2", "-2"),
                 Line("555555555555", LineItemType::kTax, "0.2", "0.2")};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(
      AllocatedLines allocated,
      AllocateBenefits(month, MapTo(month, {{"111111111111", "x"}}), Policy{}, ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["x"], D("8"));                    // usage 10, credit -2 as applied
  EXPECT_EQ(basis["reseller-retained"], D("0.8"));  // tax 1.3, SPP -0.5
  EXPECT_EQ(basis["unassigned"], D("0.2"));         // tax of an account nobody owns
  EXPECT_EQ(allocated.lines[3].category, ChargeCategory::kCredit);
  EXPECT_EQ(allocated.lines[1].category, ChargeCategory::kTax);
}

TEST(AllocateBenefits, CreditsByRuleRetainedAndRefunds) {
  NormalizedMonth month;
  month.lines = {Line("111111111111", LineItemType::kUsage, "10", "10", "10"),
                 Line("111111111111", LineItemType::kCredit, "-2", "-2"),
                 Line("999999999999", LineItemType::kCredit, "-5", "-5"),
                 Line("111111111111", LineItemType::kRefund, "-1", "-1"),
                 Line("999999999999", LineItemType::kRefund, "-3", "-3")};
  month.lines[1].description = "AWS Promotional Credit";
  month.lines[2].description = "AWS Activate credit for Globex";
  month.lines[4].description = "Refund: Globex outage";
  auto mapped = MapTo(month, {{"111111111111", "acme"}});
  Policy policy;
  policy.credits = CreditPolicy::kByRule;
  policy.credit_rules = {{"*Globex*", "globex", false, "credit_rule[0]"},
                         {"AWS Promotional*", "", true, "credit_rule[1]"}};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["acme"], D("9"));                // usage 10, its own refund -1
  EXPECT_EQ(basis["globex"], D("-8"));             // Activate credit -5 and refund -3 by rule
  EXPECT_EQ(basis["reseller-retained"], D("-2"));  // promotional credit retained by rule
  EXPECT_EQ(allocated.lines[2].policy, "credit rule credit_rule[0]");

  policy.credits = CreditPolicy::kRetained;
  ASSERT_OK_AND_ASSIGN(allocated, AllocateBenefits(month, mapped, policy, ctx));
  basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["reseller-retained"], D("-7"));
  EXPECT_EQ(basis["acme"], D("9"));
}

TEST(AllocateBenefits, ChannelDiscountsPassedThroughByAPercentage) {
  NormalizedMonth month;
  month.lines = {Line("111111111111", LineItemType::kUsage, "100", "100", "100"),
                 Line("111111111111", LineItemType::kEdpDiscount, "-6", "-6"),
                 Line("111111111111", LineItemType::kBundledDiscount, "-1", "-1")};
  auto mapped = MapTo(month, {{"111111111111", "acme"}});
  Policy policy;
  policy.channel_discounts = ChannelDiscountPolicy::kPassThrough;
  policy.channel_pass_percent = D("25");
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["acme"], D("97.5"));  // 100 - 25% of 6 - bundled 1 (follows its usage)
  EXPECT_EQ(basis["reseller-retained"], D("-4.5"));
}

TEST(AllocateBenefits, SupportReDerivedPerCustomer) {
  NormalizedMonth month;
  month.lines = {Line("111111111111", LineItemType::kUsage, "30000", "30000", "30000"),
                 Line("222222222222", LineItemType::kUsage, "10000", "10000", "10000"),
                 Line("999999999999", LineItemType::kUsage, "3500", "3500")};
  month.lines[2].product_code = "AWSSupportBusiness";
  auto mapped = MapTo(month, {{"111111111111", "a"}, {"222222222222", "b"}});
  RunContext ctx;
  Policy policy;
  ASSERT_OK_AND_ASSIGN(AllocatedLines absorbed, AllocateBenefits(month, mapped, policy, ctx));
  EXPECT_EQ(BasisByCustomer(absorbed)["reseller-retained"], D("3500"));
  EXPECT_EQ(absorbed.lines[2].category, ChargeCategory::kSupport);

  policy.support = SupportPolicy::kProRata;
  ASSERT_OK_AND_ASSIGN(AllocatedLines prorata, AllocateBenefits(month, mapped, policy, ctx));
  auto basis = BasisByCustomer(prorata);
  EXPECT_EQ(basis["a"], D("32625"));  // 30000 + 3500 * 3/4
  EXPECT_EQ(basis["b"], D("10875"));  // 10000 + 3500 * 1/4
  EXPECT_EQ(basis["reseller-retained"], D("0"));

  // Business tiers: a on 30000 -> 10% of 10000 + 7% of 20000 = 2400; b on 10000 -> 1000.
  policy.support = SupportPolicy::kBusinessTiers;
  ASSERT_OK_AND_ASSIGN(AllocatedLines tiers, AllocateBenefits(month, mapped, policy, ctx));
  basis = BasisByCustomer(tiers);
  EXPECT_EQ(basis["a"], D("32400"));
  EXPECT_EQ(basis["b"], D("11000"));
  EXPECT_EQ(basis["reseller-retained"], D("100"));
}

TEST(AllocateBenefits, TheResellersOwnAccountIsRetainedNotUnassigned) {
  NormalizedMonth month;
  month.lines = {Line("999999999999", LineItemType::kTax, "1.00", "1.00"),
                 Line("999999999999", LineItemType::kUsage, "5.00", "5.00", "5.00"),
                 Line("111111111111", LineItemType::kUsage, "10", "10", "10")};
  MappedLines mapped = MapTo(month, {{"111111111111", "x"}});
  mapped.lines[0].reseller = true;
  mapped.lines[1].reseller = true;
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, Policy{}, ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["reseller-retained"], D("6.00"));
  EXPECT_EQ(basis.count("unassigned"), 0u);
  EXPECT_EQ(basis["x"], D("10"));
}

TEST(AllocateBenefits, CashViewKeepsEachLinesOwnCost) {
  NormalizedMonth month = WorkedExample();
  RunContext ctx;
  Policy policy;
  policy.cost_view = CostView::kUnblended;
  ASSERT_OK_AND_ASSIGN(
      AllocatedLines allocated,
      AllocateBenefits(month, MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}}), policy,
                       ctx));
  auto basis = BasisByCustomer(allocated);
  EXPECT_EQ(basis["x"], D("0"));      // 0.192 - 0.192
  EXPECT_EQ(basis["y"], D("0.085"));  // 0.425 - 0.425 + 0.085
  EXPECT_EQ(basis["reseller-retained"], D("0.400"));
}

// Property: random months with several plans — under every commitment and unused-commitment
// policy, Σ customers + retained + unassigned equals the CUR total in every view, exactly.
TEST(AllocateBenefits, ConservationProperty) {
  std::mt19937_64 rng(7);
  const char* accounts[] = {"111111111111", "222222222222", "333333333333", "444444444444"};
  for (int round = 0; round < 100; ++round) {
    NormalizedMonth month;
    for (int i = 0; i < 60; ++i) {
      const char* account = accounts[rng() % 4];
      std::string arn = "sp-" + std::to_string(rng() % 3);
      Decimal od =
          Decimal::FromRaw(static_cast<Decimal::Rep>(rng() % 10'000'000'000'000ULL) * 1000);
      Decimal eff = Decimal::FromRaw(od.raw() * 6 / 10);
      switch (rng() % 4) {
        case 0:
          month.lines.push_back(Line(account, LineItemType::kSavingsPlanCoveredUsage,
                                     od.ToString().c_str(), eff.ToString().c_str(),
                                     od.ToString().c_str(), arn.c_str()));
          break;
        case 1:
          month.lines.push_back(Line(account, LineItemType::kUsage, od.ToString().c_str(),
                                     od.ToString().c_str(), od.ToString().c_str()));
          break;
        case 2:
          month.lines.push_back(Line("999999999999", LineItemType::kSavingsPlanRecurringFee,
                                     od.ToString().c_str(), eff.ToString().c_str(), "0",
                                     arn.c_str()));
          break;
        default:
          month.lines.push_back(Line(account, LineItemType::kCredit, (-eff).ToString().c_str(),
                                     (-eff).ToString().c_str()));
      }
    }
    auto mapped =
        MapTo(month, {{"111111111111", "a"}, {"222222222222", "b"}, {"333333333333", "a"}});
    for (int variant = 0; variant < 3 * 4 * 3; ++variant) {
      CostView view = std::array{CostView::kUnblended, CostView::kAmortized,
                                 CostView::kNetUnblended}[variant % 3];
      RunContext ctx;
      Policy policy = With(static_cast<CommitmentPolicy>((variant / 3) % 4), "37.5");
      policy.unused_commitment = static_cast<UnusedCommitmentPolicy>(variant / 12);
      policy.support = SupportPolicy::kProRata;
      policy.cost_view = view;
      ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
      Decimal sum;
      for (const AllocatedLine& l : allocated.lines) sum += l.cost_basis;
      EXPECT_EQ(sum, month.Total(view));
    }
  }
}

// Lines placed on two threads allocate exactly as on one: the same lines in the same order,
// whatever the policies (the property test's months, each line on either thread).
TEST(AllocateBenefits, TwoThreadsPlaceLinesAsOneDoes) {
  std::mt19937_64 rng(11);
  const char* accounts[] = {"111111111111", "222222222222", "333333333333", "444444444444",
                            "999999999999"};
  const LineItemType types[] = {LineItemType::kSavingsPlanCoveredUsage,
                                LineItemType::kSavingsPlanNegation,
                                LineItemType::kSavingsPlanRecurringFee,
                                LineItemType::kDiscountedUsage,
                                LineItemType::kRIFee,
                                LineItemType::kUsage,
                                LineItemType::kCredit,
                                LineItemType::kRefund,
                                LineItemType::kTax,
                                LineItemType::kEdpDiscount};
  for (int round = 0; round < 20; ++round) {
    NormalizedMonth month;
    for (int i = 0; i < 200; ++i) {
      Decimal od =
          Decimal::FromRaw(static_cast<Decimal::Rep>(rng() % 10'000'000'000'000ULL) * 1000);
      std::string cost = Decimal::FromRaw(od.raw() * 6 / 10).ToString();
      std::string arn = "arn-" + std::to_string(rng() % 3);
      month.lines.push_back(Line(accounts[rng() % 5], types[rng() % std::size(types)], cost.c_str(),
                                 cost.c_str(), od.ToString().c_str(), arn.c_str()));
      if (rng() % 7 == 0) month.lines.back().product_code = "AWSSupportBusiness";
    }
    auto mapped =
        MapTo(month, {{"111111111111", "a"}, {"222222222222", "b"}, {"333333333333", "a"}});
    for (int variant = 0; variant < 4 * 3 * 2; ++variant) {
      Policy policy = With(static_cast<CommitmentPolicy>(variant % 4), "37.5");
      policy.unused_commitment = static_cast<UnusedCommitmentPolicy>((variant / 4) % 3);
      policy.support = variant / 12 == 0 ? SupportPolicy::kProRata : SupportPolicy::kAbsorbed;
      policy.channel_discounts = ChannelDiscountPolicy::kPassThrough;
      policy.channel_pass_percent = D("40");
      policy.by_customer["b"] = {CommitmentPolicy::kSplit, D("20")};
      ASSERT_OK_AND_ASSIGN(AllocatedLines one,
                           internal::AllocateBenefits(month, mapped, policy, SIZE_MAX));
      ASSERT_OK_AND_ASSIGN(AllocatedLines two,
                           internal::AllocateBenefits(month, mapped, policy, 2));
      ASSERT_EQ(two.lines.size(), one.lines.size());
      for (size_t i = 0; i < one.lines.size(); ++i) {
        ASSERT_EQ(two.lines[i], one.lines[i])
            << "round " << round << ", variant " << variant << ", line " << i;
      }
    }
  }
}

// What the reseller keeps names the customer whose usage earned it: the Savings Plan benefit
// per customer and account it covered, channel discounts and retained credits on a customer's
// account. Nothing names a customer for the reseller's own or unassigned accounts.
TEST(AllocateBenefits, KeptAmountsNameTheCustomerWhoseUsageEarnedThem) {
  NormalizedMonth month = WorkedExample();
  month.lines.push_back(Line("111111111111", LineItemType::kEdpDiscount, "-0.010", "-0.010"));
  month.lines.push_back(Line("111111111111", LineItemType::kCredit, "-0.020", "-0.020"));
  month.lines.push_back(Line("333333333333", LineItemType::kEdpDiscount, "-0.005", "-0.005"));
  auto mapped = MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}});
  Policy policy = With(CommitmentPolicy::kResellerRetained);
  policy.credits = CreditPolicy::kRetained;
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
  std::map<std::string, Decimal> kept;  // earned_by (or "-") -> retained amount
  for (const AllocatedLine& l : allocated.lines) {
    if (l.bucket != Bucket::kResellerRetained) continue;
    kept[l.earned_by.empty() ? "-"
                             : l.earned_by + "/" + std::string(ChargeCategoryName(l.category))] +=
        l.cost_basis;
  }
  // X: 0.120 - 0.192; Y: 0.280 - 0.425 (the pool's -0.217, split by whose usage it covered).
  EXPECT_EQ(kept["x/usage"], D("-0.072"));
  EXPECT_EQ(kept["y/usage"], D("-0.145"));
  EXPECT_EQ(kept["x/discount"], D("-0.010"));
  EXPECT_EQ(kept["x/credit"], D("-0.020"));
  EXPECT_EQ(kept["-"], D("-0.005"));  // the unassigned account's discount: earned by no customer
  EXPECT_EQ(kept.size(), 5u);
}

TEST(ParseCommitmentPolicy, KnownAndUnknown) {
  ASSERT_OK_AND_ASSIGN(CommitmentPolicy p, ParseCommitmentPolicy("pro-rata"));
  EXPECT_EQ(p, CommitmentPolicy::kProRata);
  EXPECT_STATUS(ParseCommitmentPolicy("fair-ish"), StatusCode::kInvalidInput, "fair-ish");
}

}  // namespace
}  // namespace rebill::allocate
