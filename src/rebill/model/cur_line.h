// The canonical line: one normalized CUR / CUR 2.0 / FOCUS row (DESIGN.md §3), with the four
// cost views computed by ingest (reference §4.2). Every later stage reads these; none re-parses
// a billing file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/interned.h"
#include "rebill/core/period.h"

namespace rebill {

/// `lineItem/LineItemType`: a closed list. Anything else is kUnknown and is quarantined: it
/// blocks closing a period until it is classified.
enum class LineItemType : uint8_t {
  kUsage,
  kDiscountedUsage,
  kRIFee,
  kFee,
  kSavingsPlanCoveredUsage,
  kSavingsPlanNegation,
  kSavingsPlanRecurringFee,
  kSavingsPlanUpfrontFee,
  kCredit,
  kRefund,
  kTax,
  kBundledDiscount,
  kEdpDiscount,
  kPrivateRateDiscount,
  kSppDiscount,
  kDistributorDiscount,
  kRiVolumeDiscount,
  kDiscount,
  kFlatRateSubscription,
  kUnknown,
};
inline constexpr int kLineItemTypeCount = static_cast<int>(LineItemType::kUnknown) + 1;

/// The CUR spelling ("SavingsPlanCoveredUsage"); "Unknown" for kUnknown.
std::string_view LineItemTypeName(LineItemType type);
/// The type named `text` (exact CUR spelling), or kUnknown.
LineItemType ParseLineItemType(std::string_view text);
/// True for the channel and negotiated discount types (EDP, PPA, SPP, distributor, RI volume).
bool IsChannelDiscount(LineItemType type);

enum class CostView : uint8_t {
  kUnblended,       // cash: what the invoice says
  kNetUnblended,    // cash after EDP / PPA / SPP / distributor discounts
  kAmortized,       // accrual: commitments spread over the usage they covered
  kPublicOnDemand,  // list price
};
inline constexpr int kCostViewCount = 4;
std::string_view CostViewName(CostView view);
/// "unblended" | "net-unblended" | "amortized" | "public-on-demand"
Result<CostView> ParseCostView(std::string_view text);

/// The four cost views of one line (reference §4.2), exact.
struct CostViews {
  Decimal unblended;
  Decimal net_unblended;
  Decimal amortized;
  Decimal public_on_demand;

  Decimal Get(CostView view) const;
  friend bool operator==(const CostViews&, const CostViews&) = default;
};

/// A line's tag and cost category values as (key, value).
using Tags = std::vector<std::pair<Interned, Interned>>;

struct CurLine {
  BillingPeriod period;    // bill/BillingPeriodStartDate
  Interned payer_account;  // bill/PayerAccountId
  Interned usage_account;  // lineItem/UsageAccountId: the key for mapping to a customer
  LineItemType type = LineItemType::kUsage;
  Interned type_text;         // as written; differs from the enum name only for kUnknown
  Interned billing_entity;    // bill/BillingEntity: "AWS", "AWS Marketplace"
  Interned bill_type;         // bill/BillType: Anniversary, Purchase, Refund
  Interned product_code;      // lineItem/ProductCode
  Interned product_name;      // product/ProductName (display)
  Interned usage_type;        // lineItem/UsageType
  Interned operation;         // lineItem/Operation
  Interned region;            // product/region
  Interned description;       // lineItem/LineItemDescription
  Timestamp usage_start = 0;  // lineItem/UsageStartDate (inclusive)
  Timestamp usage_end = 0;    // lineItem/UsageEndDate (exclusive)
  Decimal usage_amount;       // lineItem/UsageAmount, in pricing_unit
  Interned pricing_unit;      // pricing/unit
  Interned currency;          // lineItem/CurrencyCode
  CostViews cost;
  Interned commitment_arn;  // savingsPlan/SavingsPlanARN or reservation/ReservationARN
  Interned invoice_id;      // bill/InvoiceId; empty until AWS finalizes the month
  /// Tag and cost category values as (key, value), key as the header names it
  /// ("user:CostCenter"); only non-empty values.
  Tags tags;
  uint32_t source_file = 0;  // index into NormalizedMonth::sources
  /// 1-based data row in that file (the header is row 0); for an aggregated line, its first row.
  uint64_t source_row = 0;
  /// How many rows of the file this line adds up (ingest aggregates rows that differ only in
  /// their amounts and their time within one bucket, DESIGN.md §3); 1 for a single row.
  uint64_t rows = 1;

  friend bool operator==(const CurLine&, const CurLine&) = default;
};

}  // namespace rebill
