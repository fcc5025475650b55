// Price stage: the reseller's price book as code (docs/pricing.md). Each customer has price
// plans over time; a plan's rules price the customer's cost basis by scope (billing entity,
// service, usage type, operation, region, account, tag) — markup, discount, a unit rate, tiers by
// monthly spend, a free allowance — and its fees add to the statement. The most specific matching
// rule wins unless a priority says otherwise; every priced line names its rule.
//
//   REBILL_ASSIGN_OR_RETURN(PricedLines priced, price::Price(month, allocated, book, ctx));
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/priced_line.h"
#include "rebill/model/run_context.h"

namespace rebill::price {

/// What a rule applies to; empty fields match anything.
struct Scope {
  std::string billing_entity;  // "AWS", "AWS Marketplace"
  std::string service;         // product code, exact
  std::string usage_type;      // glob ('*' = any run of characters)
  std::string operation;       // exact
  std::string region;          // exact
  std::string account;         // usage account
  std::string tag_key;         // with tag_value: the line carries this tag value
  std::string tag_value;

  /// How many fields are set: the more, the more specific.
  int Specificity() const;
  friend bool operator==(const Scope&, const Scope&) = default;
};

enum class RuleType : uint8_t {
  kMarkup,    // cost basis * (1 + percent / 100)
  kDiscount,  // cost basis * (1 - percent / 100)
  kRate,      // a fixed price per usage unit, replacing the cost basis
  kTiered,    // the adjustment of the tier the customer's monthly spend in scope has reached
  kFree,      // the first `allowance` usage units in scope each month cost nothing
};
std::string_view RuleTypeName(RuleType type);

struct Tier {
  std::optional<Decimal> up_to;  // monthly cost basis in scope; nullopt = no upper bound
  Decimal percent;               // positive: markup, negative: discount
};

struct Rule {
  std::string name;
  Scope scope;
  RuleType type = RuleType::kMarkup;
  Decimal percent;          // kMarkup, kDiscount
  Decimal rate;             // kRate
  std::vector<Tier> tiers;  // kTiered, ascending
  Decimal allowance;        // kFree
  int priority = 0;         // higher wins before specificity
  std::string config_key;
};

struct Fee {
  std::string name;
  enum class Kind : uint8_t { kFlat, kPercent } kind = Kind::kFlat;
  Decimal amount;   // kFlat, in the customer's currency
  Decimal percent;  // kPercent: of the customer's priced charges in the period
  std::optional<Decimal> minimum;
  std::optional<Decimal> maximum;
  /// One-off fees name their period; recurring ones apply to every period in [from, to].
  std::optional<BillingPeriod> once;
  BillingPeriod from;
  BillingPeriod to = BillingPeriod::Make(9999, 12).value();
  std::string config_key;
};

struct Plan {
  std::string id;
  std::vector<Rule> rules;
  std::vector<Fee> fees;
};

/// A customer is on `plan` for usage starting in [from, to).
struct PlanAssignment {
  std::string plan;
  Timestamp from = std::numeric_limits<Timestamp>::min();
  Timestamp to = std::numeric_limits<Timestamp>::max();
};

/// A prepaid or promotional credit granted to a customer, in the customer's currency.
struct CreditGrant {
  std::string name;
  Decimal amount;
  BillingPeriod granted;  // first period it can be used in
  BillingPeriod expires;  // last period it can be used in
  std::string config_key;
};

struct CustomerPricing {
  std::string customer;
  std::string currency;  // must equal the CUR's currency until FX rates exist
  std::vector<PlanAssignment> plans;
  std::vector<Fee> fees;  // the customer's own fees, besides its plans'
  std::optional<TaxTreatment> tax;
  /// Set when the customer is billed in another currency than the CUR's: every AWS-derived
  /// amount (after the rules, which work in the CUR's currency) is converted at this rate.
  /// Fees are written in the customer's currency and are not converted.
  std::optional<FxRate> fx;
  std::vector<CreditGrant> credit_grants;
  /// Credit balances available this period (the grants with the ledger of earlier periods
  /// applied), filled in by the runner from the store.
  std::vector<CreditBalance> credits;
};

struct PriceBook {
  std::map<std::string, Plan> plans;
  std::vector<CustomerPricing> customers;
};

/// Rules that overlap or can never apply, by name, for the configuration to report on load.
std::vector<std::string> FindRuleConflicts(const PriceBook& book);

/// Price every customer-bucket line, add the customers' fees for the period, and pass on their
/// tax treatment. Fails with kInvalidInput naming the customer if one has no plan for a line.
Result<PricedLines> Price(const NormalizedMonth& month, const AllocatedLines& allocated,
                          const PriceBook& book, RunContext& ctx);

}  // namespace rebill::price
