#include "rebill/map/map.h"

#include <algorithm>
#include <unordered_map>

namespace rebill::map {
namespace {

std::string WindowText(const Assignment& a) {
  std::string from =
      a.from == std::numeric_limits<Timestamp>::min() ? "the beginning" : FormatTimestamp(a.from);
  std::string to =
      a.to == std::numeric_limits<Timestamp>::max() ? "open end" : FormatTimestamp(a.to);
  return "[" + from + ", " + to + ")";
}

}  // namespace

Status ValidateAccountMap(const AccountMap& accounts) {
  std::unordered_map<std::string, std::vector<const Assignment*>> by_account;
  for (const Assignment& a : accounts.assignments) {
    if (a.from >= a.to) {
      return InvalidInput(a.config_key + ": account " + a.account +
                          " has 'from' at or after 'to' " + WindowText(a) +
                          "; make 'to' later than 'from'");
    }
    by_account[a.account].push_back(&a);
  }
  for (auto& [account, list] : by_account) {
    std::sort(list.begin(), list.end(),
              [](const Assignment* x, const Assignment* y) { return x->from < y->from; });
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i]->from < list[i - 1]->to) {
        return InvalidInput(list[i - 1]->config_key + " and " + list[i]->config_key + ": account " +
                            account + " is assigned to '" + list[i - 1]->customer + "' " +
                            WindowText(*list[i - 1]) + " and to '" + list[i]->customer + "' " +
                            WindowText(*list[i]) +
                            ", which overlap; end the first assignment ('to') where the second "
                            "begins ('from')");
      }
    }
  }
  return Status::Ok();
}

Result<MappedLines> MapAccounts(const NormalizedMonth& month, const AccountMap& accounts,
                                RunContext& /*ctx*/) {
  REBILL_RETURN_IF_ERROR(ValidateAccountMap(accounts));
  std::unordered_map<std::string, std::vector<const Assignment*>> by_account;
  for (const Assignment& a : accounts.assignments) by_account[a.account].push_back(&a);

  MappedLines out;
  out.lines.reserve(month.lines.size());
  for (size_t i = 0; i < month.lines.size(); ++i) {
    const CurLine& line = month.lines[i];
    MappedLine mapped;
    mapped.line = static_cast<uint32_t>(i);
    mapped.cost = line.cost;
    // Why usage start: an account that moves mid-month is charged to each owner for exactly
    // the usage in its window. Lines without a usage start (some fees) use the period start.
    Timestamp at = line.usage_start != 0 ? line.usage_start : line.period.start();
    if (auto it = by_account.find(line.usage_account); it != by_account.end()) {
      for (const Assignment* a : it->second) {
        if (at >= a->from && at < a->to) {
          mapped.customer = a->customer;
          break;
        }
      }
    }
    out.lines.push_back(std::move(mapped));
  }
  return out;
}

}  // namespace rebill::map
