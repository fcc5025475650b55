// Allocate stage: who carries which cost (docs/policies.md). Savings Plan and RI benefit is
// shared by an explicit commitment policy; unused commitment, credits, refunds, channel
// discounts, AWS tax, support and Marketplace charges each follow their own documented policy.
// Every allocated line records the policy (and commitment ARN) that produced it, and the stage
// checks conservation per payer, exactly, before it returns.
//
//   REBILL_ASSIGN_OR_RETURN(AllocatedLines out, allocate::AllocateBenefits(month, mapped, policy,
//   ctx));
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/mapped_line.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/run_context.h"

namespace rebill::allocate {

/// How the benefit of a Savings Plan or Reserved Instance is shared.
enum class CommitmentPolicy : uint8_t {
  kOriginating,       // the customer whose usage the commitment covered keeps that benefit
  kProRata,           // the benefit is pooled and spread over the covered usage by on-demand value
  kResellerRetained,  // customers pay public on-demand; the reseller keeps the benefit
  kSplit,             // a stated share is passed on pro-rata, the rest retained
};
std::string_view CommitmentPolicyName(CommitmentPolicy policy);
/// "originating" | "pro-rata" | "reseller-retained" | "split"
Result<CommitmentPolicy> ParseCommitmentPolicy(std::string_view text);

struct CommitmentRule {
  CommitmentPolicy policy = CommitmentPolicy::kProRata;
  Decimal passed_percent = Decimal::FromInt(50);  // with kSplit: share of the benefit passed on

  friend bool operator==(const CommitmentRule&, const CommitmentRule&) = default;
};

/// Who pays for commitment that was bought but not used (and, in the cash view, the fees).
enum class UnusedCommitmentPolicy : uint8_t {
  kReseller,  // the reseller absorbs it
  kOwner,     // the customer owning the account that bought it pays (the reseller if none)
  kProRata,   // spread over the usage the commitment covered, by on-demand value
};
std::string_view UnusedCommitmentPolicyName(UnusedCommitmentPolicy policy);
Result<UnusedCommitmentPolicy> ParseUnusedCommitmentPolicy(std::string_view text);

enum class CreditPolicy : uint8_t {
  kAsApplied,  // where AWS applied it
  kByRule,     // re-assigned by CreditRule (first match), else as applied
  kRetained,   // kept by the reseller
};
std::string_view CreditPolicyName(CreditPolicy policy);
Result<CreditPolicy> ParseCreditPolicy(std::string_view text);

/// Re-assign credits (and refunds on accounts no customer owns) whose description matches.
struct CreditRule {
  std::string description;  // glob: '*' matches any run of characters
  std::string customer;     // empty with retain
  bool retain = false;
  std::string config_key;
};

enum class ChannelDiscountPolicy : uint8_t {
  kRetained,     // EDP / PPA / SPP / distributor / RI volume discounts stay with the reseller
  kPassThrough,  // a percentage is passed to the customer whose usage earned it
};
std::string_view ChannelDiscountPolicyName(ChannelDiscountPolicy policy);
Result<ChannelDiscountPolicy> ParseChannelDiscountPolicy(std::string_view text);

/// AWS Support charged to an account no customer owns (usually the payer).
enum class SupportPolicy : uint8_t {
  kAbsorbed,       // the reseller absorbs it
  kProRata,        // spread over customers by their usage spend
  kBusinessTiers,  // each customer's share re-derived with AWS Business Support's tiered
                   // percentages of its spend; the difference is the reseller's
};
std::string_view SupportPolicyName(SupportPolicy policy);
Result<SupportPolicy> ParseSupportPolicy(std::string_view text);

struct Policy {
  CostView cost_view = CostView::kAmortized;
  CommitmentRule commitments;                           // the reseller's default
  std::map<std::string, CommitmentRule> by_commitment;  // SP / RI ARN -> rule (wins)
  std::map<std::string, CommitmentRule> by_customer;    // customer contract -> rule
  UnusedCommitmentPolicy unused_commitment = UnusedCommitmentPolicy::kReseller;
  CreditPolicy credits = CreditPolicy::kAsApplied;
  std::vector<CreditRule> credit_rules;
  ChannelDiscountPolicy channel_discounts = ChannelDiscountPolicy::kRetained;
  Decimal channel_pass_percent;  // with kPassThrough
  SupportPolicy support = SupportPolicy::kAbsorbed;
};

/// The rule that applies to `customer`'s usage covered by commitment `arn`.
CommitmentRule RuleFor(const Policy& policy, const std::string& arn, const std::string& customer);

/// One plain sentence on how commitment benefit is shared, for statements.
std::string DescribeCommitmentPolicy(const Policy& policy);

/// Allocate every mapped part. Fails (kInternal) if conservation does not hold exactly.
Result<AllocatedLines> AllocateBenefits(const NormalizedMonth& month, const MappedLines& mapped,
                                        const Policy& policy, RunContext& ctx);

/// The outcome of one commitment policy, for side-by-side comparison.
struct PolicyOutcome {
  CommitmentRule rule;
  std::map<std::string, Decimal> customers;  // cost basis per customer
  Decimal reseller_retained;
  Decimal unassigned;
};

/// Allocate the month once per commitment policy (overrides ignored, other policies as given).
Result<std::vector<PolicyOutcome>> ComparePolicies(const NormalizedMonth& month,
                                                   const MappedLines& mapped, const Policy& policy,
                                                   RunContext& ctx);

}  // namespace rebill::allocate
