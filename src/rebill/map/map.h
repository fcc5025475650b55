// Map stage: AWS usage accounts to the reseller's customers, over time (docs/accounts.md).
//
// A line goes, in this order of precedence:
//  1. to a shared-account split covering its account and usage start: by tag or cost category
//     value, or by fixed percentages; untagged usage to a named customer or in proportion to the
//     tagged shares;
//  2. to the customer whose explicit assignment window [from, to) holds its usage start;
//  3. to the customer an auto-assignment rule gives an account of the imported organization
//     (by OU path, account tag or name; highest priority wins) from the time it joined;
//  4. to the reseller, when the account is one of the reseller's own (`[reseller] accounts`);
//  5. otherwise to the explicit Unassigned bucket — never to a guess.
// Every line lands on exactly one (customer, share) or on Unassigned, and the parts of a split
// line sum exactly to the line.
//
//   REBILL_ASSIGN_OR_RETURN(MappedLines mapped, map::MapAccounts(month, accounts, org, ctx));
#pragma once

#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/mapped_line.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/organization.h"
#include "rebill/model/run_context.h"

namespace rebill::map {

inline constexpr Timestamp kBeginning = std::numeric_limits<Timestamp>::min();
inline constexpr Timestamp kForever = std::numeric_limits<Timestamp>::max();

/// Account `account` belongs to `customer` for usage starting in [from, to).
struct Assignment {
  std::string account;
  std::string customer;
  Timestamp from = kBeginning;
  Timestamp to = kForever;
  std::string config_key;  // where it was configured ("customer[2].accounts[0]")
};

/// An account shared by several customers (business units, cost centres).
struct Split {
  enum class By : uint8_t { kTag, kPercent };
  std::string account;
  By by = By::kTag;
  /// With kTag: the CUR header's key, "user:CostCenter" for resourceTags/user:CostCenter or
  /// "costCategory/Team" for a cost category.
  std::string key;
  std::map<std::string, std::string> values;              // tag value -> customer
  std::vector<std::pair<std::string, Decimal>> percents;  // kPercent: customer -> percent
  std::string untagged;                // customer for lines without a matching value...
  bool untagged_proportional = false;  // ...or in proportion to the tagged shares
  Timestamp from = kBeginning;
  Timestamp to = kForever;
  std::string config_key;
};

/// Auto-assignment of organization accounts no assignment names.
struct AssignmentRule {
  std::string customer;
  std::string ou_path;      // glob on an account's OU path ("o-*/r-*/ou-ab12-*/*"), optional
  std::string account_tag;  // "Key=Value" on the account, optional
  std::string name;         // glob on the account name, optional
  int priority = 0;         // higher wins; equal priorities that disagree are an error
  std::string config_key;
};

struct AccountMap {
  std::vector<std::string> reseller_accounts;  // the reseller's own accounts, e.g. the payer
  std::vector<Assignment> assignments;
  std::vector<Split> splits;
  std::vector<AssignmentRule> rules;
};

/// Check the configuration: no two assignments or splits of one account overlap in time,
/// windows are not empty, percentages sum to 100. Errors name the config keys.
Status ValidateAccountMap(const AccountMap& accounts);

/// The assignments the rules give to accounts of `org` that no assignment or split names,
/// from each account's join time. Fails (kInvalidInput, naming both rules) when two rules of the
/// same priority give one account to different customers.
Result<std::vector<Assignment>> ApplyRules(const AccountMap& accounts, const Organization& org);

/// Map every line of `month`. `org` may be empty (nothing imported).
Result<MappedLines> MapAccounts(const NormalizedMonth& month, const AccountMap& accounts,
                                const Organization& org, RunContext& ctx);

/// What `rebill accounts check` reports for a period.
struct AccountCheck {
  struct Spend {
    std::string account;
    Decimal amount;  // amortized
    uint64_t lines = 0;
  };
  struct OwnerChange {
    std::string account;
    std::vector<std::string> owners;  // in time order
  };
  struct UnmatchedValue {
    std::string account;
    std::string key;
    std::string value;  // empty: untagged
    Decimal amount;
    std::string config_key;
  };
  std::vector<Spend> unassigned_spend;
  std::vector<std::pair<std::string, std::string>> configured_without_usage;  // account, customer
  std::vector<OwnerChange> owner_changes;
  std::vector<UnmatchedValue> unmatched_tag_values;
  std::vector<std::string> missing_from_organization;  // only when an organization is imported
  bool organization_imported = false;
};

/// Reconcile the hierarchy against the month: see AccountCheck.
Result<AccountCheck> CheckAccounts(const NormalizedMonth& month, const MappedLines& mapped,
                                   const AccountMap& accounts, const Organization& org,
                                   BillingPeriod period);

}  // namespace rebill::map

namespace rebill::map {

/// The check as JSON (amounts as decimal strings with `scale` fractional digits) and as a
/// readable report.
std::string RenderAccountCheckJson(const AccountCheck& check, BillingPeriod period, int scale);
std::string RenderAccountCheckText(const AccountCheck& check, BillingPeriod period, int scale);

}  // namespace rebill::map
