// Price stage: the reseller's price book applied to each customer's cost basis. Here a customer
// has one global rule, a markup or discount percentage; credits pass through at face value.
//
//   REBILL_ASSIGN_OR_RETURN(PricedLines priced, price::Price(allocated, book, ctx));
#pragma once

#include <string>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/result.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/priced_line.h"
#include "rebill/model/run_context.h"

namespace rebill::price {

enum class AdjustmentType : uint8_t { kMarkup, kDiscount };

struct CustomerPricing {
  std::string customer;
  std::string currency;   // must equal the CUR's currency until FX rates exist
  std::string rule_name;  // e.g. "standard"
  AdjustmentType type = AdjustmentType::kMarkup;
  Decimal percent;  // >= 0
};

struct PriceBook {
  std::vector<CustomerPricing> customers;
};

/// Price every customer-bucket line; fails with kInvalidInput naming the customer if one has no
/// pricing.
Result<PricedLines> Price(const AllocatedLines& allocated, const PriceBook& book, RunContext& ctx);

}  // namespace rebill::price
