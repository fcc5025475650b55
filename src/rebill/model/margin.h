// Margin and reconciliation: what the reseller earned per customer, service and account, and the
// proof that every cent of the AWS bill is accounted for (DESIGN.md §2, invariants 1 and 4).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"
#include "rebill/model/allocated_line.h"

namespace rebill {

struct MarginRow {
  std::string key;  // customer id, service code, account id, or "customer/service"
  Decimal revenue;  // what the customer is billed (statement amounts)
  Decimal cost;     // the reseller's cost basis
  Decimal margin;   // revenue - cost

  friend bool operator==(const MarginRow&, const MarginRow&) = default;
};

struct MarginReport {
  BillingPeriod period;
  std::string currency;
  CostView cost_view = CostView::kAmortized;
  std::vector<MarginRow> by_customer;
  std::vector<MarginRow> by_service;
  std::vector<MarginRow> by_account;
  std::vector<MarginRow> by_customer_service;
  MarginRow total;
};

/// Reconciliation of one payer: Σ customers + Σ reseller-retained + Σ unassigned = CUR total.
struct PayerReconciliation {
  std::string payer;
  Decimal cur_total;
  Decimal customers;
  Decimal reseller_retained;
  Decimal unassigned;
  Decimal difference;  // cur_total - (customers + reseller_retained + unassigned)
  /// Allocated cost (all buckets) per ChargeCategory, to see where the total comes from.
  std::array<Decimal, kChargeCategoryCount> components{};
};

struct Reconciliation {
  BillingPeriod period;
  CostView cost_view = CostView::kAmortized;
  std::string currency;
  int display_scale = 2;
  std::vector<PayerReconciliation> payers;
  bool balanced = false;  // every payer's difference is exactly zero
};

}  // namespace rebill
