#include "rebill/ingest/cost_views.h"

namespace rebill::ingest {
namespace {

Decimal Or0(const std::optional<Decimal>& d) { return d.value_or(Decimal()); }

}  // namespace

CostViews ComputeCostViews(const CostColumns& c) {
  CostViews v;
  v.unblended = c.unblended;
  // Why: discount rows already reduce the discounted rows' NetUnblendedCost; counting them in
  // the net view again would subtract the discount twice (reference §4.6).
  bool discount_row = IsChannelDiscount(c.type) || c.type == LineItemType::kBundledDiscount ||
                      c.type == LineItemType::kDiscount;
  if (discount_row && c.net_unblended.has_value()) {
    v.net_unblended = Decimal();
  } else {
    v.net_unblended = c.net_unblended.value_or(c.unblended);
  }

  switch (c.type) {
    case LineItemType::kSavingsPlanCoveredUsage:
      v.amortized = Or0(c.sp_effective_cost);
      break;
    case LineItemType::kSavingsPlanRecurringFee:
      v.amortized = Or0(c.sp_total_commitment) - Or0(c.sp_used_commitment);
      break;
    case LineItemType::kSavingsPlanNegation:
    case LineItemType::kSavingsPlanUpfrontFee:
      v.amortized = Decimal();
      break;
    case LineItemType::kDiscountedUsage:
      v.amortized = Or0(c.ri_effective_cost);
      break;
    case LineItemType::kRIFee:
      v.amortized = Or0(c.ri_unused_amortized_upfront) + Or0(c.ri_unused_recurring);
      break;
    case LineItemType::kFee:
      v.amortized = c.has_reservation_arn ? Decimal() : c.unblended;
      break;
    case LineItemType::kRefund:
      // Why: a refund of a returned Compute Savings Plan offsets its upfront fee, which the
      // amortized view never counted (AWS CID summary view).
      v.amortized = c.product_code == "ComputeSavingsPlans" ? Decimal() : c.unblended;
      break;
    default:
      v.amortized = c.unblended;
      break;
  }

  v.public_on_demand =
      c.type == LineItemType::kSavingsPlanNegation ? Decimal() : Or0(c.public_on_demand);
  return v;
}

}  // namespace rebill::ingest
