#include "rebill/map/map.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "rebill/core/glob.h"
#include "rebill/core/parallel.h"

namespace rebill::map {
namespace {

std::string WindowText(Timestamp from, Timestamp to) {
  std::string f = from == kBeginning ? "the beginning" : FormatTimestamp(from);
  std::string t = to == kForever ? "open end" : FormatTimestamp(to);
  return "[" + f + ", " + t + ")";
}

struct Window {
  Timestamp from, to;
  std::string what;  // for messages: "customer 'alpha'" / "a split"
  std::string key;
};

Status CheckOverlaps(const std::string& account, std::vector<Window> windows) {
  std::sort(windows.begin(), windows.end(),
            [](const Window& a, const Window& b) { return a.from < b.from; });
  for (size_t i = 1; i < windows.size(); ++i) {
    if (windows[i].from < windows[i - 1].to) {
      return InvalidInput(windows[i - 1].key + " and " + windows[i].key + ": account " + account +
                          " is given to " + windows[i - 1].what + " " +
                          WindowText(windows[i - 1].from, windows[i - 1].to) + " and to " +
                          windows[i].what + " " + WindowText(windows[i].from, windows[i].to) +
                          ", which overlap; end the first ('to') where the second begins "
                          "('from')");
    }
  }
  return Status::Ok();
}

const Interned* TagValue(const CurLine& line, const std::string& key) {
  for (const auto& [k, v] : line.tags) {
    if (k == key) return &v;
  }
  return nullptr;
}

CostViews Part(size_t index, const std::vector<std::vector<Decimal>>& parts) {
  return {parts[0][index], parts[1][index], parts[2][index], parts[3][index]};
}

// Split every cost view of `whole` by `weights`, exactly.
Result<std::vector<std::vector<Decimal>>> SplitViews(const CostViews& whole,
                                                     const std::vector<Decimal>& weights) {
  std::vector<std::vector<Decimal>> out;
  for (Decimal total :
       {whole.unblended, whole.net_unblended, whole.amortized, whole.public_on_demand}) {
    REBILL_ASSIGN_OR_RETURN(std::vector<Decimal> parts, SplitByWeights(total, weights));
    out.push_back(std::move(parts));
  }
  return out;
}

class Mapper {
 public:
  Mapper(const NormalizedMonth& month, const AccountMap& accounts,
         std::vector<Assignment> assignments)
      : month_(month), accounts_(accounts), assignments_(std::move(assignments)) {
    for (const Assignment& a : assignments_) {
      by_account_[a.account].push_back(&a);
      how_.emplace(&a, "account (" + a.config_key + ")");
    }
    for (const Split& s : accounts_.splits) splits_[s.account].push_back(&s);
    reseller_.insert(accounts_.reseller_accounts.begin(), accounts_.reseller_accounts.end());
  }

  Result<MappedLines> Run() {
    ReservePrefaulted(out_.lines, month_.lines.size());
    for (size_t i = 0; i < month_.lines.size(); ++i) {
      const CurLine& line = month_.lines[i];
      Timestamp at = line.usage_start != 0 ? line.usage_start : line.period.start();
      if (const Split* split = FindSplit(line.usage_account, at)) {
        REBILL_RETURN_IF_ERROR(MapSplit(i, line, *split));
        continue;
      }
      MappedLine mapped{static_cast<uint32_t>(i), Interned(), line.cost, unassigned_};
      if (auto it = by_account_.find(line.usage_account); it != by_account_.end()) {
        for (const Assignment* a : it->second) {
          if (at >= a->from && at < a->to) {
            mapped.customer = a->customer;
            mapped.how = how_.at(a);
            break;
          }
        }
      }
      if (mapped.customer.empty() && reseller_.count(line.usage_account) != 0) {
        mapped.reseller = true;
        mapped.how = "the reseller's own account";
      }
      out_.lines.push_back(std::move(mapped));
    }
    REBILL_RETURN_IF_ERROR(SpreadUntagged());
    return std::move(out_);
  }

