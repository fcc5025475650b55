#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rebill/model/allocated_line.h"
#include "rebill/model/cur_line.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/reject.h"
#include "rebill/model/statement.h"
#include "testing/status_matchers.h"

namespace rebill {
namespace {

// ---------------------------------------------------------------------------------------------
// Line item types

TEST(LineItemTypeTest, NameAndParseRoundTripForEveryEnumerator) {
  std::set<std::string_view> names;
  for (int i = 0; i < kLineItemTypeCount; ++i) {
    const auto type = static_cast<LineItemType>(i);
    const std::string_view name = LineItemTypeName(type);
    SCOPED_TRACE(name);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << "duplicate name";
    EXPECT_EQ(ParseLineItemType(name), type);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kLineItemTypeCount));
}

TEST(LineItemTypeTest, UsesTheCurSpelling) {
  EXPECT_EQ(LineItemTypeName(LineItemType::kUsage), "Usage");
  EXPECT_EQ(LineItemTypeName(LineItemType::kDiscountedUsage), "DiscountedUsage");
  EXPECT_EQ(LineItemTypeName(LineItemType::kRIFee), "RIFee");
  EXPECT_EQ(LineItemTypeName(LineItemType::kSavingsPlanCoveredUsage), "SavingsPlanCoveredUsage");
  EXPECT_EQ(LineItemTypeName(LineItemType::kSavingsPlanNegation), "SavingsPlanNegation");
  EXPECT_EQ(LineItemTypeName(LineItemType::kEdpDiscount), "EdpDiscount");
  EXPECT_EQ(LineItemTypeName(LineItemType::kSppDiscount), "SppDiscount");
  EXPECT_EQ(LineItemTypeName(LineItemType::kUnknown), "Unknown");
  EXPECT_EQ(ParseLineItemType("Tax"), LineItemType::kTax);
  EXPECT_EQ(ParseLineItemType("Credit"), LineItemType::kCredit);
  EXPECT_EQ(ParseLineItemType("Refund"), LineItemType::kRefund);
}

TEST(LineItemTypeTest, UnknownTextIsUnknown) {
  for (const char* text : {"", "usage", "USAGE", "Usage ", " Usage", "SavingsPlan", "NewType",
                           "RiFee", "EDPDiscount"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseLineItemType(text), LineItemType::kUnknown);
  }
}

TEST(LineItemTypeTest, ChannelDiscounts) {
  const std::set<LineItemType> channel = {
      LineItemType::kEdpDiscount, LineItemType::kPrivateRateDiscount, LineItemType::kSppDiscount,
      LineItemType::kDistributorDiscount, LineItemType::kRiVolumeDiscount};
  for (int i = 0; i < kLineItemTypeCount; ++i) {
    const auto type = static_cast<LineItemType>(i);
    SCOPED_TRACE(LineItemTypeName(type));
    EXPECT_EQ(IsChannelDiscount(type), channel.count(type) == 1);
  }
  // Bundled discounts and plain discounts are not negotiated channel discounts.
  EXPECT_FALSE(IsChannelDiscount(LineItemType::kBundledDiscount));
  EXPECT_FALSE(IsChannelDiscount(LineItemType::kDiscount));
}

// ---------------------------------------------------------------------------------------------
// Cost views

TEST(CostViewTest, NameAndParseRoundTrip) {
  const CostView views[] = {CostView::kUnblended, CostView::kNetUnblended, CostView::kAmortized,
                            CostView::kPublicOnDemand};
  std::set<std::string_view> names;
  for (CostView view : views) {
    SCOPED_TRACE(CostViewName(view));
    EXPECT_TRUE(names.insert(CostViewName(view)).second);
    ASSERT_OK_AND_ASSIGN(CostView parsed, ParseCostView(CostViewName(view)));
    EXPECT_EQ(parsed, view);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kCostViewCount));
  EXPECT_EQ(CostViewName(CostView::kUnblended), "unblended");
  EXPECT_EQ(CostViewName(CostView::kNetUnblended), "net-unblended");
  EXPECT_EQ(CostViewName(CostView::kAmortized), "amortized");
  EXPECT_EQ(CostViewName(CostView::kPublicOnDemand), "public-on-demand");
}

