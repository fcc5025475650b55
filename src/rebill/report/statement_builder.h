// Report stage: priced lines in, one statement per customer out. Lines group by service; each
// statement line is rounded to the currency's minor unit with the customer's rounding mode, and
// the totals are sums of rounded lines (DESIGN.md §2, invariant 3).
//
//   REBILL_ASSIGN_OR_RETURN(StatementSet set, report::BuildStatements(priced, settings, ctx));
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/result.h"
#include "rebill/model/priced_line.h"
#include "rebill/model/run_context.h"
#include "rebill/model/statement.h"

namespace rebill::report {

struct CustomerInfo {
  std::string id;
  std::string name;
  std::string currency;
  RoundingMode rounding = RoundingMode::kHalfUp;
  Party bill_to{};                   // name, address and tax id printed on the statement
  std::string language = "en";       // the statement's locale
  std::string lines_by = "service";  // "service", or "account" for lines per usage account
};

struct StatementSettings {
  std::string reseller;  // legal entity printed on statements
  Party issuer;          // the legal entity's name, address and tax id
  Branding branding;
  std::string policy_note;  // one sentence on the commitment policy
  /// Every configured customer gets a statement, even with no usage in the period.
  std::vector<CustomerInfo> customers;
  /// The rate the price stage converted each customer's AWS charges with, to show on statements.
  std::map<std::string, FxRate> fx;
};

/// Build the statements; fails (kInternal) if a statement does not add up.
Result<StatementSet> BuildStatements(const PricedLines& priced, const StatementSettings& settings,
                                     RunContext& ctx);

/// Check invariant 3 on one statement: total = Σ rounded lines and
/// subtotal + fees - credits + tax + adjustments = total.
Status CheckStatement(const Statement& statement);

}  // namespace rebill::report