 private:
  const Split* FindSplit(Interned account, Timestamp at) const {
    auto it = splits_.find(account);
    if (it == splits_.end()) return nullptr;
    for (const Split* s : it->second) {
      if (at >= s->from && at < s->to) return s;
    }
    return nullptr;
  }

  Status MapSplit(size_t index, const CurLine& line, const Split& split) {
    auto id = static_cast<uint32_t>(index);
    if (split.by == Split::By::kPercent) {
      std::vector<Decimal> weights;
      for (const auto& [customer, percent] : split.percents) weights.push_back(percent);
      REBILL_ASSIGN_OR_RETURN(auto parts, SplitViews(line.cost, weights));
      for (size_t k = 0; k < split.percents.size(); ++k) {
        out_.lines.push_back(
            {id, split.percents[k].first, Part(k, parts),
             "split " + split.percents[k].second.ToString() + "% (" + split.config_key + ")"});
      }
      return Status::Ok();
    }
    const Interned* value = TagValue(line, split.key);
    if (value != nullptr) {
      if (auto it = split.values.find(*value); it != split.values.end()) {
        out_.lines.push_back({id, it->second, line.cost, "tag " + split.key + "=" + *value});
        tagged_[&split][it->second] += line.cost.amortized;
        return Status::Ok();
      }
    }
    if (!split.untagged_proportional) {
      std::string how = value == nullptr ? "untagged" : "tag value '" + *value + "' unmatched";
      out_.lines.push_back({id, split.untagged, line.cost, how + " (" + split.config_key + ")"});
      return Status::Ok();
    }
    untagged_.push_back({index, &split});
    return Status::Ok();
  }

  // Untagged lines of proportional splits go to the split's customers in proportion to what
  // each carried of the tagged lines (amortized, negative totals counting as zero).
  Status SpreadUntagged() {
    for (const auto& [index, split] : untagged_) {
      const CurLine& line = month_.lines[index];
      auto id = static_cast<uint32_t>(index);
      std::vector<std::string> customers;
      std::vector<Decimal> weights;
      bool any = false;
      for (const auto& [customer, amount] : tagged_[split]) {
        customers.push_back(customer);
        weights.push_back(std::max(amount, Decimal()));
        any = any || amount.Sign() > 0;
      }
      if (!any) {
        out_.lines.push_back({id, "", line.cost,
                              "untagged, no tagged usage to share by (" + split->config_key + ")"});
        continue;
      }
      REBILL_ASSIGN_OR_RETURN(auto parts, SplitViews(line.cost, weights));
      for (size_t k = 0; k < customers.size(); ++k) {
        out_.lines.push_back(
            {id, customers[k], Part(k, parts),
             "untagged, in proportion to tagged usage (" + split->config_key + ")"});
      }
    }
    // Every other line was added in line order; only the spread ones need putting in place.
    if (!untagged_.empty()) {
      std::stable_sort(out_.lines.begin(), out_.lines.end(),
                       [](const MappedLine& a, const MappedLine& b) { return a.line < b.line; });
    }
    return Status::Ok();
  }

