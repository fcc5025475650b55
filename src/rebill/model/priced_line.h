// PricedLines: the output of price — each customer's allocated line at the reseller's price, in
// the customer's currency, naming the rule that priced it. Amounts are precise here; rounding
// happens on statement lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rebill/model/allocated_line.h"
#include "rebill/model/statement.h"

namespace rebill {

struct PricedLine {
  StatementLineKind kind = StatementLineKind::kCharge;  // charge, credit, or a reseller fee
  uint32_t allocated = 0;  // index into AllocatedLines::lines (unused for fees)
  Interned customer;
  Interned usage_account;
  Timestamp usage_start = 0;  // of the CUR line; 0 for fees
  Interned service;
  ChargeCategory category = ChargeCategory::kUsage;
  Decimal cost_basis;  // what the reseller's cost is (AllocatedLine::cost_basis)
  Decimal list_cost;
  Decimal amount;  // the customer's price, precise, in `currency`
  Interned currency;
  Interned rule;  // the rule(s) that priced it, e.g. "standard/ec2: discount 3%"

  friend bool operator==(const PricedLine&, const PricedLine&) = default;
};

/// How a customer's statement is taxed; the report computes the amount on the rounded lines.
struct TaxTreatment {
  std::string customer;
  Decimal rate;               // percent, e.g. 19
  std::string category;       // "VAT", "GST", "sales tax"
  std::string location;       // the customer's tax location, e.g. "DE"
  std::string exempt_reason;  // non-empty: tax-exempt, with the reason on the statement

  friend bool operator==(const TaxTreatment&, const TaxTreatment&) = default;
};

/// A prepaid or promotional credit a customer can still use this period, in its currency.
struct CreditBalance {
  std::string customer;
  std::string name;
  Decimal available;
  BillingPeriod expires;  // the last period it can be used in

  friend bool operator==(const CreditBalance&, const CreditBalance&) = default;
};

struct PricedLines {
  std::vector<PricedLine> lines;
  std::vector<CreditBalance> credits;  // consumed by the report, after fees, before tax
  std::vector<TaxTreatment> taxes;     // one per customer that has a tax setting
};

}  // namespace rebill
