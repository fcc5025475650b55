#include "rebill/price/price.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace rebill::price {
namespace {

AllocatedLine Allocated(const char* customer, ChargeCategory category, const char* basis,
                        Bucket bucket = Bucket::kCustomer) {
  AllocatedLine l;
  l.bucket = bucket;
  l.customer = customer;
  l.usage_account = "111111111111";
  l.service = "AmazonEC2";
  l.category = category;
  l.cost_basis = D(basis);
  l.list_cost = D(basis);
  return l;
}

TEST(Price, MarkupAndDiscountOnTheCostBasis) {
  AllocatedLines allocated;
  allocated.lines = {Allocated("acme", ChargeCategory::kUsage, "100"),
                     Allocated("globex", ChargeCategory::kUsage, "0.0000300172"),
                     Allocated("", ChargeCategory::kUsage, "5", Bucket::kUnassigned)};
  PriceBook book;
  book.customers = {{"acme", "USD", "standard", AdjustmentType::kMarkup, D("8")},
                    {"globex", "USD", "partner", AdjustmentType::kDiscount, D("3")}};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Price(allocated, book, ctx));
  ASSERT_EQ(priced.lines.size(), 2u);  // unassigned lines are not priced
  EXPECT_EQ(priced.lines[0].amount, D("108"));
  EXPECT_EQ(priced.lines[0].rule, "standard: markup 8%");
  EXPECT_EQ(priced.lines[1].amount, D("0.000029116684"));  // exact: 0.0000300172 * 0.97
  EXPECT_EQ(priced.lines[1].rule, "partner: discount 3%");
  EXPECT_EQ(priced.lines[1].cost_basis, D("0.0000300172"));
  EXPECT_EQ(priced.lines[1].allocated, 1u);
}

TEST(Price, CreditsAndMarketplacePassAtFaceValue) {
  AllocatedLines allocated;
  allocated.lines = {Allocated("acme", ChargeCategory::kCredit, "-25"),
                     Allocated("acme", ChargeCategory::kMarketplace, "49")};
  PriceBook book;
  book.customers = {{"acme", "USD", "standard", AdjustmentType::kMarkup, D("8")}};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(PricedLines priced, Price(allocated, book, ctx));
  EXPECT_EQ(priced.lines[0].amount, D("-25"));
  EXPECT_EQ(priced.lines[1].amount, D("49"));
}

TEST(Price, CustomerWithoutPlanIsAnError) {
  AllocatedLines allocated;
  allocated.lines = {Allocated("ghost", ChargeCategory::kUsage, "1")};
  RunContext ctx;
  EXPECT_STATUS(Price(allocated, PriceBook{}, ctx), StatusCode::kInvalidInput, "'ghost'");
}

TEST(Price, NegativeOrExcessivePercentIsAnError) {
  AllocatedLines allocated;
  RunContext ctx;
  PriceBook negative;
  negative.customers = {{"acme", "USD", "odd", AdjustmentType::kMarkup, D("-1")}};
  EXPECT_STATUS(Price(allocated, negative, ctx), StatusCode::kInvalidInput, "negative");
  PriceBook excessive;
  excessive.customers = {{"acme", "USD", "odd", AdjustmentType::kDiscount, D("101")}};
  EXPECT_STATUS(Price(allocated, excessive, ctx), StatusCode::kInvalidInput, "more than 100%");
}

}  // namespace
}  // namespace rebill::price
