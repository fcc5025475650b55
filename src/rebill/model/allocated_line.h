// AllocatedLines: the output of allocate — the cost basis each customer carries after commitment
// benefits, credits, discounts and tax were assigned by policy, plus what the reseller keeps and
// what belongs to no customer. Conservation (DESIGN.md §2): for each payer,
// Σ customer + Σ reseller-retained + Σ unassigned = Σ CUR cost in the chosen view.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/model/cur_line.h"

namespace rebill {

enum class Bucket : uint8_t { kCustomer, kResellerRetained, kUnassigned };
std::string_view BucketName(Bucket bucket);

/// What kind of charge a line is, for statements and reconciliation components.
enum class ChargeCategory : uint8_t {
  kUsage,       // usage, including commitment-covered usage
  kCommitment,  // SP / RI fees (unused commitment, upfront fees)
  kCredit,      // AWS credits
  kRefund,
  kDiscount,     // EDP / PPA / SPP / distributor / bundled discounts
  kTax,          // AWS tax
  kMarketplace,  // bill/BillingEntity = AWS Marketplace
  kSupport,      // AWS Support plans
};
inline constexpr int kChargeCategoryCount = 8;
std::string_view ChargeCategoryName(ChargeCategory category);

struct AllocatedLine {
  uint32_t line = 0;  // index into NormalizedMonth::lines
  Bucket bucket = Bucket::kUnassigned;
  Interned customer;  // with kCustomer
  Interned payer_account;
  Interned usage_account;
  Interned service;  // product code
  ChargeCategory category = ChargeCategory::kUsage;
  Decimal cost_basis;  // in AllocatedLines::cost_view
  Decimal list_cost;   // public on-demand value of this part
  Interned policy;     // the policy that produced it ("pro-rata", "as-applied", ...)
  Interned commitment_arn;
  /// With kResellerRetained: the customer whose usage earned what the reseller keeps (commitment
  /// benefit, a channel discount or a credit on its account), so that margin can count it in
  /// that customer's true cost. Empty when no customer earned it (support, unused commitment).
  Interned earned_by;

  friend bool operator==(const AllocatedLine&, const AllocatedLine&) = default;
};

struct AllocatedLines {
  CostView cost_view = CostView::kAmortized;
  std::vector<AllocatedLine> lines;
};

}  // namespace rebill
