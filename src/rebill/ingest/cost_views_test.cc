// The worked examples of reference/aws-billing-data.md §4.5, row by row, and the identity
// Unblended = Amortized + TrueUp + UpfrontFees of §4.2.
#include "rebill/ingest/cost_views.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

constexpr char kX[] = "111111111111";
constexpr char kY[] = "222222222222";
constexpr char kOwner[] = "999999999999";

struct Row {
  std::string account;
  CostColumns columns;
  // savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod on SavingsPlanRecurringFee rows,
  // reservation/AmortizedUpfrontFeeForBillingPeriod on RIFee rows: the true-up of §4.2.
  Decimal amortized_upfront;
};

Row Covered(const char* account, const char* u, const char* list, const char* effective) {
  Row r{account, {}, {}};
  r.columns.type = LineItemType::kSavingsPlanCoveredUsage;
  r.columns.unblended = D(u);
  r.columns.public_on_demand = D(list);
  r.columns.sp_effective_cost = D(effective);
  return r;
}

Row Negation(const char* account, const char* u) {
  Row r{account, {}, {}};
  r.columns.type = LineItemType::kSavingsPlanNegation;
  r.columns.unblended = D(u);
  return r;
}

Row Usage(const char* account, const char* u, const char* list) {
  Row r{account, {}, {}};
  r.columns.type = LineItemType::kUsage;
  r.columns.unblended = D(u);
  r.columns.public_on_demand = D(list);
  return r;
}

Row SpRecurringFee(const char* u, const char* used, const char* total, const char* upfront) {
  Row r{kOwner, {}, D(upfront)};
  r.columns.type = LineItemType::kSavingsPlanRecurringFee;
  r.columns.product_code = "ComputeSavingsPlans";
  r.columns.unblended = D(u);
  r.columns.sp_used_commitment = D(used);
  r.columns.sp_total_commitment = D(total);
  return r;
}

Row SpUpfrontFee(const char* u) {
  Row r{kOwner, {}, {}};
  r.columns.type = LineItemType::kSavingsPlanUpfrontFee;
  r.columns.product_code = "ComputeSavingsPlans";
  r.columns.unblended = D(u);
  return r;
}

struct Totals {
  Decimal unblended;
  Decimal amortized;
  Decimal list;
  Decimal true_up;
  Decimal upfront_fees;
};

std::map<std::string, Totals> ByAccount(const std::vector<Row>& rows) {
  std::map<std::string, Totals> out;
  for (const Row& row : rows) {
    CostViews v = ComputeCostViews(row.columns);
    for (Totals* t : {&out[row.account], &out["family"]}) {
      t->unblended += v.unblended;
      t->amortized += v.amortized;
      t->list += v.public_on_demand;
      LineItemType type = row.columns.type;
      if (type == LineItemType::kSavingsPlanRecurringFee || type == LineItemType::kRIFee) {
        t->true_up -= row.amortized_upfront;
      }
      if (type == LineItemType::kSavingsPlanUpfrontFee ||
          (type == LineItemType::kFee && row.columns.has_reservation_arn)) {
        t->upfront_fees += row.columns.unblended;
      }
    }
  }
  return out;
}

void ExpectIdentity(const Totals& t) {
  EXPECT_EQ(t.unblended, t.amortized + t.true_up + t.upfront_fees)
      << "unblended " << t.unblended.ToString() << ", amortized " << t.amortized.ToString()
      << ", true-up " << t.true_up.ToString() << ", upfront " << t.upfront_fees.ToString();
}

// §4.5.1: the hour's six rows (X fully covered, Y 5 of 6 hours covered, 1 spilling on demand).
std::vector<Row> NoUpfrontHour() {
  return {
      Covered(kX, "0.192", "0.192", "0.120"),
      Negation(kX, "-0.192"),
      Covered(kY, "0.425", "0.425", "0.280"),
      Negation(kY, "-0.425"),
      Usage(kY, "0.085", "0.085"),
      SpRecurringFee("0.400", "0.400", "0.400", "0"),
  };
}

