// Property: for random price books and random lines, every statement adds up — its total is the
// sum of its rounded lines, and subtotal + fees - credits + tax = total — whatever the rules,
// fees, credits, tax, currencies and rounding modes; with corrections of earlier periods and once
// final, it still adds up and its stored JSON reads back to the same bytes in every format.
#include <gtest/gtest.h>

#include <random>

#include "rebill/core/currency.h"
#include "rebill/price/price.h"
#include "rebill/report/lifecycle.h"
#include "rebill/report/render.h"
#include "rebill/report/statement_builder.h"
#include "testing/status_matchers.h"

namespace rebill::pipeline {
namespace {

Decimal RandomAmount(std::mt19937_64& rng, int64_t max_cents, bool allow_negative) {
  auto raw = static_cast<Decimal::Rep>(rng() % static_cast<uint64_t>(max_cents)) *
             static_cast<Decimal::Rep>(10'000'000'000'000'000) /
             static_cast<Decimal::Rep>(1 + rng() % 997);
  if (allow_negative && rng() % 5 == 0) raw = -raw;
  return Decimal::FromRaw(raw);
}

TEST(StatementProperty, StatementsAlwaysAddUp) {
  std::mt19937_64 rng(2026);
  const char* services[] = {"AmazonEC2", "AmazonS3", "AWSLambda", "AmazonRDS"};
  const char* currencies[] = {"USD", "EUR", "JPY", "KWD"};
  for (int round = 0; round < 200; ++round) {
    price::PriceBook book;
    price::Plan plan;
    plan.id = "p";
    for (int r = 0; r < 4; ++r) {
      price::Rule rule;
      rule.name = "r" + std::to_string(r);
      rule.type = static_cast<price::RuleType>(rng() % 5);
      rule.percent = Decimal::FromInt(static_cast<int64_t>(rng() % 60));
      rule.rate = RandomAmount(rng, 50, false);
      rule.allowance = Decimal::FromInt(static_cast<int64_t>(rng() % 100));
      rule.tiers = {{Decimal::FromInt(100), Decimal::FromInt(0)},
                    {std::nullopt, Decimal::FromInt(-static_cast<int64_t>(rng() % 20))}};
      if (rng() % 2) rule.scope.service = services[rng() % 4];
      rule.priority = static_cast<int>(rng() % 3);
      plan.rules.push_back(rule);
    }
    price::Fee fee;
    fee.name = "Managed";
    fee.kind = rng() % 2 ? price::Fee::Kind::kFlat : price::Fee::Kind::kPercent;
    fee.amount = RandomAmount(rng, 10000, false);
    fee.percent = Decimal::FromInt(static_cast<int64_t>(rng() % 15));
    if (rng() % 2) fee.minimum = Decimal::FromInt(25);
    plan.fees = {fee};
    book.plans["p"] = plan;

    report::StatementSettings settings;
    NormalizedMonth month;
    AllocatedLines allocated;
    for (int c = 0; c < 3; ++c) {
      std::string id = "c" + std::to_string(c);
      price::CustomerPricing pricing;
      pricing.customer = id;
      pricing.currency = currencies[rng() % 4];
      pricing.plans = {{"p"}};
      if (rng() % 2)
        pricing.tax =
            TaxTreatment{id, Decimal::FromInt(static_cast<int64_t>(rng() % 25)), "VAT", "", ""};
      if (rng() % 2) {
        pricing.credits = {
            {id, "promo", RandomAmount(rng, 50000, false), BillingPeriod::Make(2026, 12).value()}};
      }
      if (rng() % 3 == 0)
        pricing.fx = FxRate{"USD", pricing.currency,
                            RandomAmount(rng, 300, false) + Decimal::FromInt(1), "test"};
      book.customers.push_back(pricing);
      settings.customers.push_back(
          {id, id, pricing.currency, static_cast<RoundingMode>(rng() % 3)});
    }
    for (int i = 0; i < 60; ++i) {
      CurLine line;
      line.period = BillingPeriod::Make(2026, 10).value();
      line.usage_account = "111111111111";
      line.product_code = services[rng() % 4];
      line.usage_start = TimestampFromCivil(2026, 10, 1 + static_cast<unsigned>(rng() % 30));
      line.usage_amount = RandomAmount(rng, 100000, false);
      month.lines.push_back(line);
      AllocatedLine a;
      a.line = static_cast<uint32_t>(i);
      a.bucket = Bucket::kCustomer;
      a.customer = "c" + std::to_string(rng() % 3);
      a.service = line.product_code;
      a.category = rng() % 7 == 0 ? ChargeCategory::kCredit : ChargeCategory::kUsage;
      a.cost_basis = RandomAmount(rng, 200000, a.category == ChargeCategory::kUsage);
      if (a.category == ChargeCategory::kCredit) a.cost_basis = -a.cost_basis.Abs();
      a.list_cost = a.cost_basis.Abs();
      allocated.lines.push_back(a);
    }
    RunContext ctx;
    ctx.period = BillingPeriod::Make(2026, 10).value();
    ASSERT_OK_AND_ASSIGN(PricedLines priced, price::Price(month, allocated, book, ctx));
    ASSERT_OK_AND_ASSIGN(StatementSet set, report::BuildStatements(priced, settings, ctx));
    for (const Statement& s : set.statements) {
      Decimal sum;
      for (const StatementLine& l : s.lines) sum += l.amount;
      EXPECT_EQ(sum, s.total) << s.customer;
      EXPECT_EQ(s.subtotal + s.fees - s.credits + s.tax, s.total) << s.customer;
      EXPECT_OK(report::CheckStatement(s));
      for (const CreditUsage& c : s.customer_credits) EXPECT_GE(c.remaining, Decimal());
    }

    // Corrections of earlier periods and closing keep the statement adding up, and a final
    // statement reads back from its stored JSON to the same statement and the same bytes in
    // every format.
    for (Statement& s : set.statements) {
      const int digits = Currency::Parse(s.currency)->minor_units();
      std::vector<StatementLine> corrections;
      for (int a = static_cast<int>(rng() % 3); a > 0; --a) {
        StatementLine line;
        line.kind = StatementLineKind::kAdjustment;
        line.service = services[rng() % 4];
        line.description = "Correction of 2026-09";
        line.amount = RandomAmount(rng, 5000, true).Round(digits, RoundingMode::kHalfUp);
        line.precise = line.amount;
        line.original_invoice = "INV-2026-" + std::to_string(rng() % 100);
        line.reason = "a newer CUR delivery";
        corrections.push_back(line);
      }
      const Decimal before = s.total;
      ASSERT_OK(report::AddAdjustmentLines(s, corrections));
      Decimal corrected;
      for (const StatementLine& l : corrections) corrected += l.amount;
      EXPECT_EQ(s.total, before + corrected);
      EXPECT_EQ(s.subtotal + s.fees - s.credits + s.tax + s.adjustments, s.total);
      s.status = StatementStatus::kFinal;
      s.invoice_number = "INV-2026-" + std::to_string(round);
      s.issued = "2026-11-05";
      s.due_date = "2026-12-05";
      if (rng() % 2) {
        Decimal forward = RandomAmount(rng, 100000, true).Round(digits, RoundingMode::kHalfUp);
        Decimal paid = RandomAmount(rng, 100000, false).Round(digits, RoundingMode::kHalfUp);
        s.account = AccountSummary{forward, paid, forward - paid + s.total};
      }
    }
    const std::string frozen = report::RenderJson(set);
    ASSERT_OK_AND_ASSIGN(StatementSet reread, report::ParseStatementsJson(frozen));
    EXPECT_EQ(reread, set);
    EXPECT_EQ(report::RenderJson(reread), frozen);
    EXPECT_EQ(report::RenderCsv(reread), report::RenderCsv(set));
    for (size_t i = 0; i < set.statements.size(); ++i) {
      EXPECT_EQ(report::RenderHtml(reread.statements[i]), report::RenderHtml(set.statements[i]));
    }
  }
}

}  // namespace
}  // namespace rebill::pipeline
