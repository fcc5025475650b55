#include "rebill/allocate/allocate.h"

#include <algorithm>
#include <array>
#include <deque>
#include <iterator>
#include <map>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>

#include "rebill/allocate/allocate_internal.h"
#include "rebill/core/glob.h"
#include "rebill/core/parallel.h"

namespace rebill::allocate {
namespace {

constexpr std::string_view kMarketplaceEntity = "AWS Marketplace";

bool IsSupport(const CurLine& line) {
  // Why: AWS bills support plans as Usage rows of these product codes on the payer (or on the
  // account that subscribed), not as a line item type of their own.
  const std::string& code = line.product_code;
  return code.rfind("AWSSupport", 0) == 0 || code == "AWSDeveloperSupport" ||
         code == "AWSBusinessSupport" || code == "AWSEnterpriseSupport";
}

bool IsCommitmentFee(const CurLine& line) {
  switch (line.type) {
    case LineItemType::kRIFee:
    case LineItemType::kSavingsPlanRecurringFee:
    case LineItemType::kSavingsPlanUpfrontFee:
      return true;
    case LineItemType::kFee:
      return !line.commitment_arn.empty();
    default:
      return false;
  }
}

bool IsCovered(const CurLine& line) {
  return !line.commitment_arn.empty() && (line.type == LineItemType::kSavingsPlanCoveredUsage ||
                                          line.type == LineItemType::kSavingsPlanNegation ||
                                          line.type == LineItemType::kDiscountedUsage);
}

ChargeCategory CategoryOf(const CurLine& line) {
  if (line.billing_entity == kMarketplaceEntity) return ChargeCategory::kMarketplace;
  if (IsCommitmentFee(line)) return ChargeCategory::kCommitment;
  if (IsSupport(line)) return ChargeCategory::kSupport;
  switch (line.type) {
    case LineItemType::kCredit:
      return ChargeCategory::kCredit;
    case LineItemType::kRefund:
      return ChargeCategory::kRefund;
    case LineItemType::kTax:
      return ChargeCategory::kTax;
    case LineItemType::kBundledDiscount:
    case LineItemType::kEdpDiscount:
    case LineItemType::kPrivateRateDiscount:
    case LineItemType::kSppDiscount:
    case LineItemType::kDistributorDiscount:
    case LineItemType::kRiVolumeDiscount:
    case LineItemType::kDiscount:
      return ChargeCategory::kDiscount;
    default:
      return ChargeCategory::kUsage;
  }
}

// On-demand value of a covered part: what the usage would have cost without the commitment.
// SP covered rows are priced at on-demand in unblended; RI rows carry it in the public price.
Decimal OnDemandValue(const CurLine& line, const MappedLine& part) {
  switch (line.type) {
    case LineItemType::kSavingsPlanCoveredUsage:
      return std::max(part.cost.unblended, Decimal());
    case LineItemType::kDiscountedUsage:
      return std::max(part.cost.public_on_demand, Decimal());
    default:
      return Decimal();  // negations carry no usage of their own
  }
}

std::string RuleText(const CommitmentRule& rule) {
  if (rule.policy == CommitmentPolicy::kSplit) {
    return "split: " + rule.passed_percent.ToString() + "% of the benefit passed on";
  }
  return std::string(CommitmentPolicyName(rule.policy));
}

Decimal Percent(Decimal amount, Decimal percent) {
  return Decimal::MulDiv(amount, percent, Decimal::FromInt(100)).value();
}

// AWS Business Support's published tiers, applied to one customer's monthly spend.
Decimal BusinessSupportFee(Decimal spend) {
  struct Tier {
    int64_t up_to;  // upper bound of the tier, USD; 0 = no bound
    const char* percent;
  };
  constexpr std::array<Tier, 4> kTiers = {
      {{10'000, "10"}, {80'000, "7"}, {250'000, "5"}, {0, "3"}}};
  Decimal fee, lower;
  for (const Tier& tier : kTiers) {
    if (spend <= lower) break;
    Decimal upper = tier.up_to == 0 ? spend : std::min(spend, Decimal::FromInt(tier.up_to));
    fee += Percent(upper - lower, Decimal::Parse(tier.percent).value());
    if (tier.up_to == 0) break;
    lower = Decimal::FromInt(tier.up_to);
  }
  return fee;
}

class Allocator {
 public:
  Allocator(const NormalizedMonth& month, const MappedLines& mapped, const Policy& policy,
            size_t two_threads_from = kTwoThreadsFrom)
      : month_(month), mapped_(mapped), policy_(policy), two_threads_from_(two_threads_from) {}

  Result<AllocatedLines> Run() {
    out_.cost_view = policy_.cost_view;
    const size_t n = mapped_.lines.size();
    if (n < two_threads_from_) {
      out_.lines.reserve(n + 16);
      REBILL_RETURN_IF_ERROR(PlaceRange(0, n));
    } else {
      // Each line is placed on its own, so the two halves of the lines are placed on two
      // threads; the second half's lines, pools and lists then follow the first half's, in the
      // order one pass would have made them.
      Allocator second(month_, mapped_, policy_);
      size_t half = n / 2;
      ReservePrefaulted(out_.lines, n + 16);
      ReservePrefaulted(second.out_.lines, n - half + 16);
      Status second_placed;
      std::thread other([&] { second_placed = second.PlaceRange(half, n); });
      Status first_placed = PlaceRange(0, half);
      other.join();
      REBILL_RETURN_IF_ERROR(first_placed);
      REBILL_RETURN_IF_ERROR(second_placed);
      Append(std::move(second));
    }
    REBILL_RETURN_IF_ERROR(SharePools());
    REBILL_RETURN_IF_ERROR(SpreadUnusedCommitment());
    REBILL_RETURN_IF_ERROR(ShareSupport());
    REBILL_RETURN_IF_ERROR(CheckConservation());
    return std::move(out_);
  }

 private:
  struct Member {
    size_t out;  // index into out_.lines
    Decimal on_demand;
  };
  struct Pool {
    CommitmentRule rule;
    std::vector<Member> members;
  };

  Status PlaceRange(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const MappedLine& part = mapped_.lines[i];
      if (part.line >= month_.lines.size()) {
        return Internal("mapped line " + std::to_string(part.line) + " is not in the month");
      }
      REBILL_RETURN_IF_ERROR(Place(month_.lines[part.line], part, i));
    }
    return Status::Ok();
  }

  // What `later` placed, after what this allocator placed: its lines' indexes move up by the
  // lines already here.
  void Append(Allocator&& later) {
    const size_t shift = out_.lines.size();
    std::move(later.out_.lines.begin(), later.out_.lines.end(), std::back_inserter(out_.lines));
    auto shifted = [shift](std::vector<Member>& into, const std::vector<Member>& members) {
      for (const Member& m : members) into.push_back({m.out + shift, m.on_demand});
    };
    for (const auto& [key, pool] : later.pools_) {
      const auto& [payer, arn, rule_key] = key;
      Pool& into = pools_[{payer, arn, NamesOf(pool.rule).key}];
      into.rule = pool.rule;
      shifted(into.members, pool.members);
    }
    for (const auto& [key, members] : later.covered_) shifted(covered_[key], members);
    for (size_t at : later.unused_) unused_.push_back(at + shift);
    for (size_t at : later.support_) support_.push_back(at + shift);
  }

  AllocatedLine Start(const CurLine& line, const MappedLine& part) const {
    AllocatedLine out;
    out.line = part.line;
    out.payer_account = line.payer_account;
    out.usage_account = line.usage_account;
    out.service = line.product_code;
    out.category = CategoryOf(line);
    out.cost_basis = part.cost.Get(policy_.cost_view);
    out.list_cost = part.cost.public_on_demand;
    out.commitment_arn = line.commitment_arn;
    return out;
  }

  static void ToAccount(AllocatedLine& out, const MappedLine& part, std::string_view policy) {
    if (part.reseller) {
      ToReseller(out, "the reseller's own account");
      return;
    }
    out.bucket = part.unassigned() ? Bucket::kUnassigned : Bucket::kCustomer;
    out.customer = part.customer;
    out.policy = policy;
  }

  static void ToReseller(AllocatedLine& out, std::string_view policy) {
    out.bucket = Bucket::kResellerRetained;
    out.customer = Interned();
    out.policy = policy;
  }

  // The customer whose usage a kept amount comes from; none for the reseller's own accounts
  // and unassigned ones.
  static Interned EarnedBy(const MappedLine& part) {
    return part.unassigned() || part.reseller ? Interned() : part.customer;
  }

  size_t Push(AllocatedLine line) {
    out_.lines.push_back(std::move(line));
    return out_.lines.size() - 1;
  }

  Status Place(const CurLine& line, const MappedLine& part, size_t /*index*/) {
    AllocatedLine out = Start(line, part);
    if (IsCovered(line)) {
      CommitmentRule rule = RuleFor(policy_, line.commitment_arn, part.customer);
      const RuleNames& names = NamesOf(rule);
      ToAccount(out, part, names.text);
      size_t at = Push(std::move(out));
      Pool& pool = pools_[{line.payer_account, line.commitment_arn, names.key}];
      pool.rule = rule;
      pool.members.push_back({at, OnDemandValue(line, part)});
      covered_[{line.payer_account, line.commitment_arn}].push_back(
          {at, OnDemandValue(line, part)});
      return Status::Ok();
    }
    if (IsCommitmentFee(line)) {
      std::string name(UnusedCommitmentPolicyName(policy_.unused_commitment));
      switch (policy_.unused_commitment) {
        case UnusedCommitmentPolicy::kReseller:
          ToReseller(out, "unused commitment: " + name);
          break;
        case UnusedCommitmentPolicy::kOwner:
          if (part.unassigned()) {
            ToReseller(out, "unused commitment: owner (the reseller)");
          } else {
            ToAccount(out, part, "unused commitment: owner");
          }
          break;
        case UnusedCommitmentPolicy::kProRata:
          ToAccount(out, part, "unused commitment: owner (nothing covered to spread over)");
          if (part.unassigned()) ToReseller(out, "unused commitment: owner (the reseller)");
          unused_.push_back(Push(std::move(out)));
          return Status::Ok();
      }
      Push(std::move(out));
      return Status::Ok();
    }
    switch (out.category) {
      case ChargeCategory::kCredit:
      case ChargeCategory::kRefund:
        PlaceCredit(line, part, out);
        break;
      case ChargeCategory::kTax:
        // The reseller charges its own tax; AWS's tax on a customer's account is the reseller's
        // cost, not part of the customer's cost basis.
        if (part.unassigned()) {
          ToAccount(out, part, "as applied");
        } else {
          ToReseller(out, "AWS tax kept out of the customer's cost basis");
        }
        break;
      case ChargeCategory::kSupport:
        if (!part.unassigned() && !part.reseller) {
          ToAccount(out, part, "support on the customer's own account");
        } else if (policy_.support == SupportPolicy::kAbsorbed) {
          ToReseller(out, "support absorbed by the reseller");
        } else {
          ToReseller(out, "support re-derived per customer");
          support_.push_back(Push(std::move(out)));
          return Status::Ok();
        }
        break;
      default:
        if (IsChannelDiscount(line.type)) {
          PlaceChannelDiscount(part, out);
          return Status::Ok();
        }
        ToAccount(out, part,
                  out.category == ChargeCategory::kMarketplace ? "AWS Marketplace passed through"
                                                               : "as applied");
        break;
    }
    Push(std::move(out));
    return Status::Ok();
  }

  void PlaceCredit(const CurLine& line, const MappedLine& part, AllocatedLine& out) const {
    bool refund = line.type == LineItemType::kRefund;
    // Why: a refund on a customer's account refunds that customer's charge; credits follow
    // the credit policy because AWS spreads them across the family by sharing preferences.
    if (refund && !part.unassigned() && !part.reseller) {
      ToAccount(out, part, "refund to the customer whose charge it refunds");
      return;
    }
    if (!refund && policy_.credits == CreditPolicy::kRetained) {
      ToReseller(out, "credit retained by the reseller");
      out.earned_by = EarnedBy(part);
      return;
    }
    if (refund || policy_.credits == CreditPolicy::kByRule) {
      for (const CreditRule& rule : policy_.credit_rules) {
        if (!GlobMatch(rule.description, line.description)) continue;
        if (rule.retain) {
          ToReseller(out, "credit rule " + rule.config_key + ": retained");
          out.earned_by = EarnedBy(part);
        } else {
          out.bucket = Bucket::kCustomer;
          out.customer = rule.customer;
          out.policy = "credit rule " + rule.config_key;
        }
        return;
      }
    }
    ToAccount(out, part, "as applied");
  }

  void PlaceChannelDiscount(const MappedLine& part, AllocatedLine& out) {
    if (policy_.channel_discounts == ChannelDiscountPolicy::kRetained ||
        policy_.channel_pass_percent.IsZero()) {
      ToReseller(out, "channel discount retained by the reseller");
      out.earned_by = EarnedBy(part);
      Push(std::move(out));
      return;
    }
    Decimal total = out.cost_basis;
    Decimal passed = Percent(total, policy_.channel_pass_percent);
    AllocatedLine kept = out;
    ToAccount(out, part,
              "channel discount: " + policy_.channel_pass_percent.ToString() + "% passed through");
    out.cost_basis = passed;
    out.list_cost = Decimal();
    ToReseller(kept, "channel discount: remainder retained");
    kept.earned_by = EarnedBy(part);
    kept.cost_basis = total - passed;
    kept.list_cost = Decimal();
    Push(std::move(out));
    Push(std::move(kept));
  }

  // A rule's pool key and its text, spelled once per rule rather than once per covered line.
  struct RuleNames {
    CommitmentRule rule;
    std::string key;
    std::string text;
  };
  const RuleNames& NamesOf(const CommitmentRule& rule) {
    for (const RuleNames& names : rule_names_) {
      if (names.rule == rule) return names;
    }
    return rule_names_.emplace_back(RuleNames{
        rule, std::string(CommitmentPolicyName(rule.policy)) + "/" + rule.passed_percent.ToString(),
        RuleText(rule)});
  }

  // A retained line that carries the difference between what the commitment cost for the usage
  // of `template_index`'s customer and account and what that customer was charged for it.
  void Retain(size_t template_index, Decimal amount, const std::string& policy) {
    if (amount.IsZero()) return;
    AllocatedLine kept = out_.lines[template_index];
    kept.earned_by = kept.bucket == Bucket::kCustomer ? kept.customer : Interned();
    kept.bucket = Bucket::kResellerRetained;
    kept.customer = Interned();
    kept.cost_basis = amount;
    kept.list_cost = Decimal();
    kept.policy = policy;
    Push(std::move(kept));
  }

  Status SharePools() {
    for (auto& [key, pool] : pools_) {
      Decimal cost, on_demand;
      std::vector<Decimal> weights;
      for (const Member& m : pool.members) {
        cost += out_.lines[m.out].cost_basis;
        on_demand += m.on_demand;
        weights.push_back(m.on_demand);
      }
      if (on_demand.IsZero() || pool.rule.policy == CommitmentPolicy::kOriginating) {
        continue;  // each line keeps the cost of its own usage
      }
      std::vector<Decimal> basis;
      switch (pool.rule.policy) {
        case CommitmentPolicy::kProRata: {
          REBILL_ASSIGN_OR_RETURN(basis, SplitByWeights(cost, weights));
          break;
        }
        case CommitmentPolicy::kResellerRetained:
          basis = weights;
          break;
        case CommitmentPolicy::kSplit: {
          Decimal benefit = on_demand - cost;
          REBILL_ASSIGN_OR_RETURN(Decimal passed,
                                  Decimal::MulDiv(benefit, pool.rule.passed_percent,
                                                  Decimal::FromInt(100), RoundingMode::kDown));
          REBILL_ASSIGN_OR_RETURN(std::vector<Decimal> shares, SplitByWeights(passed, weights));
          for (size_t k = 0; k < weights.size(); ++k) basis.push_back(weights[k] - shares[k]);
          break;
        }
        case CommitmentPolicy::kOriginating:
          break;
      }
      // What is kept, per customer and account whose usage the commitment covered: the cost of
      // that usage less what the customer was charged for it. Together: cost - charged.
      std::map<std::tuple<Bucket, std::string, std::string>, std::pair<size_t, Decimal>> kept;
      for (size_t k = 0; k < pool.members.size(); ++k) {
        AllocatedLine& member = out_.lines[pool.members[k].out];
        auto entry = kept.try_emplace({member.bucket, member.customer, member.usage_account},
                                      pool.members[k].out, Decimal())
                         .first;
        entry->second.second += member.cost_basis - basis[k];
        member.cost_basis = basis[k];
      }
      for (const auto& [who, entry] : kept) {
        Retain(entry.first, entry.second,
               "commitment benefit retained (" + RuleText(pool.rule) + ")");
      }
    }
    return Status::Ok();
  }

  Status SpreadUnusedCommitment() {
    for (size_t index : unused_) {
      AllocatedLine& fee = out_.lines[index];
      auto it = covered_.find({fee.payer_account, fee.commitment_arn});
      if (fee.cost_basis.IsZero() || it == covered_.end()) continue;
      std::vector<Decimal> weights;
      bool any = false;
      for (const Member& m : it->second) {
        weights.push_back(m.on_demand);
        any = any || !m.on_demand.IsZero();
      }
      if (!any) continue;
      REBILL_ASSIGN_OR_RETURN(std::vector<Decimal> shares, SplitByWeights(fee.cost_basis, weights));
      AllocatedLine fee_copy = fee;  // out_.lines grows below
      out_.lines[index].cost_basis = Decimal();
      out_.lines[index].policy = "unused commitment: pro-rata (spread over covered usage)";
      for (size_t k = 0; k < shares.size(); ++k) {
        if (shares[k].IsZero()) continue;
        const AllocatedLine& covered = out_.lines[it->second[k].out];
        AllocatedLine part = fee_copy;
        part.bucket = covered.bucket;
        part.customer = covered.customer;
        part.usage_account = covered.usage_account;
        part.cost_basis = shares[k];
        part.list_cost = Decimal();
        part.policy = "unused commitment: pro-rata";
        Push(std::move(part));
      }
    }
    return Status::Ok();
  }

  Status ShareSupport() {
    if (support_.empty()) return Status::Ok();
    // Each customer's usage spend, the base support is re-derived from.
    std::map<std::string, Decimal> spend;
    for (const AllocatedLine& l : out_.lines) {
      if (l.bucket == Bucket::kCustomer && l.category == ChargeCategory::kUsage) {
        spend[l.customer] += l.cost_basis;
      }
    }
    std::vector<std::string> customers;
    std::vector<Decimal> weights;
    for (const auto& [customer, amount] : spend) {
      if (amount.Sign() <= 0) continue;
      customers.push_back(customer);
      weights.push_back(amount);
    }
    if (customers.empty()) return Status::Ok();  // nothing to derive from: the reseller's
    for (size_t index : support_) {
      AllocatedLine charge = out_.lines[index];
      std::vector<Decimal> shares;
      if (policy_.support == SupportPolicy::kProRata) {
        REBILL_ASSIGN_OR_RETURN(shares, SplitByWeights(charge.cost_basis, weights));
      } else {
        for (Decimal w : weights) shares.push_back(BusinessSupportFee(w));
        if (support_.size() > 1) {
          // Several support rows: derive once, spread over the rows by their amounts.
          return InvalidInput(
              "policy.support = \"business-tiers\" needs a single AWS Support charge per payer "
              "and month; found " +
              std::to_string(support_.size()));
        }
      }
      Decimal given;
      for (size_t k = 0; k < customers.size(); ++k) {
        AllocatedLine part = charge;
        part.bucket = Bucket::kCustomer;
        part.customer = customers[k];
        part.cost_basis = shares[k];
        part.list_cost = Decimal();
        part.policy = std::string("support: ") + std::string(SupportPolicyName(policy_.support));
        given += shares[k];
        Push(std::move(part));
      }
      out_.lines[index].cost_basis = charge.cost_basis - given;
      out_.lines[index].policy = "support: remainder after re-deriving per customer";
    }
    return Status::Ok();
  }

  // The sum of amount(line) per payer. A month has a payer or a few: the previous line's sum is
  // reused while the payer stays the same (map nodes stay put).
  template <typename Lines, typename Amount>
  static std::map<std::string, Decimal> ByPayer(const Lines& lines, Amount amount) {
    std::map<std::string, Decimal> sums;
    std::string_view payer;
    Decimal* sum = nullptr;
    for (const auto& line : lines) {
      if (sum == nullptr || payer != line.payer_account) {
        payer = line.payer_account;
        sum = &sums[std::string(payer)];
      }
      *sum += amount(line);
    }
    return sums;
  }

  Status CheckConservation() const {
    std::map<std::string, Decimal> expected = ByPayer(
        month_.lines, [&](const CurLine& line) { return line.cost.Get(policy_.cost_view); });
    std::map<std::string, Decimal> actual =
        ByPayer(out_.lines, [](const AllocatedLine& line) { return line.cost_basis; });
    for (const auto& [payer, total] : expected) {
      if (actual[payer] != total) {
        return Internal("allocation does not conserve cost for payer " + payer + ": CUR " +
                        total.ToString() + " vs allocated " + actual[payer].ToString());
      }
    }
    return Status::Ok();
  }

  const NormalizedMonth& month_;
  const MappedLines& mapped_;
  const Policy& policy_;
  const size_t two_threads_from_;
  AllocatedLines out_;
  std::deque<RuleNames> rule_names_;  // a deque: pools_ keys point into its strings
  // Keyed by views of the month's strings (payer, commitment ARN) and of rule_names_.
  std::map<std::tuple<std::string_view, std::string_view, std::string_view>, Pool> pools_;
  std::map<std::pair<std::string_view, std::string_view>, std::vector<Member>> covered_;
  std::vector<size_t> unused_;
  std::vector<size_t> support_;
};

template <typename Enum, size_t N>
Result<Enum> ParseName(std::string_view text,
                       const std::array<std::pair<std::string_view, Enum>, N>& names,
                       std::string_view what) {
  std::string known;
  for (const auto& [name, value] : names) {
    if (name == text) return value;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return InvalidInput("unknown " + std::string(what) + " '" + std::string(text) + "' (use " +
                      known + ")");
}

constexpr std::array<std::pair<std::string_view, CommitmentPolicy>, 4> kCommitmentNames = {{
    {"originating", CommitmentPolicy::kOriginating},
    {"pro-rata", CommitmentPolicy::kProRata},
    {"reseller-retained", CommitmentPolicy::kResellerRetained},
    {"split", CommitmentPolicy::kSplit},
}};
constexpr std::array<std::pair<std::string_view, UnusedCommitmentPolicy>, 3> kUnusedNames = {{
    {"reseller", UnusedCommitmentPolicy::kReseller},
    {"owner", UnusedCommitmentPolicy::kOwner},
    {"pro-rata", UnusedCommitmentPolicy::kProRata},
}};
constexpr std::array<std::pair<std::string_view, CreditPolicy>, 3> kCreditNames = {{
    {"as-applied", CreditPolicy::kAsApplied},
    {"by-rule", CreditPolicy::kByRule},
    {"retained", CreditPolicy::kRetained},
}};
constexpr std::array<std::pair<std::string_view, ChannelDiscountPolicy>, 2> kChannelNames = {{
    {"retained", ChannelDiscountPolicy::kRetained},
    {"pass-through", ChannelDiscountPolicy::kPassThrough},
}};
constexpr std::array<std::pair<std::string_view, SupportPolicy>, 3> kSupportNames = {{
    {"absorbed", SupportPolicy::kAbsorbed},
    {"pro-rata", SupportPolicy::kProRata},
    {"business-tiers", SupportPolicy::kBusinessTiers},
}};

template <typename Enum, size_t N>
std::string_view NameOf(Enum value, const std::array<std::pair<std::string_view, Enum>, N>& names) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

}  // namespace

std::string_view CommitmentPolicyName(CommitmentPolicy p) { return NameOf(p, kCommitmentNames); }
Result<CommitmentPolicy> ParseCommitmentPolicy(std::string_view text) {
  return ParseName(text, kCommitmentNames, "commitment policy");
}
std::string_view UnusedCommitmentPolicyName(UnusedCommitmentPolicy p) {
  return NameOf(p, kUnusedNames);
}
Result<UnusedCommitmentPolicy> ParseUnusedCommitmentPolicy(std::string_view text) {
  return ParseName(text, kUnusedNames, "unused commitment policy");
}
std::string_view CreditPolicyName(CreditPolicy p) { return NameOf(p, kCreditNames); }
Result<CreditPolicy> ParseCreditPolicy(std::string_view text) {
  return ParseName(text, kCreditNames, "credit policy");
}
std::string_view ChannelDiscountPolicyName(ChannelDiscountPolicy p) {
  return NameOf(p, kChannelNames);
}
Result<ChannelDiscountPolicy> ParseChannelDiscountPolicy(std::string_view text) {
  return ParseName(text, kChannelNames, "channel discount policy");
}
std::string_view SupportPolicyName(SupportPolicy p) { return NameOf(p, kSupportNames); }
Result<SupportPolicy> ParseSupportPolicy(std::string_view text) {
  return ParseName(text, kSupportNames, "support policy");
}

CommitmentRule RuleFor(const Policy& policy, const std::string& arn, const std::string& customer) {
  if (auto it = policy.by_commitment.find(arn); it != policy.by_commitment.end()) {
    return it->second;
  }
  if (!customer.empty()) {
    if (auto it = policy.by_customer.find(customer); it != policy.by_customer.end()) {
      return it->second;
    }
  }
  return policy.commitments;
}

std::string DescribeCommitmentPolicy(const Policy& policy) {
  switch (policy.commitments.policy) {
    case CommitmentPolicy::kOriginating:
      return "Savings Plan and Reserved Instance discounts go to the usage they covered: you pay "
             "the discounted rate for your covered usage.";
    case CommitmentPolicy::kProRata:
      return "Savings Plan and Reserved Instance discounts are shared pro-rata: each "
             "commitment's cost is spread over all the usage it covered, in proportion to that "
             "usage's on-demand price.";
    case CommitmentPolicy::kResellerRetained:
      return "Usage is charged at public on-demand prices; Savings Plan and Reserved Instance "
             "discounts are not passed on.";
    case CommitmentPolicy::kSplit:
      return policy.commitments.passed_percent.ToString() +
             "% of the Savings Plan and Reserved Instance discount on the usage they covered is "
             "passed on to you, shared pro-rata by on-demand price.";
  }
  return "";
}

Result<AllocatedLines> AllocateBenefits(const NormalizedMonth& month, const MappedLines& mapped,
                                        const Policy& policy, RunContext& /*ctx*/) {
  return Allocator(month, mapped, policy).Run();
}

namespace internal {

Result<AllocatedLines> AllocateBenefits(const NormalizedMonth& month, const MappedLines& mapped,
                                        const Policy& policy, size_t two_threads_from) {
  return Allocator(month, mapped, policy, two_threads_from).Run();
}

}  // namespace internal

Result<std::vector<PolicyOutcome>> ComparePolicies(const NormalizedMonth& month,
                                                   const MappedLines& mapped, const Policy& policy,
                                                   RunContext& ctx) {
  std::vector<PolicyOutcome> out;
  Decimal split_share = policy.commitments.policy == CommitmentPolicy::kSplit
                            ? policy.commitments.passed_percent
                            : Decimal::FromInt(50);
  for (const auto& [name, kind] : kCommitmentNames) {
    Policy variant = policy;
    variant.by_commitment.clear();
    variant.by_customer.clear();
    variant.commitments = {kind, split_share};
    REBILL_ASSIGN_OR_RETURN(AllocatedLines allocated,
                            AllocateBenefits(month, mapped, variant, ctx));
    PolicyOutcome outcome;
    outcome.rule = variant.commitments;
    for (const AllocatedLine& l : allocated.lines) {
      switch (l.bucket) {
        case Bucket::kCustomer:
          outcome.customers[l.customer] += l.cost_basis;
          break;
        case Bucket::kResellerRetained:
          outcome.reseller_retained += l.cost_basis;
          break;
        case Bucket::kUnassigned:
          outcome.unassigned += l.cost_basis;
          break;
      }
    }
    out.push_back(std::move(outcome));
  }
  return out;
}

}  // namespace rebill::allocate