TEST(CostViewsTest, SavingsPlanNoUpfrontHourWithSpillOver) {
  std::map<std::string, Totals> t = ByAccount(NoUpfrontHour());
  EXPECT_EQ(t[kX].unblended, D("0.000"));
  EXPECT_EQ(t[kX].amortized, D("0.120"));
  EXPECT_EQ(t[kX].list, D("0.192"));
  EXPECT_EQ(t[kX].list - t[kX].amortized, D("0.072"));
  EXPECT_EQ(t[kY].unblended, D("0.085"));
  EXPECT_EQ(t[kY].amortized, D("0.365"));
  EXPECT_EQ(t[kY].list, D("0.510"));
  EXPECT_EQ(t[kY].list - t[kY].amortized, D("0.145"));
  EXPECT_EQ(t[kOwner].unblended, D("0.400"));
  EXPECT_EQ(t[kOwner].amortized, D("0.000"));
  EXPECT_EQ(t[kOwner].list, D("0"));
  EXPECT_EQ(t["family"].unblended, D("0.485"));
  EXPECT_EQ(t["family"].amortized, D("0.485"));
  EXPECT_EQ(t["family"].list, D("0.702"));
  EXPECT_EQ(t["family"].list - t["family"].amortized, D("0.217"));
  ExpectIdentity(t["family"]);
}

TEST(CostViewsTest, SavingsPlanUnderUtilizedHourLeavesUnusedWithTheOwner) {
  std::map<std::string, Totals> t = ByAccount({
      Covered(kX, "0.192", "0.192", "0.120"),
      Negation(kX, "-0.192"),
      SpRecurringFee("0.400", "0.120", "0.400", "0"),
  });
  EXPECT_EQ(t[kX].amortized, D("0.120"));
  EXPECT_EQ(t[kOwner].amortized, D("0.280"));
  EXPECT_EQ(t["family"].unblended, D("0.400"));
  EXPECT_EQ(t["family"].amortized, D("0.400"));
  ExpectIdentity(t["family"]);
}

TEST(CostViewsTest, SavingsPlanPartialUpfront) {
  // §4.5.2: the same hour with the plan bought 50 % upfront.
  std::vector<Row> hour = NoUpfrontHour();
  hour.back() = SpRecurringFee("0.200", "0.400", "0.400", "0.200");
  std::map<std::string, Totals> t = ByAccount(hour);
  EXPECT_EQ(t[kX].amortized, D("0.120"));
  EXPECT_EQ(t[kY].amortized, D("0.365"));
  EXPECT_EQ(t[kOwner].unblended, D("0.200"));
  EXPECT_EQ(t[kOwner].amortized, D("0"));
  EXPECT_EQ(t["family"].unblended, D("0.285"));
  EXPECT_EQ(t["family"].amortized, D("0.485"));
  EXPECT_EQ(t["family"].true_up, D("-0.200"));
  ExpectIdentity(t["family"]);

  // The purchase hour also carries the upfront fee: 0.20 x 8,760 h, amortized 0.
  hour.push_back(SpUpfrontFee("1752.00"));
  t = ByAccount(hour);
  EXPECT_EQ(ComputeCostViews(hour.back().columns).amortized, D("0"));
  EXPECT_EQ(t[kOwner].unblended, D("1752.200"));
  EXPECT_EQ(t["family"].unblended, D("1752.285"));
  EXPECT_EQ(t["family"].amortized, D("0.485"));
  EXPECT_EQ(t["family"].upfront_fees, D("1752.00"));
  ExpectIdentity(t["family"]);
}

// §4.5.3: one m5.large RI for March (744 h), Partial Upfront, 700 of 744 hours used.
std::vector<Row> RiMonth(bool purchase_month) {
  std::vector<Row> rows;
  if (purchase_month) {
    Row fee{kOwner, {}, {}};
    fee.columns.type = LineItemType::kFee;
    fee.columns.has_reservation_arn = true;
    fee.columns.unblended = D("438.00");
    rows.push_back(fee);
  }
  Row ri_fee{kOwner, {}, D("37.20")};
  ri_fee.columns.type = LineItemType::kRIFee;
  ri_fee.columns.has_reservation_arn = true;
  ri_fee.columns.unblended = D("22.32");
  ri_fee.columns.ri_unused_amortized_upfront = D("2.20");
  ri_fee.columns.ri_unused_recurring = D("1.32");
  rows.push_back(ri_fee);
  for (int hour = 0; hour < 700; ++hour) {
    Row used{kX, {}, {}};
    used.columns.type = LineItemType::kDiscountedUsage;
    used.columns.has_reservation_arn = true;
    used.columns.unblended = D("0");
    used.columns.ri_effective_cost = D("0.08");
    used.columns.public_on_demand = D("0.096");
    rows.push_back(used);
  }
  return rows;
}

