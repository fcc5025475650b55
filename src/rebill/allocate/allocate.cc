#include "rebill/allocate/allocate.h"

#include <map>
#include <utility>

namespace rebill::allocate {
namespace {

constexpr std::string_view kMarketplaceEntity = "AWS Marketplace";

ChargeCategory CategoryOf(const CurLine& line) {
  if (line.billing_entity == kMarketplaceEntity) return ChargeCategory::kMarketplace;
  switch (line.type) {
    case LineItemType::kRIFee:
    case LineItemType::kSavingsPlanRecurringFee:
    case LineItemType::kSavingsPlanUpfrontFee:
      return ChargeCategory::kCommitment;
    case LineItemType::kFee:
      return line.commitment_arn.empty() ? ChargeCategory::kUsage : ChargeCategory::kCommitment;
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

AllocatedLine Start(const CurLine& line, const MappedLine& part, CostView view) {
  AllocatedLine out;
  out.line = part.line;
  out.payer_account = line.payer_account;
  out.usage_account = line.usage_account;
  out.service = line.product_code;
  out.category = CategoryOf(line);
  out.cost_basis = part.cost.Get(view);
  out.list_cost = part.cost.public_on_demand;
  out.commitment_arn = line.commitment_arn;
  return out;
}

// Lines follow the account they were mapped to: the customer, or the Unassigned bucket.
void FollowAccount(AllocatedLine& out, const MappedLine& part, std::string policy) {
  out.bucket = part.unassigned() ? Bucket::kUnassigned : Bucket::kCustomer;
  out.customer = part.customer;
  out.policy = std::move(policy);
}

// Why: the reseller buys commitments on its own payer account and charges customers for the
// usage they cover; unused commitment on an account no customer owns is the reseller's to
// absorb. A customer's own commitment stays with that customer.
void CommitmentFee(AllocatedLine& out, const MappedLine& part) {
  if (part.unassigned()) {
    out.bucket = Bucket::kResellerRetained;
    out.policy = "unused commitment absorbed by the reseller";
  } else {
    FollowAccount(out, part, "commitment owner pays");
  }
}

}  // namespace

std::string_view CommitmentPolicyName(CommitmentPolicy policy) {
  switch (policy) {
    case CommitmentPolicy::kProRata:
      return "pro-rata";
  }
  return "pro-rata";
}

Result<CommitmentPolicy> ParseCommitmentPolicy(std::string_view text) {
  if (text == "pro-rata") return CommitmentPolicy::kProRata;
  return InvalidInput("unknown commitment policy '" + std::string(text) + "' (use pro-rata)");
}

Result<AllocatedLines> AllocateBenefits(const NormalizedMonth& month, const MappedLines& mapped,
                                        const Policy& policy, RunContext& /*ctx*/) {
  const CostView view = policy.cost_view;
  AllocatedLines out;
  out.cost_view = view;
  out.lines.reserve(mapped.lines.size());

  // Savings Plan covered usage is pooled per (payer, plan): the plan's cost in this view is
  // spread over the usage it covered by on-demand value (the covered row's unblended cost).
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> pools;

  for (const MappedLine& part : mapped.lines) {
    if (part.line >= month.lines.size()) {
      return Internal("mapped line " + std::to_string(part.line) + " is not in the month");
    }
    const CurLine& line = month.lines[part.line];
    AllocatedLine out_line = Start(line, part, view);
    switch (line.type) {
      case LineItemType::kSavingsPlanCoveredUsage:
        FollowAccount(out_line, part, std::string(CommitmentPolicyName(policy.commitments)));
        pools[{line.payer_account, line.commitment_arn}].push_back(out.lines.size());
        break;
      case LineItemType::kSavingsPlanRecurringFee:
      case LineItemType::kSavingsPlanUpfrontFee:
      case LineItemType::kRIFee:
        CommitmentFee(out_line, part);
        break;
      case LineItemType::kFee:
        if (line.commitment_arn.empty()) {
          FollowAccount(out_line, part, "as applied");
        } else {
          CommitmentFee(out_line, part);
        }
        break;
      case LineItemType::kTax:
        // The reseller charges its own tax on its statements; AWS's tax on a customer's account
        // is the reseller's cost, not part of the customer's cost basis.
        if (part.unassigned()) {
          FollowAccount(out_line, part, "as applied");
        } else {
          out_line.bucket = Bucket::kResellerRetained;
          out_line.policy = "AWS tax kept out of the customer's cost basis";
        }
        break;
      case LineItemType::kEdpDiscount:
      case LineItemType::kPrivateRateDiscount:
      case LineItemType::kSppDiscount:
      case LineItemType::kDistributorDiscount:
      case LineItemType::kRiVolumeDiscount:
        out_line.bucket = Bucket::kResellerRetained;
        out_line.policy = "channel discount retained by the reseller";
        break;
      default:
        FollowAccount(out_line, part, "as applied");
        break;
    }
    out.lines.push_back(std::move(out_line));
  }

  for (const auto& [key, members] : pools) {
    Decimal pool;
    std::vector<Decimal> weights;
    weights.reserve(members.size());
    bool has_weight = false;
    for (size_t index : members) {
      const AllocatedLine& member = out.lines[index];
      pool += member.cost_basis;
      Decimal weight = mapped.lines[index].cost.unblended;
      if (weight.Sign() < 0) weight = Decimal();
      has_weight = has_weight || !weight.IsZero();
      weights.push_back(weight);
    }
    if (!has_weight) continue;  // nothing to spread by: each line keeps its own cost
    REBILL_ASSIGN_OR_RETURN(std::vector<Decimal> shares, SplitByWeights(pool, weights));
    for (size_t k = 0; k < members.size(); ++k) out.lines[members[k]].cost_basis = shares[k];
  }

  // Invariant 1 (conservation), per payer, exactly.
  std::map<std::string, Decimal> expected, actual;
  for (const CurLine& line : month.lines) expected[line.payer_account] += line.cost.Get(view);
  for (const AllocatedLine& line : out.lines) actual[line.payer_account] += line.cost_basis;
  for (const auto& [payer, total] : expected) {
    if (actual[payer] != total) {
      return Internal("allocation does not conserve cost for payer " + payer + ": CUR " +
                      total.ToString() + " vs allocated " + actual[payer].ToString());
    }
  }
  return out;
}

}  // namespace rebill::allocate