  const NormalizedMonth& month_;
  const AccountMap& accounts_;
  std::vector<Assignment> assignments_;
  // Keyed by interned account: a line's look-up hashes a number, not the account's digits.
  std::unordered_map<Interned, std::vector<const Assignment*>> by_account_;
  // Interned once, not on every line that lands by the assignment.
  std::unordered_map<const Assignment*, Interned> how_;  // "account (customer[3].accounts)"
  const Interned unassigned_{"unassigned"};
  std::unordered_map<Interned, std::vector<const Split*>> splits_;
  std::unordered_set<Interned> reseller_;
  std::map<const Split*, std::map<std::string, Decimal>> tagged_;
  std::vector<std::pair<size_t, const Split*>> untagged_;
  MappedLines out_;
};

}  // namespace

Status ValidateAccountMap(const AccountMap& accounts) {
  std::map<std::string, std::vector<Window>> windows;
  std::set<std::string> reseller(accounts.reseller_accounts.begin(),
                                 accounts.reseller_accounts.end());
  for (const Assignment& a : accounts.assignments) {
    if (reseller.count(a.account) != 0) {
      return InvalidInput(a.config_key + ": account " + a.account +
                          " is one of the reseller's own accounts (reseller.accounts); remove it "
                          "from one of the two");
    }
  }
  for (const Assignment& a : accounts.assignments) {
    if (a.from >= a.to) {
      return InvalidInput(a.config_key + ": account " + a.account +
                          " has 'from' at or after 'to' " + WindowText(a.from, a.to) +
                          "; make 'to' later than 'from'");
    }
    windows[a.account].push_back({a.from, a.to, "customer '" + a.customer + "'", a.config_key});
  }
  for (const Split& s : accounts.splits) {
    if (s.from >= s.to) {
      return InvalidInput(s.config_key + ": 'from' is at or after 'to'; make 'to' later");
    }
    if (s.by == Split::By::kPercent) {
      Decimal sum;
      for (const auto& [customer, percent] : s.percents) {
        if (percent.Sign() <= 0) {
          return InvalidInput(s.config_key + ".percent: the share of '" + customer +
                              "' must be more than 0");
        }
        sum += percent;
      }
      if (sum != Decimal::FromInt(100)) {
        return InvalidInput(s.config_key + ".percent: the shares add up to " + sum.ToString() +
                            ", not 100");
      }
    } else if (!s.untagged_proportional && s.untagged.empty()) {
      return InvalidInput(s.config_key +
                          ".untagged: say where untagged usage goes: a customer "
                          "id, or \"proportional\"");
    }
    windows[s.account].push_back({s.from, s.to, "a split", s.config_key});
  }
  for (const auto& [account, list] : windows) REBILL_RETURN_IF_ERROR(CheckOverlaps(account, list));
  return Status::Ok();
}

Result<std::vector<Assignment>> ApplyRules(const AccountMap& accounts, const Organization& org) {
  std::set<std::string> named(accounts.reseller_accounts.begin(), accounts.reseller_accounts.end());
  for (const Assignment& a : accounts.assignments) named.insert(a.account);
  for (const Split& s : accounts.splits) named.insert(s.account);
  std::vector<Assignment> out;
  for (const OrgAccount& account : org.accounts) {
    if (named.count(account.id) != 0) continue;
    const AssignmentRule* best = nullptr;
    for (const AssignmentRule& rule : accounts.rules) {
      bool match = true;
      if (!rule.ou_path.empty()) {
        match = std::any_of(account.paths.begin(), account.paths.end(),
                            [&](const std::string& p) { return GlobMatch(rule.ou_path, p); });
      }
      if (match && !rule.account_tag.empty()) {
        match = std::any_of(account.tags.begin(), account.tags.end(), [&](const auto& tag) {
          return tag.first + "=" + tag.second == rule.account_tag;
        });
      }
      if (match && !rule.name.empty()) match = GlobMatch(rule.name, account.name);
      if (!match) continue;
      if (best == nullptr || rule.priority > best->priority) {
        best = &rule;
      } else if (rule.priority == best->priority && rule.customer != best->customer) {
        return InvalidInput(best->config_key + " and " + rule.config_key + " both give account " +
                            account.id + " (" + account.name + ") with priority " +
                            std::to_string(rule.priority) + ", to '" + best->customer +
                            "' and to '" + rule.customer +
                            "'; give one rule a higher priority or assign the account explicitly");
      }
    }
    if (best != nullptr) {
      Timestamp from = account.joined != 0 ? account.joined : kBeginning;
      out.push_back({account.id, best->customer, from, kForever, best->config_key});
    }
  }
  return out;
}

Result<MappedLines> MapAccounts(const NormalizedMonth& month, const AccountMap& accounts,
                                const Organization& org, RunContext& /*ctx*/) {
  REBILL_RETURN_IF_ERROR(ValidateAccountMap(accounts));
  std::vector<Assignment> all = accounts.assignments;
  REBILL_ASSIGN_OR_RETURN(std::vector<Assignment> ruled, ApplyRules(accounts, org));
  all.insert(all.end(), ruled.begin(), ruled.end());
  return Mapper(month, accounts, std::move(all)).Run();
}

Result<AccountCheck> CheckAccounts(const NormalizedMonth& month, const MappedLines& mapped,
                                   const AccountMap& accounts, const Organization& org,
                                   BillingPeriod period) {
  AccountCheck check;
  check.organization_imported = !org.accounts.empty();
  std::map<std::string, AccountCheck::Spend> unassigned;
  std::unordered_set<std::string_view> with_usage;  // views of the month's accounts
  const Interned* previous = nullptr;               // neighbouring lines mostly share their account
  for (const CurLine& line : month.lines) {
    if (previous == nullptr || *previous != line.usage_account) {
      with_usage.insert(line.usage_account);
    }
    previous = &line.usage_account;
  }
  for (const MappedLine& m : mapped.lines) {
    if (!m.unassigned()) continue;
    const CurLine& line = month.lines[m.line];
    AccountCheck::Spend& s = unassigned[line.usage_account];
    s.account = line.usage_account;
    s.amount += m.cost.amortized;
    ++s.lines;
  }
  for (auto& [account, spend] : unassigned) check.unassigned_spend.push_back(spend);

  REBILL_ASSIGN_OR_RETURN(std::vector<Assignment> ruled, ApplyRules(accounts, org));
  std::vector<Assignment> all = accounts.assignments;
  all.insert(all.end(), ruled.begin(), ruled.end());
  std::map<std::string, std::vector<const Assignment*>> in_period;
  for (const Assignment& a : all) {
    if (a.from < period.end() && a.to > period.start()) in_period[a.account].push_back(&a);
  }
  std::set<std::pair<std::string, std::string>> without_usage;
  for (auto& [account, list] : in_period) {
    if (!with_usage.contains(account)) {
      for (const Assignment* a : list) without_usage.insert({account, a->customer});
    }
    if (list.size() > 1) {
      std::sort(list.begin(), list.end(),
                [](const Assignment* x, const Assignment* y) { return x->from < y->from; });
      AccountCheck::OwnerChange change{account, {}};
      for (const Assignment* a : list) change.owners.push_back(a->customer);
      check.owner_changes.push_back(std::move(change));
    }
  }
  check.configured_without_usage.assign(without_usage.begin(), without_usage.end());

  // Tag values no split rule knows, with what they cost.
  std::map<std::tuple<std::string, std::string, std::string>, AccountCheck::UnmatchedValue> values;
  for (const Split& split : accounts.splits) {
    if (split.by != Split::By::kTag) continue;
    for (const CurLine& line : month.lines) {
      if (line.usage_account != split.account) continue;
      Timestamp at = line.usage_start != 0 ? line.usage_start : line.period.start();
      if (at < split.from || at >= split.to) continue;
      const Interned* value = TagValue(line, split.key);
      if (value != nullptr && split.values.count(*value) != 0) continue;
      std::string v = value == nullptr ? "" : *value;
      AccountCheck::UnmatchedValue& u = values[{split.account, split.key, v}];
      u.account = split.account;
      u.key = split.key;
      u.value = v;
      u.config_key = split.config_key;
      u.amount += line.cost.amortized;
    }
  }
  for (auto& [key, u] : values) check.unmatched_tag_values.push_back(u);

  if (check.organization_imported) {
    std::set<std::string, std::less<>> known;
    for (const OrgAccount& a : org.accounts) known.insert(a.id);
    std::vector<std::string_view> in_order(with_usage.begin(), with_usage.end());
    std::sort(in_order.begin(), in_order.end());
    for (std::string_view account : in_order) {
      if (!known.contains(account)) check.missing_from_organization.emplace_back(account);
    }
  }
  return check;
}

}  // namespace rebill::map