TEST(CostViewsTest, ReservedInstanceMonth) {
  std::map<std::string, Totals> t = ByAccount(RiMonth(false));
  EXPECT_EQ(t[kX].unblended, D("0"));
  EXPECT_EQ(t[kX].amortized, D("56.00"));
  EXPECT_EQ(t[kX].list, D("67.200"));
  EXPECT_EQ(t[kOwner].unblended, D("22.32"));
  EXPECT_EQ(t[kOwner].amortized, D("3.52"));
  EXPECT_EQ(t["family"].unblended, D("22.32"));
  EXPECT_EQ(t["family"].amortized, D("59.52"));
  EXPECT_EQ(t["family"].amortized, D("37.20") + D("22.32"));
  EXPECT_EQ(t["family"].true_up, D("-37.20"));
  ExpectIdentity(t["family"]);

  t = ByAccount(RiMonth(true));
  EXPECT_EQ(t[kOwner].unblended, D("460.32"));
  EXPECT_EQ(t[kOwner].amortized, D("3.52"));
  EXPECT_EQ(t["family"].amortized, D("59.52"));
  EXPECT_EQ(t["family"].upfront_fees, D("438.00"));
  ExpectIdentity(t["family"]);
}

TEST(CostViewsTest, FeeWithoutReservationIsAmortizedAsCharged) {
  CostColumns c;
  c.type = LineItemType::kFee;
  c.product_code = "AmazonRoute53";
  c.unblended = D("12.00");
  EXPECT_EQ(ComputeCostViews(c).amortized, D("12.00"));
}

TEST(CostViewsTest, ComputeSavingsPlanRefundIsNotAmortized) {
  CostColumns c;
  c.type = LineItemType::kRefund;
  c.product_code = "ComputeSavingsPlans";
  c.unblended = D("-1752.00");
  CostViews v = ComputeCostViews(c);
  EXPECT_EQ(v.unblended, D("-1752.00"));
  EXPECT_EQ(v.amortized, D("0"));

  c.product_code = "AmazonEC2";
  EXPECT_EQ(ComputeCostViews(c).amortized, D("-1752.00"));
}

TEST(CostViewsTest, NetUnblendedFallsBackToUnblended) {
  CostColumns c;
  c.type = LineItemType::kUsage;
  c.unblended = D("10.00");
  EXPECT_EQ(ComputeCostViews(c).net_unblended, D("10.00"));
  c.net_unblended = D("9.10");
  EXPECT_EQ(ComputeCostViews(c).net_unblended, D("9.10"));
}

TEST(CostViewsTest, DiscountRowsAreNotCountedTwiceInTheNetView) {
  // §4.6: the discount is already in the usage row's NetUnblendedCost.
  CostColumns usage;
  usage.unblended = D("10.00");
  usage.net_unblended = D("9.10");
  CostColumns edp;
  edp.type = LineItemType::kEdpDiscount;
  edp.unblended = D("-0.90");
  edp.net_unblended = D("-0.90");
  Decimal unblended = ComputeCostViews(usage).unblended + ComputeCostViews(edp).unblended;
  Decimal net = ComputeCostViews(usage).net_unblended + ComputeCostViews(edp).net_unblended;
  EXPECT_EQ(unblended, D("9.10"));
  EXPECT_EQ(net, D("9.10"));

  // Without the net column the discount row is the only place the discount shows.
  edp.net_unblended.reset();
  EXPECT_EQ(ComputeCostViews(edp).net_unblended, D("-0.90"));
}

TEST(CostViewsTest, PublicOnDemandIsZeroOnNegationsAndNulls) {
  CostColumns c;
  c.type = LineItemType::kSavingsPlanNegation;
  c.unblended = D("-0.192");
  c.public_on_demand = D("0.192");
  EXPECT_EQ(ComputeCostViews(c).public_on_demand, D("0"));
  c.type = LineItemType::kTax;
  c.public_on_demand.reset();
  EXPECT_EQ(ComputeCostViews(c).public_on_demand, D("0"));
  EXPECT_EQ(ComputeCostViews(c).amortized, D("-0.192"));
}

TEST(CostViewsTest, UnknownTypesAreAmortizedAsCharged) {
  CostColumns c;
  c.type = LineItemType::kUnknown;
  c.unblended = D("4.0E-7");
  EXPECT_EQ(ComputeCostViews(c).amortized, D("0.0000004"));
}

}  // namespace
}  // namespace rebill::ingest
