// Margin and reconciliation: what the reseller earned per customer, service and account, and the
// proof that every cent of the AWS bill is accounted for (DESIGN.md §2, invariants 1 and 4).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"
#include "rebill/model/allocated_line.h"

namespace rebill {

struct MarginRow {
  std::string key;     // customer id, service code, account id, or "customer/service"
  Decimal revenue;     // what the customer is billed (statement amounts without tax)
  Decimal cost;        // the reseller's true cost: what it pays AWS for this usage
  Decimal margin;      // revenue - cost
  Decimal cost_basis;  // what the customer's prices were computed on (allocate's cost basis)

  friend bool operator==(const MarginRow&, const MarginRow&) = default;
};

/// The steps of the margin waterfall (docs/margin.md), in the order they are shown. Each step
/// belongs to one leg, and each leg adds up exactly:
///   list price    + Σ kListToBasis steps     = cost basis
///   cost basis    + Σ kBasisToPrice steps    = customer price (revenue)
///   cost basis    + Σ kBasisToCost steps     = reseller cost (true cost)
///   margin        + Σ kBelowTheLine steps    = net margin (only the total has such steps)
enum class WaterfallStep : uint8_t {
  kCommitmentBenefitPassed,  // covered usage and commitment fees charged below list
  kAwsCreditsPassed,         // AWS credits and refunds the customer's cost basis carries
  kChannelDiscountsPassed,   // EDP / PPA / SPP / distributor discounts passed through
  kChargesOffList,           // charges without or off a public price: Marketplace, support, ...
  kPriceBook,                // markups, discounts, rates, tiers, free allowances
  kFees,                     // the price book's fees
  kCustomerCredits,          // the reseller's own credits to the customer
  kRounding,                 // statement lines rounded to the currency's minor unit
  kFx,                       // converting the customer's currency back at the billed rate
  kCommitmentBenefitKept,    // Savings Plan / RI benefit the reseller kept
  kChannelDiscountsKept,     // EDP / PPA / SPP / distributor discounts the reseller kept
  kCreditsKept,              // AWS credits the reseller kept
  kCostView,                 // the margin's cost view against the cost basis's view
  kSupportAbsorbed,          // AWS Support no customer carries
  kCommitmentFeesAbsorbed,   // commitment fees no customer carries (unused; in cash, the fee)
};
inline constexpr int kWaterfallStepCount = 15;
std::string_view WaterfallStepName(WaterfallStep step);   // "commitment_benefit_passed"
std::string_view WaterfallStepLabel(WaterfallStep step);  // "Commitment benefit passed"

enum class WaterfallLeg : uint8_t { kListToBasis, kBasisToPrice, kBasisToCost, kBelowTheLine };
WaterfallLeg LegOf(WaterfallStep step);

struct Waterfall {
  std::string key;  // customer id, or "total"
  Decimal list_price;
  Decimal cost_basis;
  Decimal customer_price;  // = MarginRow::revenue
  Decimal reseller_cost;   // = MarginRow::cost
  Decimal margin;          // customer_price - reseller_cost
  Decimal net_margin;      // margin + the below-the-line steps
  std::array<Decimal, kWaterfallStepCount> steps{};

  Decimal& operator[](WaterfallStep s) { return steps[static_cast<size_t>(s)]; }
  Decimal operator[](WaterfallStep s) const { return steps[static_cast<size_t>(s)]; }
  friend bool operator==(const Waterfall&, const Waterfall&) = default;
};

enum class AlertKind : uint8_t {
  kNegativeMargin,
  kLowMargin,  // margin % below [margin] alert_below_percent
  kUnassignedSpend,
  kQuarantinedLineItems,
  kUnbalancedReconciliation,
};
std::string_view AlertKindName(AlertKind kind);  // "negative_margin", ...

/// Something the billing team should look at before closing the period.
struct Alert {
  AlertKind kind = AlertKind::kNegativeMargin;
  std::string period;   // YYYY-MM
  std::string subject;  // customer id, payer account or line item type
  Decimal amount;       // the margin, the unassigned spend, the quarantined cost, the difference
  std::string message;  // one plain sentence

  friend bool operator==(const Alert&, const Alert&) = default;
};

struct MarginReport {
  BillingPeriod period;   // the first period
  BillingPeriod through;  // the last period (= period for one month)
  std::string currency;
  CostView cost_view = CostView::kAmortized;        // of the true cost
  CostView basis_cost_view = CostView::kAmortized;  // of the cost basis customers are priced on
  std::vector<MarginRow> by_customer;
  std::vector<MarginRow> by_service;
  std::vector<MarginRow> by_account;
  std::vector<MarginRow> by_customer_service;
  MarginRow total;
  std::vector<Waterfall> waterfalls;  // one per customer, as by_customer
  Waterfall total_waterfall;          // Σ customers, plus the below-the-line steps
  std::vector<Alert> alerts;
};

/// Once AWS finalized the month, each of its invoices: the CUR rows billed on it against the
/// allocated parts of those rows.
struct InvoiceReconciliation {
  std::string invoice_id;  // bill/InvoiceId
  Decimal cur_total;
  Decimal allocated;
  Decimal difference;  // cur_total - allocated
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
  /// Per bill/InvoiceId, only when every row of the payer's month carries one (a final month).
  std::vector<InvoiceReconciliation> invoices;
};

struct Reconciliation {
  BillingPeriod period;
  CostView cost_view = CostView::kAmortized;
  std::string currency;
  int display_scale = 2;
  std::vector<PayerReconciliation> payers;
  bool balanced = false;  // every payer's and every invoice's difference is exactly zero
};

}  // namespace rebill
