// PricedLines: the output of price — each customer's allocated line at the reseller's price, in
// the customer's currency, naming the rule that priced it. Amounts are precise here; rounding
// happens on statement lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rebill/model/allocated_line.h"

namespace rebill {

struct PricedLine {
  uint32_t allocated = 0;  // index into AllocatedLines::lines
  std::string customer;
  std::string usage_account;
  std::string service;
  ChargeCategory category = ChargeCategory::kUsage;
  Decimal cost_basis;  // what the reseller's cost is (AllocatedLine::cost_basis)
  Decimal list_cost;
  Decimal amount;  // the customer's price, precise, in `currency`
  std::string currency;
  std::string rule;  // e.g. "globex: markup 5%"

  friend bool operator==(const PricedLine&, const PricedLine&) = default;
};

struct PricedLines {
  std::vector<PricedLine> lines;
};

}  // namespace rebill