TEST(CostViewTest, UnknownViewIsAnErrorNamingIt) {
  for (const char* text : {"", "Amortized", "blended", "net_unblended", "on-demand"}) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(ParseCostView(text), StatusCode::kInvalidInput,
                  "unknown cost view '" + std::string(text) + "'");
  }
}

TEST(CostViewTest, GetReturnsEachView) {
  CostViews views;
  views.unblended = D("1.1");
  views.net_unblended = D("2.2");
  views.amortized = D("3.3");
  views.public_on_demand = D("4.4");
  EXPECT_EQ(views.Get(CostView::kUnblended), D("1.1"));
  EXPECT_EQ(views.Get(CostView::kNetUnblended), D("2.2"));
  EXPECT_EQ(views.Get(CostView::kAmortized), D("3.3"));
  EXPECT_EQ(views.Get(CostView::kPublicOnDemand), D("4.4"));

  CostViews other = views;
  EXPECT_EQ(other, views);
  other.amortized = D("3.30000000000000001");
  EXPECT_NE(other, views);
}

// ---------------------------------------------------------------------------------------------
// Rejects

Reject BadCost(uint64_t row) {
  Reject r;
  r.stage = "ingest";
  r.file = "cur.csv";
  r.row = row;
  r.column = "lineItem/UnblendedCost";
  r.reason = "'abc' is not a decimal number";
  r.raw_text = "abc";
  return r;
}

TEST(RejectTest, ToStringNamesFileRowAndColumn) {
  Reject r = BadCost(17);
  EXPECT_EQ(r.ToString(),
            "cur.csv: row 17, column lineItem/UnblendedCost: 'abc' is not a decimal number");
  r.hint = "fix the export";
  EXPECT_EQ(r.ToString(),
            "cur.csv: row 17, column lineItem/UnblendedCost: 'abc' is not a decimal number "
            "(fix the export)");
  r.column.clear();
  r.hint.clear();
  EXPECT_EQ(r.ToString(), "cur.csv: row 17: 'abc' is not a decimal number");
}

