// A customer's bill line by line, for customers who analyse it themselves: every priced line at
// the customer's price, plus the lines the statement itself computes (customer credits, tax).
// Written as CSV in rebill's own columns or as a pro forma FOCUS 1.2 file (FOCUS column names;
// the values are the reseller's bill to the customer, not AWS's bill to the reseller).
#pragma once

#include <string>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/statement.h"

namespace rebill::report {

struct DetailLine {
  StatementLineKind kind = StatementLineKind::kCharge;
  ChargeCategory category = ChargeCategory::kUsage;
  std::string payer_account;
  std::string usage_account;   // empty for fees, customer credits and tax
  std::string service;         // product code; the fee, credit or tax name otherwise
  std::string billing_entity;  // "AWS", "AWS Marketplace"
  std::string line_item_type;
  std::string usage_type;
  std::string operation;
  std::string region;
  std::string description;
  Timestamp usage_start = 0;  // 0: the whole period
  Timestamp usage_end = 0;
  Decimal usage_amount;  // this customer's share of the line's usage
  std::string pricing_unit;
  Decimal list_cost;  // public on-demand value, in the billing currency
  Decimal amount;     // the customer's price, precise, in the billing currency
  std::string rule;
};

struct CustomerDetail {
  BillingPeriod period;
  std::string customer;
  std::string customer_name;
  std::string currency;
  std::string issuer;  // the reseller's legal entity
  std::vector<DetailLine> lines;
};

/// rebill's columns, one row per line; amounts precise (the statement rounds per line group).
std::string RenderDetailCsv(const CustomerDetail& detail);
/// The same lines under FOCUS 1.2 column names; rebill's own columns are prefixed x_.
std::string RenderFocusCsv(const CustomerDetail& detail);

}  // namespace rebill::report
