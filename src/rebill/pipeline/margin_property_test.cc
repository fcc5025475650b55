// Property: for random months under every commitment, credit and channel-discount policy and
// both margin cost views, the margin identity holds per customer and in total, every waterfall
// adds up exactly, the reconciliation balances, and the true cost accounts for the whole CUR:
// Σ customers' true cost + what the reseller kept that no customer earned + unassigned = CUR.
#include <gtest/gtest.h>

#include <random>

#include "rebill/allocate/allocate.h"
#include "rebill/attribute/attribute.h"
#include "rebill/price/price.h"
#include "rebill/report/statement_builder.h"
#include "testing/status_matchers.h"

namespace rebill::pipeline {
namespace {

constexpr const char* kPayer = "999999999999";
const char* const kAccounts[] = {"111111111111", "222222222222", "333333333333", "444444444444",
                                 kPayer};

Decimal Cents(std::mt19937_64& rng, uint64_t max_cents) {
  return Decimal::FromRaw(static_cast<Decimal::Rep>(rng() % max_cents) * Decimal::kOne / 100 +
                          static_cast<Decimal::Rep>(rng() % 1'000'000));  // and a sub-cent tail
}

Decimal Part(Decimal d, int divisor) { return Decimal::FromRaw(d.raw() / divisor); }

CurLine Line(const char* account, LineItemType type, Decimal unblended, Decimal amortized,
             Decimal list, std::string arn = "") {
  CurLine line;
  line.period = BillingPeriod::Make(2026, 10).value();
  line.payer_account = kPayer;
  line.usage_account = account;
  line.type = type;
  line.type_text = std::string(LineItemTypeName(type));
  line.product_code = "AmazonEC2";
  line.currency = "USD";
  line.usage_start = TimestampFromCivil(2026, 10, 3);
  line.usage_amount = Decimal::FromInt(1);
  line.cost.unblended = unblended;
  line.cost.net_unblended = unblended;
  line.cost.amortized = amortized;
  line.cost.public_on_demand = list;
  line.commitment_arn = std::move(arn);
  line.invoice_id = "INV-1";  // a final month: the reconciliation is per invoice too
  return line;
}

NormalizedMonth RandomMonth(std::mt19937_64& rng) {
  NormalizedMonth month;
  month.period = BillingPeriod::Make(2026, 10).value();
  for (int i = 0; i < 40; ++i) {
    const char* account = kAccounts[rng() % 4];
    std::string arn = "sp-" + std::to_string(rng() % 2);
    Decimal od = Cents(rng, 100'000);
    Decimal eff = Decimal::FromRaw(od.raw() * 6 / 10);
    switch (rng() % 7) {
      case 0:
      case 1:
        month.lines.push_back(
            Line(account, LineItemType::kSavingsPlanCoveredUsage, od, eff, od, arn));
        month.lines.push_back(
            Line(account, LineItemType::kSavingsPlanNegation, -od, Decimal(), Decimal(), arn));
        break;
      case 2:
        month.lines.push_back(Line(account, LineItemType::kUsage, od, od, od));
        break;
      case 3:
        month.lines.push_back(
            Line(kPayer, LineItemType::kSavingsPlanRecurringFee, od, Part(eff, 3), Decimal(), arn));
        break;
      case 4:
        month.lines.push_back(Line(account, LineItemType::kCredit, -eff, -eff, Decimal()));
        break;
      case 5:
        month.lines.push_back(
            Line(account, LineItemType::kEdpDiscount, -Part(eff, 10), -Part(eff, 10), Decimal()));
        break;
      default: {
        CurLine support = Line(kPayer, LineItemType::kUsage, Part(eff, 5), Part(eff, 5), Decimal());
        support.product_code = "AWSSupportBusiness";
        month.lines.push_back(support);
      }
    }
  }
  return month;
}

MappedLines MapTo(const NormalizedMonth& month) {
  const std::map<std::string, std::string> owners = {
      {"111111111111", "a"}, {"222222222222", "b"}, {"333333333333", "c"}};
  MappedLines mapped;
  for (size_t i = 0; i < month.lines.size(); ++i) {
    const CurLine& line = month.lines[i];
    MappedLine part;
    part.line = static_cast<uint32_t>(i);
    part.cost = line.cost;
    part.reseller = line.usage_account == kPayer;
    if (auto it = owners.find(line.usage_account); it != owners.end()) part.customer = it->second;
    mapped.lines.push_back(part);
  }
  return mapped;
}

struct Pricing {
  price::PriceBook book;
  report::StatementSettings settings;
};

Pricing RandomPricing(std::mt19937_64& rng) {
  Pricing p;
  price::Plan plan;
  plan.id = "p";
  price::Rule rule;
  rule.name = "r";
  rule.type = rng() % 2 ? price::RuleType::kMarkup : price::RuleType::kDiscount;
  rule.percent = Decimal::FromInt(static_cast<int64_t>(rng() % 25));
  plan.rules.push_back(rule);
  price::Fee fee;
  fee.name = "Managed";
  fee.kind = rng() % 2 ? price::Fee::Kind::kFlat : price::Fee::Kind::kPercent;
  fee.amount = Cents(rng, 20'000);
  fee.percent = Decimal::FromInt(static_cast<int64_t>(rng() % 12));
  plan.fees = {fee};
  p.book.plans["p"] = plan;
  for (const char* id : {"a", "b", "c"}) {
    price::CustomerPricing c;
    c.customer = id;
    c.currency = "USD";
    c.plans = {{"p"}};
    if (rng() % 3 == 0) {  // a EUR customer
      c.currency = "EUR";
      c.fx = FxRate{"USD", "EUR", Decimal::Parse("0.9214").value(), "test"};
    }
    if (rng() % 2) {
      c.credits = {{id, "promo", Cents(rng, 50'000), BillingPeriod::Make(2026, 12).value()}};
    }
    if (rng() % 2) c.tax = TaxTreatment{id, Decimal::FromInt(19), "VAT", "DE", ""};
    p.book.customers.push_back(c);
    p.settings.customers.push_back({id, id, c.currency, static_cast<RoundingMode>(rng() % 3)});
  }
  return p;
}

TEST(MarginProperty, IdentityWaterfallAndReconciliationUnderEveryPolicy) {
  std::mt19937_64 rng(2027);
  for (int round = 0; round < 12; ++round) {
    const NormalizedMonth month = RandomMonth(rng);
    const MappedLines mapped = MapTo(month);
    const Pricing pricing = RandomPricing(rng);
    for (int variant = 0; variant < 4 * 3 * 2 * 2; ++variant) {
      allocate::Policy policy;
      policy.commitments = {static_cast<allocate::CommitmentPolicy>(variant % 4),
                            Decimal::Parse("37.5").value()};
      policy.credits = static_cast<allocate::CreditPolicy>((variant / 4) % 3);
      policy.channel_discounts = (variant / 12) % 2 ? allocate::ChannelDiscountPolicy::kRetained
                                                    : allocate::ChannelDiscountPolicy::kPassThrough;
      policy.channel_pass_percent = Decimal::FromInt(40);
      policy.unused_commitment = static_cast<allocate::UnusedCommitmentPolicy>(round % 3);
      policy.support = static_cast<allocate::SupportPolicy>(round % 2);
      const CostView margin_view = variant / 24 ? CostView::kUnblended : CostView::kAmortized;
      SCOPED_TRACE("round " + std::to_string(round) + ", " +
                   std::string(allocate::CommitmentPolicyName(policy.commitments.policy)) +
                   ", credits " + std::string(allocate::CreditPolicyName(policy.credits)) +
                   ", channel " +
                   std::string(allocate::ChannelDiscountPolicyName(policy.channel_discounts)) +
                   ", margin view " + std::string(CostViewName(margin_view)));
      RunContext ctx;
      ctx.period = month.period;
      ASSERT_OK_AND_ASSIGN(AllocatedLines allocated,
                           allocate::AllocateBenefits(month, mapped, policy, ctx));
      allocate::Policy cost_policy = policy;
      cost_policy.cost_view = margin_view;
      ASSERT_OK_AND_ASSIGN(AllocatedLines at_cost,
                           allocate::AllocateBenefits(month, mapped, cost_policy, ctx));
      ASSERT_OK_AND_ASSIGN(PricedLines priced, price::Price(month, allocated, pricing.book, ctx));
      ASSERT_OK_AND_ASSIGN(StatementSet statements,
                           report::BuildStatements(priced, pricing.settings, ctx));
      ASSERT_OK_AND_ASSIGN(MarginReport margin,
                           attribute::AttributeMargin(allocated, at_cost, priced, statements, ctx));

      // Margin identity, per customer and in total.
      Decimal revenue, cost, margins;
      ASSERT_EQ(margin.waterfalls.size(), margin.by_customer.size());
      for (size_t i = 0; i < margin.by_customer.size(); ++i) {
        const MarginRow& r = margin.by_customer[i];
        EXPECT_EQ(r.revenue - r.cost, r.margin) << r.key;
        revenue += r.revenue;
        cost += r.cost;
        margins += r.margin;
        const Waterfall& w = margin.waterfalls[i];
        EXPECT_EQ(w.key, r.key);
        EXPECT_EQ(w.customer_price, r.revenue) << r.key;
        EXPECT_EQ(w.reseller_cost, r.cost) << r.key;
        EXPECT_EQ(w.cost_basis, r.cost_basis) << r.key;
        EXPECT_OK(attribute::CheckWaterfall(w));
      }
      EXPECT_EQ(revenue, margin.total.revenue);
      EXPECT_EQ(cost, margin.total.cost);
      EXPECT_EQ(margins, margin.total.margin);
      EXPECT_EQ(margin.total.revenue - margin.total.cost, margin.total.margin);
      EXPECT_OK(attribute::CheckWaterfall(margin.total_waterfall));
      EXPECT_EQ(margin.total_waterfall.margin, margin.total.margin);
      for (const MarginRow& r : margin.by_service) EXPECT_EQ(r.revenue - r.cost, r.margin);
      for (const MarginRow& r : margin.by_account) EXPECT_EQ(r.revenue - r.cost, r.margin);

      // The reconciliation balances, in the view customers are priced on and in the margin's.
      const Reconciliation reconciliation = attribute::Reconcile(month, allocated);
      EXPECT_TRUE(reconciliation.balanced);
      ASSERT_EQ(reconciliation.payers.size(), 1u);
      EXPECT_EQ(reconciliation.payers[0].invoices.size(), 1u);
      EXPECT_TRUE(attribute::Reconcile(month, at_cost).balanced);

      // True cost accounts for the whole CUR in the margin's view.
      Decimal unattributed;
      for (const AllocatedLine& a : at_cost.lines) {
        if (a.bucket == Bucket::kUnassigned ||
            (a.bucket == Bucket::kResellerRetained && a.earned_by.empty())) {
          unattributed += a.cost_basis;
        }
      }
      EXPECT_EQ(margin.total.cost + unattributed, month.Total(margin_view));

      // A customer billed in the CUR's currency has no FX step: every cent is explained.
      for (const Waterfall& w : margin.waterfalls) {
        bool in_eur = false;
        for (const Statement& s : statements.statements) {
          if (s.customer == w.key) in_eur = s.fx.has_value();
        }
        if (!in_eur) {
          EXPECT_TRUE(w[WaterfallStep::kFx].IsZero()) << w.key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace rebill::pipeline
