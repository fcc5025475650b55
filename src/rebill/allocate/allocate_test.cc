#include "rebill/allocate/allocate.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

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
        {static_cast<uint32_t>(i), it == owners.end() ? "" : it->second, month.lines[i].cost});
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
        l.bucket == Bucket::kCustomer ? l.customer : std::string(BucketName(l.bucket));
    out[key] += l.cost_basis;
  }
  return out;
}

TEST(AllocateBenefits, ProRataSpreadsThePoolByCoveredOnDemandValue) {
  NormalizedMonth month = WorkedExample();
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(
      AllocatedLines allocated,
      AllocateBenefits(month, MapTo(month, {{"111111111111", "x"}, {"222222222222", "y"}}),
                       Policy{}, ctx));
  auto basis = BasisByCustomer(allocated);
  // Pool 0.400 over on-demand 0.192 : 0.425. X: 0.4 * 0.192 / 0.617 = 0.12447325769854132901…,
  // Y: 0.27552674230145867098… + 0.085; the last unit goes to Y (larger remainder).
  EXPECT_EQ(basis["x"], D("0.124473257698541329"));
  EXPECT_EQ(basis["y"], D("0.360526742301458671"));
  EXPECT_EQ(basis["reseller-retained"], D("0"));  // the plan was fully used
  EXPECT_EQ(basis["x"] + basis["y"], D("0.485"));
  EXPECT_EQ(allocated.lines[0].policy, "pro-rata");
  EXPECT_EQ(allocated.lines[0].commitment_arn, kSp);
  EXPECT_EQ(allocated.lines[5].bucket, Bucket::kResellerRetained);
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

// Property: random months with several plans — Σ customers + retained + unassigned equals the
// CUR total in every view, exactly.
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
    for (CostView view : {CostView::kUnblended, CostView::kAmortized, CostView::kNetUnblended}) {
      RunContext ctx;
      Policy policy;
      policy.cost_view = view;
      ASSERT_OK_AND_ASSIGN(AllocatedLines allocated, AllocateBenefits(month, mapped, policy, ctx));
      Decimal sum;
      for (const AllocatedLine& l : allocated.lines) sum += l.cost_basis;
      EXPECT_EQ(sum, month.Total(view));
    }
  }
}

TEST(ParseCommitmentPolicy, KnownAndUnknown) {
  ASSERT_OK_AND_ASSIGN(CommitmentPolicy p, ParseCommitmentPolicy("pro-rata"));
  EXPECT_EQ(p, CommitmentPolicy::kProRata);
  EXPECT_STATUS(ParseCommitmentPolicy("fair-ish"), StatusCode::kInvalidInput, "fair-ish");
}

}  // namespace
}  // namespace rebill::allocate