TEST(RejectSinkTest, FailPolicyStopsAtTheFirstReject) {
  RejectSink sink(RejectPolicy::Fail());
  Status s = sink.Add(BadCost(17));
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_NE(s.message().find("cur.csv"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("row 17"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("lineItem/UnblendedCost"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'abc' is not a decimal number"), std::string::npos);
  ASSERT_EQ(sink.rejects().size(), 1u);
  EXPECT_EQ(sink.rejects()[0].row, 17u);
  EXPECT_EQ(sink.rejects()[0].raw_text, "abc");
}

TEST(RejectSinkTest, DefaultPolicyIsFail) {
  RejectSink sink;
  EXPECT_STATUS(sink.Add(BadCost(3)), StatusCode::kInvalidInput, "cur.csv: row 3");
}

TEST(RejectSinkTest, SkipUpToToleratesThatManyRows) {
  RejectSink sink(RejectPolicy::SkipUpTo(2));
  EXPECT_OK(sink.Add(BadCost(4)));
  EXPECT_OK(sink.Add(BadCost(9)));
  EXPECT_EQ(sink.rejects().size(), 2u);
  Status third = sink.Add(BadCost(12));
  EXPECT_EQ(third.code(), StatusCode::kInvalidInput);
  EXPECT_NE(third.message().find("cur.csv: row 12"), std::string::npos) << third.message();
  EXPECT_NE(third.message().find("more than 2 rejected rows"), std::string::npos)
      << third.message();
  ASSERT_EQ(sink.rejects().size(), 3u);
  EXPECT_EQ(sink.rejects()[0].row, 4u);
  EXPECT_EQ(sink.rejects()[1].row, 9u);
  EXPECT_EQ(sink.rejects()[2].row, 12u);
}

TEST(RejectSinkTest, SkipUpToZeroFailsAtOnce) {
  RejectSink sink(RejectPolicy::SkipUpTo(0));
  EXPECT_STATUS(sink.Add(BadCost(1)), StatusCode::kInvalidInput, "more than 0 rejected rows");
}

// ---------------------------------------------------------------------------------------------
// NormalizedMonth

CurLine Line(const char* unblended, const char* amortized, std::string invoice_id = "") {
  CurLine line;
  line.cost.unblended = D(unblended);
  line.cost.net_unblended = D(unblended);
  line.cost.amortized = D(amortized);
  line.cost.public_on_demand = D("0");
  line.invoice_id = std::move(invoice_id);
  return line;
}

TEST(NormalizedMonthTest, TotalIsTheExactSumOfAView) {
  NormalizedMonth month;
  EXPECT_EQ(month.Total(CostView::kUnblended), Decimal());
  month.lines.push_back(Line("0.0000300172", "1.5"));
  month.lines.push_back(Line("-1.3E-9", "-0.25"));
  month.lines.push_back(Line("4.0E-7", "0.000000000000000001"));
  month.lines[2].cost.public_on_demand = D("10");
  EXPECT_EQ(month.Total(CostView::kUnblended), D("0.0000304159"));
  EXPECT_EQ(month.Total(CostView::kNetUnblended), D("0.0000304159"));
  EXPECT_EQ(month.Total(CostView::kAmortized), D("1.250000000000000001"));
  EXPECT_EQ(month.Total(CostView::kPublicOnDemand), D("10"));
}

TEST(NormalizedMonthTest, IsFinalOnceAnyLineHasAnInvoice) {
  NormalizedMonth month;
  EXPECT_FALSE(month.IsFinal());
  month.lines.push_back(Line("1", "1"));
  month.lines.push_back(Line("2", "2"));
  EXPECT_FALSE(month.IsFinal());
  month.lines.push_back(Line("3", "3", "EUINUS23-123456"));
  EXPECT_TRUE(month.IsFinal());
}

TEST(NormalizedMonthTest, EqualityCoversLinesAndSources) {
  NormalizedMonth a;
  a.period = BillingPeriod::Parse("2023-11").value();
  a.sources.push_back({"cur.csv", "abc", "legacy-cur-csv", 3});
  a.lines.push_back(Line("1", "1"));
  NormalizedMonth b = a;
  EXPECT_EQ(a, b);
  b.lines[0].source_row = 2;
  EXPECT_NE(a, b);
  b = a;
  b.sources[0].rows = 4;
  EXPECT_NE(a, b);
  b = a;
  b.display_scale = 11;
  EXPECT_NE(a, b);
}

// ---------------------------------------------------------------------------------------------
// Names of the allocation and statement enums

TEST(ModelNamesTest, BucketsAndCategoriesHaveDistinctNames) {
  EXPECT_EQ(BucketName(Bucket::kCustomer), "customer");
  EXPECT_EQ(BucketName(Bucket::kResellerRetained), "reseller-retained");
  EXPECT_EQ(BucketName(Bucket::kUnassigned), "unassigned");

  std::set<std::string_view> names;
  for (int i = 0; i < kChargeCategoryCount; ++i) {
    std::string_view name = ChargeCategoryName(static_cast<ChargeCategory>(i));
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(ChargeCategoryName(ChargeCategory::kUsage), "usage");
  EXPECT_EQ(ChargeCategoryName(ChargeCategory::kMarketplace), "marketplace");
  EXPECT_EQ(ChargeCategoryName(ChargeCategory::kSupport), "support");
}

TEST(ModelNamesTest, StatementEnumsHaveNames) {
  EXPECT_EQ(StatementStatusName(StatementStatus::kDraft), "draft");
  EXPECT_EQ(StatementStatusName(StatementStatus::kFinal), "final");
  EXPECT_EQ(StatementStatusName(StatementStatus::kVoid), "void");
  EXPECT_EQ(StatementLineKindName(StatementLineKind::kCharge), "charge");
  EXPECT_EQ(StatementLineKindName(StatementLineKind::kFee), "fee");
  EXPECT_EQ(StatementLineKindName(StatementLineKind::kCredit), "credit");
  EXPECT_EQ(StatementLineKindName(StatementLineKind::kTax), "tax");
}

}  // namespace
}  // namespace rebill
