// Allocate stage: who carries which cost. Savings Plan benefit is shared by policy (here
// pro-rata: each SP's benefit spread over the usage it covered in the payer, by on-demand value);
// unused commitment and AWS tax stay with the reseller; other lines follow their account.
//
//   REBILL_ASSIGN_OR_RETURN(AllocatedLines alloc, allocate::AllocateBenefits(month, mapped, policy,
//   ctx));
#pragma once

#include "rebill/core/result.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/mapped_line.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/run_context.h"

namespace rebill::allocate {

enum class CommitmentPolicy : uint8_t { kProRata };
std::string_view CommitmentPolicyName(CommitmentPolicy policy);
Result<CommitmentPolicy> ParseCommitmentPolicy(std::string_view text);

struct Policy {
  CostView cost_view = CostView::kAmortized;
  CommitmentPolicy commitments = CommitmentPolicy::kProRata;
};

/// Allocate every mapped part. Fails (kInternal) if conservation does not hold exactly.
Result<AllocatedLines> AllocateBenefits(const NormalizedMonth& month, const MappedLines& mapped,
                                        const Policy& policy, RunContext& ctx);

}  // namespace rebill::allocate
