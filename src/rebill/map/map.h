// Map stage: AWS usage accounts to the reseller's customers, over time. A line goes to the
// customer whose assignment window holds the line's usage start; a line no assignment covers goes
// to the explicit Unassigned bucket (an empty customer), never to a guess.
//
//   REBILL_ASSIGN_OR_RETURN(MappedLines mapped, map::MapAccounts(month, accounts, ctx));
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/mapped_line.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/run_context.h"

namespace rebill::map {

/// Account `account` belongs to `customer` for usage starting in [from, to).
struct Assignment {
  std::string account;
  std::string customer;
  Timestamp from = std::numeric_limits<Timestamp>::min();
  Timestamp to = std::numeric_limits<Timestamp>::max();
  std::string
      config_key;  // where it was configured, for error messages ("customer[2].accounts[0]")
};

struct AccountMap {
  std::vector<Assignment> assignments;
};

/// Check that no two assignments of one account overlap in time; the error names both config
/// keys.
Status ValidateAccountMap(const AccountMap& accounts);

/// Map every line of `month`. Invariant: the mapped parts of each line sum exactly to the line.
Result<MappedLines> MapAccounts(const NormalizedMonth& month, const AccountMap& accounts,
                                RunContext& ctx);

}  // namespace rebill::map
