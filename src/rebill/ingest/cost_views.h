// The cost views of one CUR row (reference/aws-billing-data.md §4.2): unblended, net unblended,
// amortized and public on-demand, from the row's line item type and cost columns.
#pragma once

#include <optional>
#include <string_view>

#include "rebill/core/decimal.h"
#include "rebill/model/cur_line.h"

namespace rebill::ingest {

/// The cost columns of a row that the views are computed from; absent columns are nullopt.
struct CostColumns {
  LineItemType type = LineItemType::kUsage;
  std::string_view product_code;
  bool has_reservation_arn = false;
  Decimal unblended;                           // lineItem/UnblendedCost
  std::optional<Decimal> net_unblended;        // lineItem/NetUnblendedCost
  std::optional<Decimal> public_on_demand;     // pricing/publicOnDemandCost
  std::optional<Decimal> sp_effective_cost;    // savingsPlan/SavingsPlanEffectiveCost
  std::optional<Decimal> sp_total_commitment;  // savingsPlan/TotalCommitmentToDate
  std::optional<Decimal> sp_used_commitment;   // savingsPlan/UsedCommitment
  std::optional<Decimal> ri_effective_cost;    // reservation/EffectiveCost
  std::optional<Decimal>
      ri_unused_amortized_upfront;  // reservation/UnusedAmortizedUpfrontFeeForBillingPeriod
  std::optional<Decimal> ri_unused_recurring;  // reservation/UnusedRecurringFee
};

/// Compute the four views. Pure and exact.
CostViews ComputeCostViews(const CostColumns& columns);

}  // namespace rebill::ingest
