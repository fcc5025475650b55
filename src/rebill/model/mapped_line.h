// MappedLines: the output of map. Each canonical line lands on exactly one customer (or on the
// explicit Unassigned bucket), or, for a shared account, on several customers whose parts sum
// exactly to the line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rebill/model/cur_line.h"

namespace rebill {

struct MappedLine {
  uint32_t line = 0;  // index into NormalizedMonth::lines
  Interned customer;  // empty: the Unassigned bucket
  CostViews cost;     // the part of the line this customer carries (the whole line unless split)
  Interned how;       // why it landed here: "account", "tag user:CostCenter=cc-100", ...

  /// The reseller's own account (e.g. the payer): its lines are the reseller's, not unassigned.
  bool reseller = false;

  bool unassigned() const { return customer.empty() && !reseller; }
  friend bool operator==(const MappedLine&, const MappedLine&) = default;
};

struct MappedLines {
  std::vector<MappedLine> lines;
};

}  // namespace rebill
